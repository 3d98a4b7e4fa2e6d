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

import functools
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, available_timezones

from parovoz_kit.errors import BusinessRuleViolation, Conflict, NotFound, ValidationFailed
from parovoz_kit.keyset import keyset_cursor, keyset_position


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
#: - cancelled -> active: resumed before the period end (or paid again); -> trial: a cancelled
#:   trial resumed before the trial's end (it stays a trial: nothing was paid); -> expired.
#: - incomplete -> active: the first payment succeeded; -> expired: it was cancelled or never made.
TRANSITIONS: dict[SubscriptionStatus, frozenset[SubscriptionStatus]] = {
    S.INCOMPLETE: frozenset({S.ACTIVE, S.EXPIRED}),
    S.TRIAL: frozenset({S.ACTIVE, S.CANCELLED, S.EXPIRED}),
    S.ACTIVE: frozenset({S.PENDING_PAYMENT, S.CANCELLED, S.EXPIRED}),
    S.PENDING_PAYMENT: frozenset({S.ACTIVE, S.SUSPENDED, S.CANCELLED, S.EXPIRED}),
    S.SUSPENDED: frozenset({S.ACTIVE, S.EXPIRED}),
    S.CANCELLED: frozenset({S.ACTIVE, S.TRIAL, S.EXPIRED}),
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
    ``grace_until`` when leaving ``pending_payment``; a move back to ``active`` or ``trial``
    turns auto-renewal on again.
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
    elif target in (S.ACTIVE, S.TRIAL):
        subscription.suspended_at = None
        subscription.cancelled_at = None
        subscription.cancellation_reason = None
        subscription.auto_renew = True
    subscription.status = target
    subscription.updated_at = now


# --- errors of the context --------------------------------------------------------------------


def subscription_not_found(subscription_id: uuid.UUID) -> NotFound:
    """Unknown, or someone else's: the same answer (no existence leak)."""
    return NotFound(
        f"Subscription {subscription_id} not found.",
        detail_ru=f"Подписка {subscription_id} не найдена.",
        code="SUBSCRIPTION_NOT_FOUND",
    )


def subscription_already_exists(plan_type: PlanType) -> Conflict:
    return Conflict(
        f"You already have a live {plan_type.value} subscription.",
        detail_ru=f"У вас уже есть действующая подписка типа {plan_type.value}.",
        code="SUBSCRIPTION_ALREADY_EXISTS",
    )


# --- creation, cancellation and resumption -----------------------------------------------------


@dataclass(frozen=True)
class Terms:
    """What a new subscriber buys: the plan's offer in one region and period (from plans)."""

    plan_id: uuid.UUID
    plan_type: PlanType
    billing_period: BillingPeriod
    region: str
    currency: str
    price_minor: int


@functools.cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def zone_named(name: str, pointer: str | None = None) -> ZoneInfo:
    """The IANA time zone ``name`` (``Europe/Moscow``), or 400 ``INVALID_TIME_ZONE``."""
    if name in _zone_names():
        return ZoneInfo(name)
    raise ValidationFailed(
        f"{name!r} is not an IANA time zone (e.g. Europe/Moscow).",
        detail_ru=f"{name!r} — не часовой пояс IANA (например, Europe/Moscow).",
        code="INVALID_TIME_ZONE",
        pointer=pointer,
    )


def new_trial(
    subscription_id: uuid.UUID,
    user_id: uuid.UUID,
    terms: Terms,
    time_zone: str,
    trial_days: int,
    now: datetime,
) -> Subscription:
    """A subscription that starts as a trial at once: its first period is the trial (anchor now,
    end ``trial_days`` days later, exactly); auto-conversion on."""
    if trial_days <= 0:
        raise ValueError("a trial lasts at least a day")
    end = now + timedelta(days=trial_days)
    return Subscription(
        id=subscription_id,
        user_id=user_id,
        plan_id=terms.plan_id,
        plan_type=terms.plan_type,
        billing_period=terms.billing_period,
        region=terms.region,
        currency=terms.currency,
        price_minor=terms.price_minor,
        status=S.TRIAL,
        auto_renew=True,
        time_zone=time_zone,
        anchor_at=now,
        current_period_start=now,
        current_period_end=end,
        created_at=now,
        updated_at=now,
        trial_end_at=end,
    )


def new_incomplete(
    subscription_id: uuid.UUID,
    user_id: uuid.UUID,
    terms: Terms,
    time_zone: str,
    now: datetime,
) -> Subscription:
    """A paid subscription waiting for its first payment. It has no period yet: start = end =
    creation (no access); billing sets the anchor and the first period when the payment
    succeeds."""
    return Subscription(
        id=subscription_id,
        user_id=user_id,
        plan_id=terms.plan_id,
        plan_type=terms.plan_type,
        billing_period=terms.billing_period,
        region=terms.region,
        currency=terms.currency,
        price_minor=terms.price_minor,
        status=S.INCOMPLETE,
        auto_renew=True,
        time_zone=time_zone,
        anchor_at=now,
        current_period_start=now,
        current_period_end=now,
        created_at=now,
        updated_at=now,
    )


def cancel_subscription(subscription: Subscription, reason: str | None, now: datetime) -> None:
    """Stop auto-renewal: ``cancelled``, access until the current period's end (a trial: its
    end). Only ``trial``, ``active`` and ``pending_payment`` may be cancelled (422
    ``SUBSCRIPTION_STATUS_CONFLICT`` otherwise, e.g. twice)."""
    if subscription.status is S.INCOMPLETE:
        # Allowed by nothing: the first payment may still arrive; billing ends it instead.
        raise SubscriptionTransitionRefused(subscription.status, S.CANCELLED)
    subscription.move(S.CANCELLED, now)
    subscription.cancellation_reason = reason


def resume_subscription(subscription: Subscription, now: datetime) -> None:
    """Turn auto-renewal back on before the period end: a cancelled trial becomes a ``trial``
    again (nothing was paid: it still converts at its end), anything else ``active``. After the
    period end (or from any status but ``cancelled``) 422 ``SUBSCRIPTION_NOT_RESUMABLE``."""
    if subscription.status is not S.CANCELLED or now >= subscription.current_period_end:
        raise BusinessRuleViolation(
            "Only a cancelled subscription whose period has not ended can be resumed "
            f"(status {subscription.status.value}).",
            detail_ru="Возобновить можно только отменённую подписку до конца оплаченного "
            f"периода (статус {subscription.status.value}).",
            code="SUBSCRIPTION_NOT_RESUMABLE",
        )
    in_trial = (
        subscription.trial_end_at is not None
        and subscription.current_period_end <= subscription.trial_end_at
    )
    subscription.move(S.TRIAL if in_trial else S.ACTIVE, now)


# --- lists ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Position:
    """Where a page of a user's subscriptions starts: after the one created at ``created_at``
    with id ``subscription_id`` (newest first; keyset order, stable while new ones arrive)."""

    created_at: datetime
    subscription_id: uuid.UUID

    @classmethod
    def after(cls, subscription: Subscription) -> Position:
        return cls(subscription.created_at, subscription.id)

    def cursor(self) -> str:
        return keyset_cursor(self.created_at, self.subscription_id)

    @classmethod
    def of_cursor(cls, cursor: str, parameter: str = "page[cursor]") -> Position:
        """The position an opaque cursor of a previous page names, or 400
        ``INVALID_PAGE_CURSOR``."""
        return cls(*keyset_position(cursor, parameter=parameter))
