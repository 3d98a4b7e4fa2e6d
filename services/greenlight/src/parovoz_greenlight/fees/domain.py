"""A submission's fee and what payment reports about it (plain Python, no I/O).

A :class:`Fee` is one attempt to take the submission fee (PRODUCT.md: 5,000.00 RUB) through
payment: ``awaiting_payment`` until payment's event settles it ``paid`` or
``payment_cancelled``; a paid fee of a submission withdrawn before voting goes
``refund_pending`` and then ``refunded`` or ``refund_failed``. Its identity for money is
(submission, attempt); the database holds "at most one paid fee per submission".

payment's events arrive as :class:`PaymentReport` / :class:`RefundReport`; a report settles a
fee only when it agrees with it in every reference (:meth:`Fee.mismatch`): the fee's payment,
payer, amount, currency and purpose. A 1.00 RUB payment naming a 5,000.00 RUB fee pays nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from parovoz_kit.errors import Conflict

#: payment's purpose of a fee (payment's own vocabulary, lower case).
FEE_PURPOSE = "greenlight_fee"
_REFERENCE_PREFIX = "greenlight-fee"


class FeeStatus(StrEnum):
    AWAITING_PAYMENT = "awaiting_payment"
    PAID = "paid"
    PAYMENT_CANCELLED = "payment_cancelled"
    REFUND_PENDING = "refund_pending"
    REFUNDED = "refunded"
    REFUND_FAILED = "refund_failed"


F = FeeStatus

#: The allowed moves of a fee; anything else is refused (:class:`FeeTransitionRefused`).
#: A refund outcome may overtake the commit that recorded the request (payment refunds a
#: withdrawn submission's fee at once), so ``paid`` may settle a refund directly.
FEE_TRANSITIONS: dict[FeeStatus, frozenset[FeeStatus]] = {
    F.AWAITING_PAYMENT: frozenset({F.PAID, F.PAYMENT_CANCELLED}),
    F.PAID: frozenset({F.REFUND_PENDING, F.REFUNDED, F.REFUND_FAILED}),
    F.PAYMENT_CANCELLED: frozenset(),
    F.REFUND_PENDING: frozenset({F.REFUNDED, F.REFUND_FAILED}),
    F.REFUNDED: frozenset(),
    F.REFUND_FAILED: frozenset(),
}

#: Fees whose money payment holds (or held): the submission's fee counts as paid.
MONEY_TAKEN = frozenset({F.PAID, F.REFUND_PENDING, F.REFUND_FAILED, F.REFUNDED})


class FeeTransitionRefused(Conflict):
    def __init__(self, current: FeeStatus, target: FeeStatus) -> None:
        super().__init__(
            f"A fee in status {current.value} cannot become {target.value}.",
            code="FEE_STATUS_CONFLICT",
            detail_ru=f"Взнос в статусе {current.value} не может перейти в {target.value}.",
        )
        self.current, self.target = current, target


def fee_reference(fee_id: uuid.UUID) -> str:
    """The ``reference`` sent to payment for a fee; payment's events echo it back."""
    return f"{_REFERENCE_PREFIX}:{fee_id}"


def fee_id_from_reference(reference: str | None) -> uuid.UUID | None:
    """The fee a payment reference names, or None for anything that is not a fee."""
    prefix, _, rest = (reference or "").partition(":")
    if prefix != _REFERENCE_PREFIX:
        return None
    try:
        return uuid.UUID(rest)
    except ValueError:
        return None


@dataclass(frozen=True)
class PaymentReport:
    """payment's final word on a payment (from its event or read back)."""

    payment_id: uuid.UUID
    succeeded: bool
    user_id: uuid.UUID
    amount_minor: int
    currency: str
    purpose: str
    reference: str | None
    #: payment's cancellation reason when not succeeded (``expired_on_confirmation``...).
    cancellation_reason: str | None = None


@dataclass(frozen=True)
class RefundReport:
    """payment's final word on a refund of a fee's payment."""

    refund_id: uuid.UUID
    payment_id: uuid.UUID
    succeeded: bool
    user_id: uuid.UUID
    amount_minor: int
    currency: str
    purpose: str
    reference: str | None
    failure_reason: str | None = None


@dataclass
class Fee:
    """One attempt to take a submission's fee from the developer who submitted it."""

    id: uuid.UUID
    submission_id: uuid.UUID
    user_id: uuid.UUID
    attempt: int
    amount_minor: int
    currency: str
    status: FeeStatus
    created_at: datetime
    updated_at: datetime
    payment_id: uuid.UUID | None = None
    confirmation_url: str | None = None
    refund_id: uuid.UUID | None = None

    @property
    def reference(self) -> str:
        return fee_reference(self.id)

    @property
    def payment_key(self) -> str:
        """payment's idempotency key of this attempt's payment: one payment, whatever retries."""
        return f"greenlight-fee-{self.id}"

    @property
    def refund_key(self) -> str:
        """payment's idempotency key of this fee's refund: a fee is refunded once."""
        return f"greenlight-fee-refund-{self.id}"

    def move(self, target: FeeStatus, now: datetime) -> None:
        if target not in FEE_TRANSITIONS[self.status]:
            raise FeeTransitionRefused(self.status, target)
        self.status = target
        self.updated_at = now
        if target is not F.AWAITING_PAYMENT:
            self.confirmation_url = None

    def started(self, payment_id: uuid.UUID, confirmation_url: str | None, now: datetime) -> None:
        """payment created the attempt's payment."""
        self.payment_id, self.confirmation_url, self.updated_at = (
            payment_id,
            confirmation_url,
            now,
        )

    def mismatch(self, report: PaymentReport | RefundReport) -> str | None:
        """Why ``report`` cannot be about this fee (for the log), or None when it agrees in
        payment, payer, purpose, currency and amount (a refund gives back the whole fee)."""
        if report.reference != self.reference:
            return "reference"
        if self.payment_id is None or report.payment_id != self.payment_id:
            return "payment_id"
        if report.user_id != self.user_id:
            return "user_id"
        if report.purpose != FEE_PURPOSE:
            return "purpose"
        if report.currency != self.currency:
            return "currency"
        if report.amount_minor != self.amount_minor:
            return "amount"
        if (
            isinstance(report, RefundReport)
            and self.refund_id is not None
            and report.refund_id != self.refund_id
        ):
            return "refund_id"
        return None
