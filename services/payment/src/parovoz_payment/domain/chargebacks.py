"""Chargebacks: the cardholder disputes a payment with their bank, the acquirer takes the money
back at once, and the dispute later ends ``won`` (the merchant proved the sale: the money comes
back) or ``lost`` (it stays with the cardholder).

A dispute is ``opened`` once and resolved once, whatever order or how many times the
provider's notifications arrive: an outcome heard before the opening opens and resolves it
together; a second, different outcome is refused (the first one stands). While any dispute of
a user is open their wallet is locked (``domain.wallet``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from parovoz_kit.errors import Conflict

from parovoz_payment.domain.methods import Provider
from parovoz_payment.domain.money import Money


class ChargebackStatus(StrEnum):
    OPENED = "opened"
    #: The merchant won: the acquirer returned the money.
    WON = "won"
    #: The cardholder won: the money stays taken back.
    LOST = "lost"


@dataclass(frozen=True)
class DisputeNotice:
    """What a verified chargeback notification says (``ProviderNotification.dispute``)."""

    #: The disputed payment's id at the provider.
    provider_payment_id: str
    status: ChargebackStatus
    #: The disputed amount; None when the provider did not say (the whole card part).
    amount: Money | None = None
    reason: str | None = None


@dataclass(frozen=True)
class WalletTakeBack:
    """A disputed top-up's money: what the wallet still holds is debited, the rest is the
    user's debt (``user_receivable``)."""

    from_wallet: Money
    owed: Money


def take_back_top_up(amount: Money, wallet_balance: Money) -> WalletTakeBack:
    zero = Money.zero(amount.currency)
    from_wallet = min(amount, max(wallet_balance, zero))
    return WalletTakeBack(from_wallet, amount - from_wallet)


def disputed_amount(notice: DisputeNotice, card_part: Money) -> Money:
    """What the dispute takes: the notified amount, never more than the provider was paid (a
    provider cannot claw back the wallet's or gift cards' part)."""
    if notice.amount is None or notice.amount.currency != card_part.currency:
        return card_part
    return min(notice.amount, card_part)


@dataclass(frozen=True)
class Chargeback:
    id: uuid.UUID
    provider: Provider
    provider_chargeback_id: str
    payment_id: uuid.UUID
    user_id: uuid.UUID
    amount: Money
    status: ChargebackStatus
    opened_at: datetime
    reason: str | None = None
    resolved_at: datetime | None = None
    #: A disputed top-up: what came out of the wallet, and what the user was left owing.
    wallet_debited: Money | None = None
    user_owed: Money | None = None

    @classmethod
    def open(
        cls,
        *,
        provider: Provider,
        provider_chargeback_id: str,
        payment_id: uuid.UUID,
        user_id: uuid.UUID,
        amount: Money,
        reason: str | None,
        now: datetime,
    ) -> Chargeback:
        if not amount.is_positive:
            raise ValueError("a disputed amount is positive")
        return cls(
            id=uuid.uuid4(),
            provider=provider,
            provider_chargeback_id=provider_chargeback_id,
            payment_id=payment_id,
            user_id=user_id,
            amount=amount,
            status=ChargebackStatus.OPENED,
            opened_at=now,
            reason=reason,
        )

    @property
    def is_open(self) -> bool:
        return self.status is ChargebackStatus.OPENED

    def resolve(self, outcome: ChargebackStatus, now: datetime) -> Chargeback:
        """The dispute's end. The same outcome again is a no-op (a duplicate notification);
        another one after it ended is refused."""
        if outcome is ChargebackStatus.OPENED:
            return self
        if self.status is outcome:
            return self
        if not self.is_open:
            raise Conflict(
                f"The dispute already ended {self.status.value}.",
                code="CHARGEBACK_ALREADY_RESOLVED",
            )
        return replace(self, status=outcome, resolved_at=now)
