"""Payments and their state machine (PRODUCT.md "Payment").

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
from enum import StrEnum
from types import MappingProxyType

from parovoz_kit.errors import BusinessRuleViolation, ValidationFailed

from parovoz_payment.domain.methods import PaymentMethod, Provider
from parovoz_payment.domain.money import Money


class PaymentStatus(StrEnum):
    PENDING = "pending"
    WAITING_FOR_CAPTURE = "waiting_for_capture"
    SUCCEEDED = "succeeded"
    CANCELLED = "cancelled"
    ON_HOLD = "on_hold"


class CancellationReason(StrEnum):
    """Our vocabulary (``parovoz.payment.v1`` and the events); providers' reasons are mapped."""

    EXPIRED_ON_CONFIRMATION = "expired_on_confirmation"
    CARD_EXPIRED = "card_expired"
    INSUFFICIENT_FUNDS = "insufficient_funds"
    FRAUD_SUSPECTED = "fraud_suspected"
    PROVIDER_ERROR = "provider_error"
    THREE_D_SECURE_FAILED = "three_d_secure_failed"
    CARD_DECLINED = "card_declined"
    PAYMENT_METHOD_UNAVAILABLE = "payment_method_unavailable"
    USER_BLOCKED = "user_blocked"
    CANCELLED_BY_USER = "cancelled_by_user"
    CANCELLED_BY_PLATFORM = "cancelled_by_platform"


class PaymentPurpose(StrEnum):
    GAME_PURCHASE = "game_purchase"
    SUBSCRIPTION = "subscription"
    GREENLIGHT_FEE = "greenlight_fee"
    WALLET_TOP_UP = "wallet_top_up"
    GIFT_CARD = "gift_card"
    DONATION = "donation"
    PREORDER = "preorder"
    CARD_VERIFICATION = "card_verification"


# ``on_hold`` is ours alone: no provider reports it.
_PROVIDER_STATUSES = frozenset(
    status.value for status in PaymentStatus if status is not PaymentStatus.ON_HOLD
)


def status_from_provider(raw: str) -> PaymentStatus:
    """A provider's payment status in our spelling (YooKassa says ``canceled``)."""
    normalized = raw.strip().lower().replace("canceled", "cancelled")
    if normalized not in _PROVIDER_STATUSES:
        raise ValidationFailed(
            f"Unknown provider payment status {raw!r}.", code="UNKNOWN_PROVIDER_STATUS"
        )
    return PaymentStatus(normalized)


_R = CancellationReason
#: YooKassa's ``cancellation_details.reason`` → ours
#: (https://yookassa.ru/developers/payments/declined-payments).
YOOKASSA_CANCELLATION_REASONS: Mapping[str, CancellationReason] = MappingProxyType(
    {
        "3d_secure_failed": _R.THREE_D_SECURE_FAILED,
        "call_issuer": _R.CARD_DECLINED,
        "general_decline": _R.CARD_DECLINED,
        "invalid_card_number": _R.CARD_DECLINED,
        "invalid_csc": _R.CARD_DECLINED,
        "card_expired": _R.CARD_EXPIRED,
        "insufficient_funds": _R.INSUFFICIENT_FUNDS,
        "fraud_suspected": _R.FRAUD_SUSPECTED,
        "expired_on_confirmation": _R.EXPIRED_ON_CONFIRMATION,
        # We cancel two-step payments ourselves, and an uncaptured one expiring is our doing too.
        "canceled_by_merchant": _R.CANCELLED_BY_PLATFORM,
        "expired_on_capture": _R.CANCELLED_BY_PLATFORM,
        "payment_method_restricted": _R.PAYMENT_METHOD_UNAVAILABLE,
        "payment_method_limit_exceeded": _R.PAYMENT_METHOD_UNAVAILABLE,
        "permission_revoked": _R.PAYMENT_METHOD_UNAVAILABLE,
        "country_forbidden": _R.PAYMENT_METHOD_UNAVAILABLE,
        "identification_required": _R.PAYMENT_METHOD_UNAVAILABLE,
        "unsupported_mobile_operator": _R.PAYMENT_METHOD_UNAVAILABLE,
        "issuer_unavailable": _R.PROVIDER_ERROR,
        "internal_timeout": _R.PROVIDER_ERROR,
        "deal_expired": _R.PROVIDER_ERROR,
    }
)


def cancellation_reason_from_provider(raw: str | None) -> CancellationReason:
    """A provider's cancellation reason in our vocabulary; unknown or missing → provider_error."""
    if not raw:
        return CancellationReason.PROVIDER_ERROR
    normalized = raw.strip().lower().replace("canceled", "cancelled")
    if normalized in {reason.value for reason in CancellationReason}:
        return CancellationReason(normalized)
    return YOOKASSA_CANCELLATION_REASONS.get(raw.strip().lower(), CancellationReason.PROVIDER_ERROR)


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
