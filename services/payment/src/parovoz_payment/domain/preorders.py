"""Preorders (seed 004 task 16, PRODUCT.md "Payment"): a game not yet released, paid in advance.

A preorder is priced like a game purchase (the price table, in the region's currency) and paid
in one of two ways:

- ``full``: the whole price now (54-FZ ``full_prepayment``);
- ``partial``: a share now (``PreorderRules.partial_share_bp`` of the price, rounded down to
  whole units of the currency, at least ``partial_minimum_minor``; 54-FZ
  ``partial_prepayment``), the remainder charged off-session to the method saved with the
  prepayment when the game is released.

Until the release the money is not a sale: it is the user's advance (the ledger's
``preorder_advance``, a liability). When the game is released and the whole price is paid,
the advance is recognised as a sale (revenue share, ``payment.sale.recorded.v1``).

States::

    awaiting_prepayment → prepaid → (partial, at release) charging_remainder → completed
                                  → (full, at release) completed
                          charging_remainder → payment_failed → charging_remainder (retry)
    any open state → cancelled (by the user, the game unpublished before release, the
    prepayment never paid, the remainder failing every attempt)

``refund_due`` marks a cancelled preorder whose money is still to be returned (by the
``preorders-release`` job, through the refund service). Like :mod:`payments`, a preorder is an
immutable value; every transition returns a new one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from parovoz_kit.errors import BusinessRuleViolation

from parovoz_payment.domain.money import Money

_ATTRIBUTES = "/data/attributes"
#: Namespace of the ids preorders derive (remainder payments, refunds): a retry finds the same.
PREORDER_NAMESPACE = uuid.UUID("0b9b8c3e-3f55-4d7c-8a36-5c1e9a0f7d18")


#: Payment metadata: which part of its preorder a payment pays (``prepayment``|``remainder``),
#: and whether it completes the price (``true``|``false``).
PART_METADATA = "preorder_part"
PAID_IN_FULL_METADATA = "preorder_paid_in_full"
PREPAYMENT_PART, REMAINDER_PART = "prepayment", "remainder"


class PrepaymentKind(StrEnum):
    FULL = "full"
    PARTIAL = "partial"


class PreorderStatus(StrEnum):
    AWAITING_PREPAYMENT = "awaiting_prepayment"
    PREPAID = "prepaid"
    CHARGING_REMAINDER = "charging_remainder"
    PAYMENT_FAILED = "payment_failed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class PreorderCancelReason(StrEnum):
    CANCELLED_BY_USER = "cancelled_by_user"
    GAME_UNPUBLISHED = "game_unpublished"
    PREPAYMENT_FAILED = "prepayment_failed"
    REMAINDER_FAILED = "remainder_failed"


OPEN_STATUSES = frozenset(
    {
        PreorderStatus.AWAITING_PREPAYMENT,
        PreorderStatus.PREPAID,
        PreorderStatus.CHARGING_REMAINDER,
        PreorderStatus.PAYMENT_FAILED,
    }
)
#: What a user (or an unpublication) may cancel: nothing is being charged right now.
_CANCELLABLE = OPEN_STATUSES - {PreorderStatus.CHARGING_REMAINDER}


@dataclass(frozen=True)
class PreorderRules:
    #: The partial prepayment's share of the price, in basis points (2000 = 20 %).
    partial_share_bp: int = 2000
    #: The smallest partial prepayment, in minor units of the preorder's currency.
    partial_minimum_minor: int = 10_000
    #: Off-session attempts at the remainder before the preorder is cancelled and refunded.
    remainder_attempts: int = 3
    #: Time between two attempts at the remainder.
    retry_interval: timedelta = timedelta(days=1)

    def __post_init__(self) -> None:
        if not 0 < self.partial_share_bp < 10_000 or self.partial_minimum_minor < 1:
            raise ValueError("a partial prepayment is a share strictly between 0 and 100 %")
        if self.remainder_attempts < 1:
            raise ValueError("at least one attempt at the remainder")


def prepayment_amount(price: Money, kind: PrepaymentKind, rules: PreorderRules) -> Money:
    """What is paid now: the price, or its share rounded down to whole units (so the
    remainder keeps the price's kopecks), at least the minimum; a partial prepayment that
    would not leave a remainder is refused."""
    if kind is PrepaymentKind.FULL:
        return price
    share = price.amount_minor * rules.partial_share_bp // 10_000
    share = max(share - share % 100, rules.partial_minimum_minor)
    if share >= price.amount_minor:
        raise BusinessRuleViolation(
            "This game's price is too low for a partial prepayment; prepay it in full.",
            code="PARTIAL_PREPAYMENT_UNAVAILABLE",
            pointer=f"{_ATTRIBUTES}/prepayment",
        )
    return Money(share, price.currency)


@dataclass(frozen=True)
class Preorder:
    id: uuid.UUID
    user_id: uuid.UUID
    game_id: uuid.UUID
    region: str
    #: The game's price when preordered: what the preorder costs in total.
    price: Money
    kind: PrepaymentKind
    prepayment: Money
    status: PreorderStatus
    created_at: datetime
    updated_at: datetime
    prepayment_payment_id: uuid.UUID | None = None
    remainder_payment_id: uuid.UUID | None = None
    #: The method the remainder is charged to (saved with the prepayment).
    saved_method_id: uuid.UUID | None = None
    remainder_attempts: int = 0
    next_attempt_at: datetime | None = None
    cancel_reason: PreorderCancelReason | None = None
    refund_due: bool = False
    completed_at: datetime | None = None
    cancelled_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.prepayment.currency != self.price.currency or not (
            0 < self.prepayment.amount_minor <= self.price.amount_minor
        ):
            raise ValueError("a prepayment is a positive part of the price")

    @property
    def remainder(self) -> Money:
        return self.price - self.prepayment

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def remainder_payment_id_for(self, attempt: int) -> uuid.UUID:
        """The payment of the remainder's ``attempt``-th charge: one id per attempt, so a job
        that crashed half-way finds its payment again instead of charging twice."""
        return uuid.uuid5(PREORDER_NAMESPACE, f"preorder:{self.id}:remainder:{attempt}")

    # -- transitions ---------------------------------------------------------------------
    def prepaid(
        self, payment_id: uuid.UUID, saved_method_id: uuid.UUID | None, now: datetime
    ) -> Preorder:
        """The prepayment succeeded (a cancelled preorder now owes it back)."""
        if self.status is PreorderStatus.CANCELLED:
            return replace(self, prepayment_payment_id=payment_id, refund_due=True, updated_at=now)
        if self.status is not PreorderStatus.AWAITING_PREPAYMENT:
            return self
        return replace(
            self,
            status=PreorderStatus.PREPAID,
            prepayment_payment_id=payment_id,
            saved_method_id=saved_method_id,
            updated_at=now,
        )

    def charging(self, payment_id: uuid.UUID, now: datetime) -> Preorder:
        if self.status not in (PreorderStatus.PREPAID, PreorderStatus.PAYMENT_FAILED):
            raise BusinessRuleViolation(
                f"A {self.status.value} preorder is not charged.", code="ILLEGAL_PREORDER_STATE"
            )
        return replace(
            self,
            status=PreorderStatus.CHARGING_REMAINDER,
            remainder_payment_id=payment_id,
            remainder_attempts=self.remainder_attempts + 1,
            next_attempt_at=None,
            updated_at=now,
        )

    def remainder_failed(self, now: datetime, rules: PreorderRules) -> Preorder:
        """An attempt failed: another one later, or (attempts used up) cancelled, refunded."""
        if self.status is not PreorderStatus.CHARGING_REMAINDER:
            return self
        if self.remainder_attempts >= rules.remainder_attempts:
            return self._cancelled(PreorderCancelReason.REMAINDER_FAILED, now)
        return replace(
            self,
            status=PreorderStatus.PAYMENT_FAILED,
            next_attempt_at=now + rules.retry_interval,
            updated_at=now,
        )

    def complete(self, now: datetime) -> Preorder:
        if self.status is PreorderStatus.COMPLETED:
            return self
        if self.status not in (PreorderStatus.PREPAID, PreorderStatus.CHARGING_REMAINDER):
            raise BusinessRuleViolation(
                f"A {self.status.value} preorder cannot complete.", code="ILLEGAL_PREORDER_STATE"
            )
        return replace(self, status=PreorderStatus.COMPLETED, completed_at=now, updated_at=now)

    def cancel(self, reason: PreorderCancelReason, now: datetime) -> Preorder:
        """Cancelled before the release, the money paid owed back (``refund_due``)."""
        if self.status is PreorderStatus.CANCELLED:
            return self
        if self.status not in _CANCELLABLE:
            raise BusinessRuleViolation(
                f"A {self.status.value} preorder can no longer be cancelled.",
                code="PREORDER_NOT_CANCELLABLE",
            )
        return self._cancelled(reason, now)

    def _cancelled(self, reason: PreorderCancelReason, now: datetime) -> Preorder:
        paid = self.status is not PreorderStatus.AWAITING_PREPAYMENT
        return replace(
            self,
            status=PreorderStatus.CANCELLED,
            cancel_reason=reason,
            refund_due=paid,
            next_attempt_at=None,
            cancelled_at=now,
            updated_at=now,
        )

    def refunded(self, now: datetime) -> Preorder:
        return replace(self, refund_due=False, updated_at=now) if self.refund_due else self


def new_preorder(
    *,
    user_id: uuid.UUID,
    game_id: uuid.UUID,
    region: str,
    price: Money,
    kind: PrepaymentKind,
    rules: PreorderRules,
    now: datetime,
    preorder_id: uuid.UUID | None = None,
) -> Preorder:
    if not price.is_positive:
        raise BusinessRuleViolation(
            "A free game needs no preorder.", code="GAME_IS_FREE", pointer=f"{_ATTRIBUTES}/game_id"
        )
    return Preorder(
        id=preorder_id or uuid.uuid4(),
        user_id=user_id,
        game_id=game_id,
        region=region,
        price=price,
        kind=kind,
        prepayment=prepayment_amount(price, kind, rules),
        status=PreorderStatus.AWAITING_PREPAYMENT,
        created_at=now,
        updated_at=now,
    )
