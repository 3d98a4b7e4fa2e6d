"""Payments and their state machine (PRODUCT.md "Payment"); their statuses, purposes and
cancellation reasons are in ``payment_vocabulary``.

``pending`` → ``waiting_for_capture`` (two-step only) → ``succeeded`` | ``cancelled``;
``on_hold`` while a fraud rule waits for an admin (then ``pending`` / ``succeeded`` on
release, ``cancelled`` on rejection). ``succeeded`` and ``cancelled`` are final. A payment is
an immutable value: every transition returns a new one; re-applying the state it already has
returns the very same object, so a duplicated webhook has no effect (``new is old``).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType
from typing import Any

from parovoz_kit.errors import BusinessRuleViolation

from parovoz_payment.domain.audit import FORBIDDEN_KEYS
from parovoz_payment.domain.methods import PaymentMethod, Provider
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_vocabulary import (
    CancellationReason,
    PaymentPurpose,
    PaymentStatus,
    cancellation_reason_from_provider,
    status_from_provider,
)

FINAL_STATUSES = frozenset({PaymentStatus.SUCCEEDED, PaymentStatus.CANCELLED})

ALLOWED_TRANSITIONS: Mapping[PaymentStatus, frozenset[PaymentStatus]] = MappingProxyType(
    {
        PaymentStatus.PENDING: frozenset(
            {
                PaymentStatus.WAITING_FOR_CAPTURE,
                PaymentStatus.SUCCEEDED,
                PaymentStatus.CANCELLED,
                PaymentStatus.ON_HOLD,
            }
        ),
        PaymentStatus.WAITING_FOR_CAPTURE: frozenset(
            {PaymentStatus.SUCCEEDED, PaymentStatus.CANCELLED}
        ),
        PaymentStatus.ON_HOLD: frozenset(
            {PaymentStatus.PENDING, PaymentStatus.SUCCEEDED, PaymentStatus.CANCELLED}
        ),
        PaymentStatus.SUCCEEDED: frozenset(),
        PaymentStatus.CANCELLED: frozenset(),
    }
)

# How far along a provider's report is; a report behind the payment is stale (out of order).
_PROGRESS = {
    PaymentStatus.PENDING: 0,
    PaymentStatus.ON_HOLD: 0,
    PaymentStatus.WAITING_FOR_CAPTURE: 1,
    PaymentStatus.SUCCEEDED: 2,
    PaymentStatus.CANCELLED: 2,
}


@dataclass(frozen=True)
class Payment:
    id: uuid.UUID
    user_id: uuid.UUID
    purpose: PaymentPurpose
    reference: str | None
    #: What the user pays in total, wallet part included.
    amount: Money
    #: Part of ``amount`` taken from the user's wallet; the rest goes to the method.
    wallet_amount: Money
    method: PaymentMethod | None
    status: PaymentStatus
    region: str
    created_at: datetime
    updated_at: datetime
    expires_at: datetime
    #: What the provider took (may be less than ``amount`` for a partial capture); zero before.
    captured_amount: Money
    #: Sum of succeeded refunds.
    refunded_amount: Money
    game_id: uuid.UUID | None = None
    cancellation_reason: CancellationReason | None = None
    provider: Provider | None = None
    provider_payment_id: str | None = None
    saved_method_id: uuid.UUID | None = None
    save_method: bool = False
    succeeded_at: datetime | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)
    #: Part of ``amount`` paid with gift cards (reserved on them until the payment ends).
    gift_card_amount_minor: int = 0
    #: The coupon's discount: ``amount`` is the list price minus it (money never received).
    discount_minor: int = 0
    coupon_id: uuid.UUID | None = None

    def __post_init__(self) -> None:
        # Invariants a stored row must satisfy too; a violation is a bug, not a user error.
        amounts = (self.wallet_amount, self.captured_amount, self.refunded_amount)
        if any(money.currency != self.currency for money in amounts):
            raise ValueError("every amount of a payment is in the payment's currency")
        if self.gift_card_amount_minor < 0 or self.discount_minor < 0:
            raise ValueError("payment amounts out of order")
        if not (
            0
            <= self.wallet_amount.amount_minor + self.gift_card_amount_minor
            <= self.amount.amount_minor
            and 0 <= self.refunded_amount.amount_minor <= self.captured_amount.amount_minor
            and self.captured_amount.amount_minor <= self.amount.amount_minor
        ):
            raise ValueError("payment amounts out of order")

    # -- derived -------------------------------------------------------------------------
    @property
    def currency(self) -> str:
        return self.amount.currency

    @property
    def card_amount(self) -> Money:
        """Part charged to the method at a provider (zero for a wallet-only payment)."""
        return self.amount - self.wallet_amount - self.gift_card_amount

    @property
    def gift_card_amount(self) -> Money:
        return Money(self.gift_card_amount_minor, self.currency)

    @property
    def discount(self) -> Money:
        return Money(self.discount_minor, self.currency)

    @property
    def list_amount(self) -> Money:
        """The price before the coupon (receipts and audit show both)."""
        return Money(self.amount.amount_minor + self.discount_minor, self.currency)

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def refundable_amount(self) -> Money:
        return self.captured_amount - self.refunded_amount

    def audit_state(self) -> dict[str, Any]:
        """The whole payment as the audit log shows it (an entry's ``before`` and ``after``):
        every field but the card data and tokens the log never holds (metadata keys that
        name them are left out)."""

        def iso(moment: datetime | None) -> str | None:
            return None if moment is None else moment.isoformat()

        return {
            "status": self.status.value,
            "purpose": self.purpose.value,
            "user_id": str(self.user_id),
            "reference": self.reference,
            "game_id": None if self.game_id is None else str(self.game_id),
            "region": self.region,
            "currency": self.currency,
            "amount_minor": self.amount.amount_minor,
            "list_amount_minor": self.list_amount.amount_minor,
            "discount_minor": self.discount_minor,
            "coupon_id": None if self.coupon_id is None else str(self.coupon_id),
            "wallet_amount_minor": self.wallet_amount.amount_minor,
            "gift_card_amount_minor": self.gift_card_amount_minor,
            "captured_amount_minor": self.captured_amount.amount_minor,
            "refunded_amount_minor": self.refunded_amount.amount_minor,
            "method": None if self.method is None else self.method.value,
            "provider": None if self.provider is None else self.provider.value,
            "provider_payment_id": self.provider_payment_id,
            "saved_method_id": None if self.saved_method_id is None else str(self.saved_method_id),
            "save_method": self.save_method,
            "cancellation_reason": (
                None if self.cancellation_reason is None else self.cancellation_reason.value
            ),
            "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at),
            "expires_at": iso(self.expires_at),
            "succeeded_at": iso(self.succeeded_at),
            "metadata": {
                key: value
                for key, value in self.metadata.items()
                if key.lower() not in FORBIDDEN_KEYS
            },
        }

    # -- transitions ---------------------------------------------------------------------
    def transition_to(
        self,
        status: PaymentStatus,
        now: datetime,
        *,
        reason: CancellationReason | None = None,
        captured: Money | None = None,
    ) -> Payment:
        """Move to ``status`` if the table allows it; the same status again is a no-op."""
        if status is self.status:
            return self
        if status not in ALLOWED_TRANSITIONS[self.status]:
            raise BusinessRuleViolation(
                f"A {self.status.value} payment cannot become {status.value}.",
                code="ILLEGAL_PAYMENT_TRANSITION",
            )
        if status is PaymentStatus.CANCELLED:
            if reason is None:
                raise ValueError("a cancellation needs a reason")
            return replace(self, status=status, cancellation_reason=reason, updated_at=now)
        if status is PaymentStatus.SUCCEEDED:
            return self._succeeded(now, captured)
        return replace(self, status=status, updated_at=now)

    def _succeeded(self, now: datetime, captured: Money | None) -> Payment:
        captured = self.amount if captured is None else captured
        if captured.currency != self.currency or not 0 < captured.amount_minor <= (
            self.amount.amount_minor
        ):
            raise BusinessRuleViolation(
                "The captured amount must be positive and at most the payment amount.",
                code="INVALID_CAPTURE_AMOUNT",
            )
        return replace(
            self,
            status=PaymentStatus.SUCCEEDED,
            captured_amount=captured,
            succeeded_at=now,
            updated_at=now,
        )

    def authorize(self, now: datetime) -> Payment:
        """The provider holds the money and waits for our capture (two-step payments)."""
        return self.transition_to(PaymentStatus.WAITING_FOR_CAPTURE, now)

    def succeed(self, now: datetime, captured: Money | None = None) -> Payment:
        return self.transition_to(PaymentStatus.SUCCEEDED, now, captured=captured)

    def cancel(self, reason: CancellationReason, now: datetime) -> Payment:
        return self.transition_to(PaymentStatus.CANCELLED, now, reason=reason)

    def hold(self, now: datetime) -> Payment:
        """A fraud rule holds the payment for an admin's decision."""
        return self.transition_to(PaymentStatus.ON_HOLD, now)

    def release_hold(self, now: datetime) -> Payment:
        """The admin released a held payment: it goes on to the provider."""
        if self.status is not PaymentStatus.ON_HOLD:
            raise BusinessRuleViolation(
                f"A {self.status.value} payment is not on hold.", code="ILLEGAL_PAYMENT_TRANSITION"
            )
        return self.transition_to(PaymentStatus.PENDING, now)

    def expire_if_due(self, now: datetime) -> Payment:
        """A pending payment not confirmed by ``expires_at`` is cancelled; nothing else changes."""
        if self.status is PaymentStatus.PENDING and now >= self.expires_at:
            return self.cancel(CancellationReason.EXPIRED_ON_CONFIRMATION, now)
        return self

    def apply_provider_status(
        self,
        reported: str | PaymentStatus,
        now: datetime,
        *,
        reason: str | CancellationReason | None = None,
        captured: Money | None = None,
    ) -> Payment:
        """Apply what a provider says (webhook or GET). A report behind the payment's own state
        (``pending`` after ``succeeded``, anything but a decision while on hold) is stale and
        ignored; a contradicting final state (``cancelled`` after ``succeeded``) is refused."""
        status = reported if isinstance(reported, PaymentStatus) else status_from_provider(reported)
        held_and_not_decided = self.status is PaymentStatus.ON_HOLD and status not in (
            FINAL_STATUSES
        )
        if _PROGRESS[status] < _PROGRESS[self.status] or held_and_not_decided:
            return self
        mapped_reason = None
        if status is PaymentStatus.CANCELLED:
            mapped_reason = (
                reason
                if isinstance(reason, CancellationReason)
                else cancellation_reason_from_provider(reason)
            )
        return self.transition_to(status, now, reason=mapped_reason, captured=captured)

    # -- facts learned along the way -----------------------------------------------------
    def assign_provider(
        self, provider: Provider, provider_payment_id: str, now: datetime
    ) -> Payment:
        """The provider accepted the payment under its own id (set once; same again is a no-op)."""
        if self.provider is provider and self.provider_payment_id == provider_payment_id:
            return self
        if self.provider_payment_id is not None:
            raise BusinessRuleViolation(
                "The payment is already at a provider.", code="PROVIDER_ALREADY_ASSIGNED"
            )
        if self.card_amount.is_zero:
            raise BusinessRuleViolation(
                "A wallet-only payment is not sent to a provider.",
                code="WALLET_NEEDS_NO_PROVIDER",
            )
        return replace(
            self, provider=provider, provider_payment_id=provider_payment_id, updated_at=now
        )

    def learn_method(self, method: PaymentMethod, now: datetime) -> Payment:
        """The user chose a method on the provider's page; a method set before stays."""
        if self.method is not None:
            return self
        return replace(self, method=method, updated_at=now)

    def remember_saved_method(self, saved_method_id: uuid.UUID, now: datetime) -> Payment:
        if self.saved_method_id == saved_method_id:
            return self
        return replace(self, saved_method_id=saved_method_id, updated_at=now)

    def record_refund(self, refunded: Money, now: datetime) -> Payment:
        """A refund of this payment succeeded; never more than what was captured in total."""
        if self.status is not PaymentStatus.SUCCEEDED:
            raise BusinessRuleViolation(
                "Only a succeeded payment can be refunded.", code="PAYMENT_NOT_REFUNDABLE"
            )
        if not refunded.is_positive or refunded > self.refundable_amount:
            raise BusinessRuleViolation(
                "A refund cannot exceed what is left of the captured amount.",
                code="REFUND_EXCEEDS_CAPTURED",
            )
        return replace(self, refunded_amount=self.refunded_amount + refunded, updated_at=now)
