"""Streamer payouts (seed 004 task 7, PRODUCT.md "Donations"): weekly or monthly, a streamer's
whole balance is set aside for a payout when it reaches the minimum (500.00 RUB); a smaller
balance waits for the next period. One payout per streamer and period, whoever runs the job.
It is then paid through the provider to the streamer's payout destination (a YooMoney wallet
the streamer registered), like a developer payout: ``processing`` → ``completed`` | ``failed``
(the money back on the balance).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Literal

from parovoz_kit.errors import ValidationFailed

from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payouts import PayoutFailure, PayoutProgress, PayoutStatus

StreamerPayoutPeriod = Literal["weekly", "monthly"]

#: Namespace of payout ids: id = uuid5(namespace, "<streamer>:<period key>"), so a second run
#: for the same period names the same payout. Never change it.
STREAMER_PAYOUT_NAMESPACE = uuid.UUID("0b7f3c4e-9d52-4a7e-8c1b-5e2f6a9d3c71")


def period_key(period: StreamerPayoutPeriod, now: datetime) -> str:
    """``2026-W48`` (ISO week) or ``2026-11`` (month), in UTC."""
    now = now.astimezone(UTC)
    return now.strftime("%G-W%V") if period == "weekly" else now.strftime("%Y-%m")


@dataclass(frozen=True, slots=True)
class StreamerPayout:
    id: uuid.UUID
    streamer_id: uuid.UUID
    period_key: str
    amount: Money
    created_at: datetime


def payout_for(
    streamer_id: uuid.UUID, balance: Money, minimum: Money, key: str, now: datetime
) -> StreamerPayout | None:
    """The period's payout of the whole balance, or None below the minimum."""
    if balance.currency != minimum.currency or balance.amount_minor < minimum.amount_minor:
        return None
    payout_id = uuid.uuid5(STREAMER_PAYOUT_NAMESPACE, f"{streamer_id}:{key}")
    return StreamerPayout(payout_id, streamer_id, key, balance, now)


# -- paying it: the provider's part ------------------------------------------------------
#: A YooMoney wallet number: 11 to 20 digits (it names a wallet, not a card).
_WALLET_DIGITS = (11, 20)
DESTINATION_POINTER = "/data/attributes/account_number"


@dataclass(frozen=True)
class SealedDestination:
    """A streamer's payout destination as stored: the wallet number sealed, its last four
    digits in clear (to show and to remember on a payout)."""

    kind: str
    key_id: str
    ciphertext: bytes = field(repr=False)
    account_last4: str


@dataclass(frozen=True)
class WalletDestination:
    """A YooMoney wallet, in memory for one provider call; ``repr`` shows nothing of it."""

    account_number: str = field(repr=False)

    @property
    def last4(self) -> str:
        return self.account_number[-4:]


def wallet_destination(raw: str) -> WalletDestination:
    number = "".join(raw.split())
    low, high = _WALLET_DIGITS
    if not number.isdigit() or not low <= len(number) <= high:
        raise ValidationFailed(
            f"A YooMoney wallet number has {low} to {high} digits.",
            code="INVALID_PAYOUT_DESTINATION",
            pointer=DESTINATION_POINTER,
        )
    return WalletDestination(number)


@dataclass(frozen=True)
class StreamerPayoutState(PayoutProgress):
    """A held streamer payout on its way out: ``processing`` → ``completed`` | ``failed``."""

    payout: StreamerPayout
    status: PayoutStatus
    provider_payout_id: str | None = None
    failure: PayoutFailure | None = None
    failure_message: str | None = None
    destination_last4: str | None = None

    @property
    def id(self) -> uuid.UUID:
        return self.payout.id

    @property
    def amount(self) -> Money:
        return self.payout.amount

    def sent(self, provider_payout_id: str, last4: str | None) -> StreamerPayoutState:
        return replace(
            self,
            provider_payout_id=provider_payout_id,
            destination_last4=last4 or self.destination_last4,
        )

    def complete(self) -> StreamerPayoutState:
        return replace(self, status=PayoutStatus.COMPLETED)

    def fail(self, failure: PayoutFailure, message: str) -> StreamerPayoutState:
        return replace(
            self, status=PayoutStatus.FAILED, failure=failure, failure_message=message[:500]
        )
