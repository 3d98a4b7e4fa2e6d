"""Refunds (PRODUCT.md "Refunds"): full or partial, several partials up to the captured amount.

``requires_review`` (an admin decides) → ``pending`` (sent) → ``succeeded`` | ``failed``.
Games are refunded automatically within 14 days of purchase, a greenlight fee when the
submission was withdrawn before voting; everything else waits for an admin.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import TypedDict, Unpack

from parovoz_kit.errors import BusinessRuleViolation, ValidationFailed

from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose, PaymentStatus
from parovoz_payment.domain.payments import Payment
from parovoz_payment.domain.wallet import Wallet, format_amount

_ATTRIBUTES = "/data/attributes"


class RefundStatus(StrEnum):
    REQUIRES_REVIEW = "requires_review"
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class RefundDestination(StrEnum):
    #: Back where the money came from: the card part to the card, the wallet part to the wallet.
    ORIGINAL_METHOD = "original_method"
    WALLET = "wallet"


class RefundReason(StrEnum):
    CUSTOMER_REQUEST = "customer_request"
    SUBMISSION_WITHDRAWN = "submission_withdrawn"
    SUBSCRIPTION_ADJUSTMENT = "subscription_adjustment"
    PREORDER_CANCELLED = "preorder_cancelled"
    DUPLICATE = "duplicate"
    FRAUD = "fraud"
    OTHER = "other"
    #: Payment's own: the part of a top-up past the wallet cap (owed on ``refunds_payable``)
    #: goes back to the card. Never accepted from a caller.
    WALLET_CAP_OVERFLOW = "wallet_cap_overflow"


class ReviewDecision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


REFUND_TRANSITIONS: Mapping[RefundStatus, frozenset[RefundStatus]] = MappingProxyType(
    {
        RefundStatus.REQUIRES_REVIEW: frozenset({RefundStatus.PENDING, RefundStatus.FAILED}),
        RefundStatus.PENDING: frozenset({RefundStatus.SUCCEEDED, RefundStatus.FAILED}),
        RefundStatus.SUCCEEDED: frozenset(),
        RefundStatus.FAILED: frozenset(),
    }
)


@dataclass(frozen=True)
class RefundRules:
    #: Games (and preorders) are refunded without review within this time of the purchase.
    automatic_window: timedelta = timedelta(days=14)
    automatic_purposes: frozenset[PaymentPurpose] = frozenset(
        {PaymentPurpose.GAME_PURCHASE, PaymentPurpose.PREORDER}
    )


class _Outcome(TypedDict, total=False):
    """What a refund's move may set beside its status and time."""

    review_decision: ReviewDecision
    decided_by: str
    failure_reason: str
    succeeded_at: datetime


@dataclass(frozen=True)
class Refund:
    id: uuid.UUID
    payment_id: uuid.UUID
    user_id: uuid.UUID
    amount: Money
    reason: RefundReason
    status: RefundStatus
    #: Where the money goes (``original_method`` when the wallet cap forced a fallback).
    destination: RefundDestination
    requested_destination: RefundDestination
    #: ``amount`` split: what returns to the payment method at the provider, what to the wallet.
    to_method: Money
    to_wallet: Money
    created_at: datetime
    updated_at: datetime
    requested_by: str | None = None
    comment: str | None = None
    review_decision: ReviewDecision | None = None
    decided_by: str | None = None
    failure_reason: str | None = None
    succeeded_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.to_method + self.to_wallet != self.amount or self.to_method.amount_minor < 0:
            raise ValueError("a refund's parts are non-negative and sum to its amount")

    @property
    def is_final(self) -> bool:
        return not REFUND_TRANSITIONS[self.status]

    def audit_state(self) -> dict[str, object]:
        """The whole refund as the audit log shows it (an entry's ``before`` and ``after``)."""
        return {
            "payment_id": str(self.payment_id),
            "user_id": str(self.user_id),
            "status": self.status.value,
            "amount_minor": self.amount.amount_minor,
            "to_method_minor": self.to_method.amount_minor,
            "to_wallet_minor": self.to_wallet.amount_minor,
            "currency": self.amount.currency,
            "destination": self.destination.value,
            "requested_destination": self.requested_destination.value,
            "reason": self.reason.value,
            "requested_by": self.requested_by,
            "comment": self.comment,
            "review_decision": None if self.review_decision is None else self.review_decision.value,
            "decided_by": self.decided_by,
            "failure_reason": self.failure_reason,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "succeeded_at": None if self.succeeded_at is None else self.succeeded_at.isoformat(),
        }

    @property
    def fell_back_to_original_method(self) -> bool:
        return self.destination is not self.requested_destination

    def _move(self, status: RefundStatus, now: datetime, **changes: Unpack[_Outcome]) -> Refund:
        if status is self.status:
            return self  # the same outcome reported twice (webhooks) changes nothing
        if status not in REFUND_TRANSITIONS[self.status]:
            raise BusinessRuleViolation(
                f"A {self.status.value} refund cannot become {status.value}.",
                code="ILLEGAL_REFUND_TRANSITION",
            )
        return replace(self, status=status, updated_at=now, **changes)

    def decide(
        self, decision: ReviewDecision, admin: str, now: datetime, comment: str | None = None
    ) -> Refund:
        """An admin's decision on a refund in review; the same decision again is a no-op."""
        if self.review_decision is decision:
            return self
        if self.status is not RefundStatus.REQUIRES_REVIEW:
            raise BusinessRuleViolation(
                f"A {self.status.value} refund is not waiting for a review.",
                code="ILLEGAL_REFUND_TRANSITION",
            )
        if decision is ReviewDecision.APPROVE:
            return self._move(RefundStatus.PENDING, now, review_decision=decision, decided_by=admin)
        why = f"Rejected by an admin: {comment}" if comment else "Rejected by an admin."
        return self._move(
            RefundStatus.FAILED,
            now,
            review_decision=decision,
            decided_by=admin,
            failure_reason=why,
        )

    def approve(self, admin: str, now: datetime) -> Refund:
        return self.decide(ReviewDecision.APPROVE, admin, now)

    def reject(self, admin: str, now: datetime, comment: str | None = None) -> Refund:
        return self.decide(ReviewDecision.REJECT, admin, now, comment)

    def succeed(self, now: datetime) -> Refund:
        return self._move(RefundStatus.SUCCEEDED, now, succeeded_at=now)

    def fail(self, failure_reason: str, now: datetime) -> Refund:
        """The provider refused it (an admin's rejection goes through :meth:`decide`)."""
        if self.status is RefundStatus.REQUIRES_REVIEW:
            raise BusinessRuleViolation(
                "A refund in review is rejected by an admin, not failed.",
                code="ILLEGAL_REFUND_TRANSITION",
            )
        return self._move(RefundStatus.FAILED, now, failure_reason=failure_reason or "Failed.")


def plan_refund(
    payment: Payment,
    amount: Money | None,
    now: datetime,
    *,
    reason: RefundReason,
    wallet: Wallet,
    destination: RefundDestination = RefundDestination.ORIGINAL_METHOD,
    purchased_at: datetime | None = None,
    in_flight: Money | None = None,
    submission_withdrawn_before_voting: bool = False,
    approved_by_admin: bool = False,
    requested_by: str | None = None,
    comment: str | None = None,
    rules: RefundRules | None = None,
    refund_id: uuid.UUID | None = None,
) -> Refund:
    """A new refund of ``payment`` (``amount`` None = all that is left).

    ``in_flight`` is the sum of this payment's refunds still in review or pending, so parallel
    partials cannot promise more than was captured; ``wallet`` is the payer's wallet now.
    """
    rules = rules or RefundRules()
    if payment.status is not PaymentStatus.SUCCEEDED:
        raise BusinessRuleViolation(
            f"A {payment.status.value} payment cannot be refunded.", code="PAYMENT_NOT_REFUNDABLE"
        )
    requested = payment.refunded_amount + (in_flight or Money.zero(payment.currency))
    left = payment.captured_amount - requested
    amount = _checked_amount(payment, amount, left)
    to_method, to_wallet, effective = _route(payment, amount, requested, destination, wallet)
    if to_wallet.is_positive and not wallet.can_receive(to_wallet):
        raise BusinessRuleViolation(
            f"{format_amount(to_wallet)} of this refund belongs to the wallet, which would pass "
            "its balance cap; an admin has to settle it.",
            code="REFUND_WOULD_EXCEED_WALLET_CAP",
        )
    automatic = approved_by_admin or _is_automatic(
        payment, now, purchased_at, submission_withdrawn_before_voting, rules
    )
    return Refund(
        id=refund_id or uuid.uuid4(),
        payment_id=payment.id,
        user_id=payment.user_id,
        amount=amount,
        reason=reason,
        status=RefundStatus.PENDING if automatic else RefundStatus.REQUIRES_REVIEW,
        destination=effective,
        requested_destination=destination,
        to_method=to_method,
        to_wallet=to_wallet,
        created_at=now,
        updated_at=now,
        requested_by=requested_by,
        comment=comment,
    )


def _checked_amount(payment: Payment, amount: Money | None, left: Money) -> Money:
    if amount is None:
        if not left.is_positive:
            raise BusinessRuleViolation(
                "Everything captured is already refunded or being refunded.",
                code="REFUND_EXCEEDS_CAPTURED",
            )
        return left
    if amount.currency != payment.currency:
        raise BusinessRuleViolation(
            f"The payment is in {payment.currency}, not {amount.currency}.",
            code="CURRENCY_MISMATCH",
            pointer=f"{_ATTRIBUTES}/currency",
        )
    if not amount.is_positive:
        raise ValidationFailed(
            "A refund amount is positive.", code="INVALID_AMOUNT", pointer=f"{_ATTRIBUTES}/amount"
        )
    if amount > left:
        raise BusinessRuleViolation(
            f"At most {format_amount(left)} of this payment can still be refunded.",
            code="REFUND_EXCEEDS_CAPTURED",
            pointer=f"{_ATTRIBUTES}/amount",
        )
    return amount


def _route(
    payment: Payment,
    amount: Money,
    already_requested: Money,
    destination: RefundDestination,
    wallet: Wallet,
) -> tuple[Money, Money, RefundDestination]:
    """(to method, to wallet, effective destination). The wallet takes it all if it fits under
    the cap; otherwise, and for the original method, the card part is returned first (the
    wallet part of a split payment goes back to the wallet)."""
    nothing = Money.zero(payment.currency)
    # Refunding a top-up into the wallet it topped up would be a no-op.
    if destination is RefundDestination.WALLET and (
        payment.purpose is not PaymentPurpose.WALLET_TOP_UP and wallet.can_receive(amount)
    ):
        return nothing, amount, RefundDestination.WALLET
    # Gift cards are prepaid like the wallet: their part is never returned to the card (it
    # goes to the wallet, the card part being used up first).
    card_captured = payment.captured_amount - payment.wallet_amount - payment.gift_card_amount
    card_captured = card_captured if card_captured.is_positive else nothing
    card_used = already_requested if already_requested < card_captured else card_captured
    card_left = card_captured - card_used
    to_method = amount if amount < card_left else card_left
    return to_method, amount - to_method, RefundDestination.ORIGINAL_METHOD


def _is_automatic(
    payment: Payment,
    now: datetime,
    purchased_at: datetime | None,
    submission_withdrawn_before_voting: bool,
    rules: RefundRules,
) -> bool:
    if payment.purpose is PaymentPurpose.GREENLIGHT_FEE:
        return submission_withdrawn_before_voting
    if payment.purpose in rules.automatic_purposes:
        bought = purchased_at or payment.succeeded_at or payment.created_at
        return now - bought <= rules.automatic_window
    return False
