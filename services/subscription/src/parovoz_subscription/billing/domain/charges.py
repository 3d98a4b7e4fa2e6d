"""Charges of a subscription and what payment answers about them (plain Python, no I/O).

A :class:`Charge` is one attempt to take money for a subscription: its first period (``first``),
a renewal (``renewal``, attempt 1 on time, 2..4 the dunning retries), the price difference of an
upgrade (``upgrade``) or the 1.00 RUB authorization that binds a card (``card_check``, given
back by payment itself). Its identity for money is (subscription, period start, kind, attempt);
the database holds "at most one succeeded first/renewal charge per subscription period".

payment's answers arrive as :class:`PaymentOutcome` / :class:`RefundOutcome` (from the gRPC
client or built from payment's events); :class:`Payments` is the port the use cases call.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from parovoz_kit.errors import BusinessRuleViolation


class ChargeKind(StrEnum):
    FIRST = "first"
    RENEWAL = "renewal"
    UPGRADE = "upgrade"
    CARD_CHECK = "card_check"


class ChargeStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REFUNDED = "refunded"


class PaymentPurpose(StrEnum):
    """payment's purposes a subscription starts (payment's own vocabulary, lower case)."""

    SUBSCRIPTION = "subscription"
    CARD_VERIFICATION = "card_verification"


class PaymentState(StrEnum):
    """A payment as billing sees it: waiting, money received, or no money (final)."""

    PENDING = "pending"
    SUCCEEDED = "succeeded"
    CANCELLED = "cancelled"


class RefundState(StrEnum):
    REQUIRES_REVIEW = "requires_review"
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


#: Cancellation reasons of payment that no retry can fix: the card expired, the method was
#: revoked or is unusable (lost, stolen, closed account, permission withdrawn), the user is
#: blocked. The subscriber is asked for a new method instead of being charged again.
HARD_DECLINES = frozenset({"card_expired", "payment_method_unavailable", "user_blocked"})

#: Kinds whose charge pays a subscription period (one succeeded per period, in the database).
PERIOD_KINDS = frozenset({ChargeKind.FIRST, ChargeKind.RENEWAL})


def is_hard_decline(decline_code: str | None) -> bool:
    return decline_code in HARD_DECLINES


def charge_reference(charge_id: uuid.UUID) -> str:
    """The ``reference`` sent to payment for a charge; payment's events echo it back."""
    return f"subscription-charge:{charge_id}"


def charge_id_from_reference(reference: str | None) -> uuid.UUID | None:
    """The charge a payment reference names, or None for anything that is not ours."""
    if not reference:
        return None
    prefix, _, rest = reference.partition(":")
    if prefix != "subscription-charge":
        return None
    try:
        return uuid.UUID(rest)
    except ValueError:
        return None


@dataclass(frozen=True)
class PaymentOutcome:
    """What payment says about one payment (created, charged or read back)."""

    payment_id: uuid.UUID | None
    status: PaymentState
    amount_minor: int
    currency: str
    confirmation_url: str | None = None
    saved_method_id: str | None = None
    #: payment's cancellation reason (lower case, e.g. ``insufficient_funds``) when cancelled.
    decline_code: str | None = None
    hard_decline: bool = False
    user_id: uuid.UUID | None = None
    reference: str | None = None
    purpose: str | None = None
    refunded_minor: int = 0
    succeeded_at: datetime | None = None


@dataclass(frozen=True)
class RefundOutcome:
    refund_id: uuid.UUID
    payment_id: uuid.UUID
    status: RefundState
    amount_minor: int
    currency: str
    failure_reason: str | None = None


class Payments(Protocol):
    """The port to payment (``clients.payment.PaymentClient`` answers it)."""

    async def create_payment(
        self,
        *,
        purpose: PaymentPurpose,
        user_id: uuid.UUID,
        amount_minor: int,
        currency: str,
        reference: str,
        item_name: str,
        region: str,
        description: str,
        return_url: str,
        save_method: bool,
        idempotency_key: str,
        metadata: dict[str, str] | None = None,
    ) -> PaymentOutcome: ...

    async def charge_saved_method(
        self,
        *,
        saved_method_id: str,
        user_id: uuid.UUID,
        amount_minor: int,
        currency: str,
        reference: str,
        item_name: str,
        region: str,
        description: str,
        idempotency_key: str,
        metadata: dict[str, str] | None = None,
    ) -> PaymentOutcome: ...

    async def refund(
        self,
        *,
        payment_id: uuid.UUID,
        amount_minor: int | None,
        currency: str,
        idempotency_key: str,
        requested_by: str,
        comment: str | None = None,
    ) -> RefundOutcome: ...

    async def get_payment(self, payment_id: uuid.UUID) -> PaymentOutcome: ...


@dataclass
class Charge:
    """One attempt to take money for a subscription (see the module docstring).

    ``refunded_minor`` is what has been asked back from payment so far (refunds in review,
    pending or done); the charge becomes ``refunded`` once payment reports all of it returned.
    """

    id: uuid.UUID
    subscription_id: uuid.UUID
    user_id: uuid.UUID
    kind: ChargeKind
    period_start: datetime
    period_end: datetime
    attempt: int
    amount_minor: int
    currency: str
    status: ChargeStatus
    idempotency_key: str
    created_at: datetime
    payment_id: uuid.UUID | None = None
    decline_code: str | None = None
    hard_decline: bool = False
    settled_at: datetime | None = None
    refunded_minor: int = 0

    def __post_init__(self) -> None:
        if self.amount_minor <= 0:
            raise ValueError("a charge takes a positive amount")
        if self.attempt < 1:
            raise ValueError("attempts count from 1")
        if self.period_end < self.period_start:
            raise ValueError("a charge's period ends after it starts")

    @property
    def reference(self) -> str:
        return charge_reference(self.id)

    @property
    def purpose(self) -> PaymentPurpose:
        if self.kind is ChargeKind.CARD_CHECK:
            return PaymentPurpose.CARD_VERIFICATION
        return PaymentPurpose.SUBSCRIPTION

    @property
    def refundable_minor(self) -> int:
        if self.status not in (ChargeStatus.SUCCEEDED, ChargeStatus.REFUNDED):
            return 0
        return self.amount_minor - self.refunded_minor

    def matches(self, outcome: PaymentOutcome) -> bool:
        """True when ``outcome`` is the payment of this charge: same user, amount, currency,
        purpose (and payment, once known). Anything else must never settle it."""
        return (
            outcome.user_id == self.user_id
            and outcome.amount_minor == self.amount_minor
            and outcome.currency == self.currency
            and outcome.purpose == self.purpose.value
            and (self.payment_id is None or outcome.payment_id == self.payment_id)
        )

    def started(self, outcome: PaymentOutcome) -> None:
        """payment has created the payment of this charge (still pending, or settled at once)."""
        if outcome.payment_id is not None:
            self.payment_id = outcome.payment_id

    def settle(self, outcome: PaymentOutcome, now: datetime) -> bool:
        """Apply a final answer of payment; False when nothing changed (already settled the
        same way, or the answer is not final)."""
        if self.status is not ChargeStatus.PENDING:
            return False
        if outcome.status is PaymentState.SUCCEEDED:
            self.status = ChargeStatus.SUCCEEDED
        elif outcome.status is PaymentState.CANCELLED:
            self.status = ChargeStatus.FAILED
            self.decline_code = outcome.decline_code
            self.hard_decline = outcome.hard_decline or is_hard_decline(outcome.decline_code)
        else:
            return False
        if outcome.payment_id is not None:
            self.payment_id = outcome.payment_id
        self.settled_at = now
        return True

    def ask_refund(self, amount_minor: int) -> None:
        """Promise ``amount_minor`` back (asked from payment); refuses more than is left."""
        if amount_minor <= 0 or amount_minor > self.refundable_minor:
            left = format_minor(self.refundable_minor, self.currency)
            raise BusinessRuleViolation(
                f"At most {left} of this charge can be refunded.",
                code="REFUND_EXCEEDS_PAID",
                detail_ru=f"По этому платежу можно вернуть не больше {left}.",
                pointer="/data/attributes/amount_minor",
            )
        self.refunded_minor += amount_minor

    def refund_settled(self, fully_refunded: bool, now: datetime) -> bool:
        """payment returned (part of) this charge's payment; ``refunded`` once nothing is left."""
        if not fully_refunded or self.status is not ChargeStatus.SUCCEEDED:
            return False
        self.status = ChargeStatus.REFUNDED
        self.refunded_minor = self.amount_minor
        return True

    def refund_failed(self, amount_minor: int) -> None:
        """A refund asked for was rejected: its amount is refundable again."""
        self.refunded_minor = max(0, self.refunded_minor - amount_minor)


def format_minor(amount_minor: int, currency: str) -> str:
    """``39900, RUB`` -> ``399.00 RUB`` (integers only: no float near money)."""
    sign = "-" if amount_minor < 0 else ""
    whole, cents = divmod(abs(amount_minor), 100)
    return f"{sign}{whole}.{cents:02d} {currency}"
