"""A subscription and its state machine (PRODUCT.md "Subscription"): plain Python, no I/O.

States: ``incomplete`` (created, waiting for its first payment: no access; not in PRODUCT.md's
list, which has no name for a paid subscription whose payment has not arrived yet; Stripe
calls it the same), ``trial``, ``active``, ``pending_payment`` (a renewal charge failed: access
kept until ``grace_until``), ``suspended`` (retries exhausted: no access), ``cancelled``
(auto-renewal stopped: access until the period end), ``expired`` (over; final).

Every move goes through :func:`move_subscription`, which refuses a move the table does not allow
with a typed error: nothing silently ignores a wrong state.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from parovoz_kit.errors import BusinessRuleViolation


class PlanType(StrEnum):
    BASIC = "basic"
    PREMIUM = "premium"
    FAMILY = "family"
    CORPORATE = "corporate"
    STUDENT = "student"


class BillingPeriod(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"

    @property
    def months(self) -> int:
        return {"monthly": 1, "quarterly": 3, "yearly": 12}[self.value]


class SubscriptionStatus(StrEnum):
    INCOMPLETE = "incomplete"
    TRIAL = "trial"
    ACTIVE = "active"
    PENDING_PAYMENT = "pending_payment"
    SUSPENDED = "suspended"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


S = SubscriptionStatus

#: The allowed moves. Anything else is refused.
#: - trial -> active: converted (first paid period charged) or paid during the trial;
#:   trial -> cancelled: auto-conversion stopped; trial -> expired: ended without a method.
#: - active -> pending_payment: a renewal charge failed; -> cancelled: auto-renewal stopped;
#:   -> expired: a cancelled period ran out (through cancelled) or a refund/admin ended it.
#: - pending_payment -> active: a retry (or any payment) succeeded; -> suspended: retries
#:   exhausted or a hard decline past the grace; -> cancelled: the user stopped renewal.
#: - suspended -> active: a payment restored it; -> expired: 30 days suspended.
#: - cancelled -> active: resumed before the period end (or paid again); -> expired.
#: - incomplete -> active: the first payment succeeded; -> expired: it was cancelled or never made.
TRANSITIONS: dict[SubscriptionStatus, frozenset[SubscriptionStatus]] = {
    S.INCOMPLETE: frozenset({S.ACTIVE, S.EXPIRED}),
    S.TRIAL: frozenset({S.ACTIVE, S.CANCELLED, S.EXPIRED}),
    S.ACTIVE: frozenset({S.PENDING_PAYMENT, S.CANCELLED, S.EXPIRED}),
    S.PENDING_PAYMENT: frozenset({S.ACTIVE, S.SUSPENDED, S.CANCELLED, S.EXPIRED}),
    S.SUSPENDED: frozenset({S.ACTIVE, S.EXPIRED}),
    S.CANCELLED: frozenset({S.ACTIVE, S.EXPIRED}),
    S.EXPIRED: frozenset(),
}

#: States whose holder may play (until the period end, or ``grace_until`` while pending).
GRANTS_ACCESS = frozenset({S.TRIAL, S.ACTIVE, S.PENDING_PAYMENT, S.CANCELLED})

#: States that still hold the user's place: a second subscription to the same plan type is
#: refused while one of these exists.
LIVE = frozenset({S.INCOMPLETE, S.TRIAL, S.ACTIVE, S.PENDING_PAYMENT, S.SUSPENDED, S.CANCELLED})


class SubscriptionTransitionRefused(BusinessRuleViolation):
    def __init__(self, current: SubscriptionStatus, target: SubscriptionStatus) -> None:
        super().__init__(
            f"A subscription in status {current.value} cannot become {target.value}.",
            code="SUBSCRIPTION_STATUS_CONFLICT",
            detail_ru=f"Подписка в статусе {current.value} не может перейти в {target.value}.",
        )
        self.current, self.target = current, target


@dataclass
class Subscription:
    """One user's subscription to one plan, in one region, billed every ``billing_period``.

    Times are UTC instants. ``anchor_at`` is the start of the first period (or of the trial): every
    period boundary is computed from it in ``time_zone`` (billing's period rule), never by adding
    days to the previous boundary. ``price_minor`` is what one period costs this subscriber now
    (VAT included); a scheduled price change lives in plans.
    """

    id: uuid.UUID
    user_id: uuid.UUID
    plan_id: uuid.UUID
    plan_type: PlanType
    billing_period: BillingPeriod
    region: str
    currency: str
    price_minor: int
    status: SubscriptionStatus
    auto_renew: bool
    time_zone: str
    anchor_at: datetime
    current_period_start: datetime
    current_period_end: datetime
    created_at: datetime
    updated_at: datetime
    trial_end_at: datetime | None = None
    grace_until: datetime | None = None
    suspended_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancellation_reason: str | None = None
    ended_at: datetime | None = None
    saved_method_id: str | None = None
    #: A downgrade (or period change) waiting for the period end: the plan and period then.
    scheduled_plan_id: uuid.UUID | None = None
    scheduled_billing_period: BillingPeriod | None = None
    #: Optimistic concurrency: bumped by every save.
    version: int = 0

    def facts(self) -> dict[str, object]:
        """The fields every ``subscription.*`` event carries (parovoz_events.subscription)."""
        return {
            "subscription_id": self.id,
            "user_id": self.user_id,
            "plan_id": self.plan_id,
            "plan_type": self.plan_type.value,
            "billing_period": self.billing_period.value,
            "region": self.region,
        }

    def move(self, target: SubscriptionStatus, now: datetime) -> None:
        move_subscription(self, target, now)

    def grants_access_at(self, now: datetime) -> bool:
        """Entitlement, not billing: a paid (or trial) period grants access until its end, a
        pending payment until its grace ends, whatever happened to a later charge."""
        if self.status not in GRANTS_ACCESS:
            return False
        if self.status is S.PENDING_PAYMENT and self.grace_until is not None:
            return now < max(self.grace_until, self.current_period_end)
        return now < self.current_period_end

    def access_until(self) -> datetime | None:
        if self.status not in GRANTS_ACCESS:
            return None
        if self.status is S.PENDING_PAYMENT and self.grace_until is not None:
            return max(self.grace_until, self.current_period_end)
        return self.current_period_end


def move_subscription(
    subscription: Subscription, target: SubscriptionStatus, now: datetime
) -> None:
    """Move ``subscription`` to ``target`` or raise :class:`SubscriptionTransitionRefused`.

    Keeps the timestamps that belong to a state: ``suspended_at`` on suspension, ``ended_at`` on
    expiry, ``cancelled_at`` on cancellation (cleared on a move back to ``active``), and clears
    ``grace_until`` when leaving ``pending_payment``.
    """
    current = subscription.status
    if target not in TRANSITIONS[current]:
        raise SubscriptionTransitionRefused(current, target)
    if current is S.PENDING_PAYMENT:
        subscription.grace_until = None
    if target is S.SUSPENDED:
        subscription.suspended_at = now
    elif target is S.EXPIRED:
        subscription.ended_at = now
        subscription.auto_renew = False
    elif target is S.CANCELLED:
        subscription.cancelled_at = now
        subscription.auto_renew = False
    elif target is S.ACTIVE:
        subscription.suspended_at = None
        subscription.cancelled_at = None
        subscription.cancellation_reason = None
        subscription.auto_renew = True
    subscription.status = target
    subscription.updated_at = now
