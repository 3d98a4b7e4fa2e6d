"""Events subscription publishes on ``subscription.events.v1``.

The lifecycle of one subscription (PRODUCT.md "Subscription"): ``activated`` (a trial or paid
period starts, or a suspended one is restored), ``renewed`` (the next period is paid, on time or
by a dunning retry), ``payment_failed`` (a charge failed: `pending_payment`, access kept),
``suspended`` (retries exhausted: no access), ``cancelled`` (auto-renewal stopped: access until
the period end), ``expired`` (over). Plus ``subscription.renewal.upcoming.v1`` before a charge.
The (external) notification service tells the user.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal, Self
from uuid import UUID

from pydantic import Field, model_validator

from parovoz_events import example_ids as ids
from parovoz_events.base import EventData, register
from parovoz_events.common import Region, Text, UtcDatetime
from parovoz_events.money import PositiveMoney, rub
from parovoz_events.payment import CancellationReason

PlanType = Literal["basic", "premium", "family", "corporate", "student"]
BillingPeriod = Literal["monthly", "quarterly", "yearly"]

_FACTS: dict[str, object] = {
    "subscription_id": ids.SUBSCRIPTION_ID,
    "user_id": ids.PLAYER_ID,
    "plan_id": ids.PLAN_ID,
    "plan_type": "premium",
    "billing_period": "monthly",
    "region": "RU",
}


class _SubscriptionEvent(EventData):
    topic: ClassVar[str] = "subscription.events.v1"
    producer: ClassVar[str] = "subscription"
    key_field: ClassVar[str] = "subscription_id"
    consumers: ClassVar[tuple[str, ...]] = ("notification",)

    subscription_id: UUID = Field(description="The subscription: the aggregate.")
    user_id: UUID = Field(description="The subscriber (owner of a family or corporate plan).")
    plan_id: UUID = Field(description="The plan subscribed to.")
    plan_type: PlanType = Field(description="Kind of plan.")
    billing_period: BillingPeriod = Field(description="Length of one paid period.")
    region: Region = Field(description="The subscriber's region (prices, catalog).")


def _check_period(start: datetime, end: datetime) -> None:
    if end <= start:
        raise ValueError("a period ends after it starts")


@register
class SubscriptionActivated(_SubscriptionEvent):
    """A subscription became usable: a trial started, a paid period started (new subscription or
    trial converted), or a suspended subscription was restored by a payment."""

    event_type: ClassVar[str] = "subscription.subscription.activated.v1"

    status: Literal["trial", "active"] = Field(description="Status after activation.")
    previous_status: Literal["trial", "suspended"] | None = Field(
        description="Status before; null for a new subscription."
    )
    price: PositiveMoney = Field(
        description="Price of one period (for a trial: what will be charged when it converts)."
    )
    payment_id: UUID | None = Field(description="The payment that activated it; null for a trial.")
    auto_renew: bool = Field(description="Whether the next period will be charged automatically.")
    current_period_start: UtcDatetime = Field(description="Start of the current (trial) period.")
    current_period_end: UtcDatetime = Field(description="End of the current (trial) period.")
    activated_at: UtcDatetime = Field(description="When it was activated.")

    example_data: ClassVar[dict[str, object]] = {
        **_FACTS,
        "status": "active",
        "previous_status": None,
        "price": rub(39900),
        "payment_id": ids.PAYMENT_ID,
        "auto_renew": True,
        "current_period_start": "2025-04-01T10:00:00Z",
        "current_period_end": "2025-05-01T10:00:00Z",
        "activated_at": "2025-04-01T10:00:00Z",
    }

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        _check_period(self.current_period_start, self.current_period_end)
        if self.status == "trial" and (self.payment_id or self.previous_status):
            raise ValueError("a trial starts new, without a payment")
        if self.status == "active" and self.payment_id is None:
            raise ValueError("a paid activation names its payment")
        return self


@register
class SubscriptionRenewed(_SubscriptionEvent):
    """The next period was paid: on time (attempt 1) or by a dunning retry, which also brings a
    `pending_payment` subscription back to `active`."""

    event_type: ClassVar[str] = "subscription.subscription.renewed.v1"

    payment_id: UUID = Field(description="The payment of the period.")
    amount: PositiveMoney = Field(description="Amount charged.")
    attempt: int = Field(
        ge=1, le=4, description="1 on time; 2 to 4 the retries at +1, +3, +7 days."
    )
    period_start: UtcDatetime = Field(description="Start of the paid period.")
    period_end: UtcDatetime = Field(description="End of the paid period.")
    renewed_at: UtcDatetime = Field(description="When the charge succeeded.")

    example_data: ClassVar[dict[str, object]] = {
        **_FACTS,
        "payment_id": ids.PAYMENT_ID,
        "amount": rub(39900),
        "attempt": 1,
        "period_start": "2025-05-01T10:00:00Z",
        "period_end": "2025-06-01T10:00:00Z",
        "renewed_at": "2025-05-01T10:00:04Z",
    }

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        _check_period(self.period_start, self.period_end)
        return self


@register
class SubscriptionPaymentFailed(_SubscriptionEvent):
    """A renewal charge failed. The subscription is `pending_payment` with access kept (grace)
    until the next retry; after the last one it is suspended."""

    event_type: ClassVar[str] = "subscription.subscription.payment_failed.v1"

    payment_id: UUID | None = Field(
        description="The cancelled payment; null when payment refused the charge outright "
        "(e.g. the saved method was revoked)."
    )
    amount: PositiveMoney = Field(description="Amount that could not be charged.")
    attempt: int = Field(ge=1, le=4, description="Which attempt failed (1 = on time).")
    failure_reason: CancellationReason = Field(description="payment's reason.")
    next_retry_at: UtcDatetime | None = Field(
        description="When the next attempt runs; null after the last one (suspension follows)."
    )
    failed_at: UtcDatetime = Field(description="When the attempt failed.")

    example_data: ClassVar[dict[str, object]] = {
        **_FACTS,
        "payment_id": ids.PAYMENT_ID,
        "amount": rub(39900),
        "attempt": 1,
        "failure_reason": "insufficient_funds",
        "next_retry_at": "2025-07-02T10:00:00Z",
        "failed_at": "2025-07-01T10:00:03Z",
    }


@register
class SubscriptionSuspended(_SubscriptionEvent):
    """Access stopped: the last retry failed (or the platform suspended it). A payment restores
    it; otherwise it expires 30 days later."""

    event_type: ClassVar[str] = "subscription.subscription.suspended.v1"

    reason: Literal["payment_failed", "platform_decision"] = Field(description="Why.")
    suspended_at: UtcDatetime = Field(description="When access stopped.")
    expires_at: UtcDatetime = Field(description="When it expires unless paid (30 days later).")

    example_data: ClassVar[dict[str, object]] = {
        **_FACTS,
        "reason": "payment_failed",
        "suspended_at": "2025-07-08T10:00:00Z",
        "expires_at": "2025-08-07T10:00:00Z",
    }

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        _check_period(self.suspended_at, self.expires_at)
        return self


@register
class SubscriptionCancelled(_SubscriptionEvent):
    """Auto-renewal was stopped. Access lasts until the period end, then the subscription
    expires."""

    event_type: ClassVar[str] = "subscription.subscription.cancelled.v1"

    cancelled_by: Literal["user", "platform"] = Field(description="Who cancelled.")
    reason: Text | None = Field(description="Reason given, if any.")
    cancelled_at: UtcDatetime = Field(description="When it was cancelled.")
    access_ends_at: UtcDatetime = Field(description="End of the paid (or trial) period.")

    example_data: ClassVar[dict[str, object]] = {
        **_FACTS,
        "cancelled_by": "user",
        "reason": None,
        "cancelled_at": "2025-05-20T18:00:00Z",
        "access_ends_at": "2025-06-01T10:00:00Z",
    }


@register
class SubscriptionExpired(_SubscriptionEvent):
    """The subscription is over (final): a cancelled period ended, a trial ended without a saved
    method, a suspension lasted 30 days, its first payment was never made, or a refund ended
    it at once."""

    event_type: ClassVar[str] = "subscription.subscription.expired.v1"

    previous_status: Literal[
        "incomplete", "trial", "active", "pending_payment", "suspended", "cancelled"
    ] = Field(
        description="Status it expired from: `incomplete` when the first payment was not made, "
        "`active` / `pending_payment` / `cancelled` when a refund ended it at once."
    )
    expired_at: UtcDatetime = Field(description="When it expired.")

    example_data: ClassVar[dict[str, object]] = {
        **_FACTS,
        "previous_status": "cancelled",
        "expired_at": "2025-06-01T10:00:00Z",
    }


@register
class RenewalUpcoming(_SubscriptionEvent):
    """A renewal charge (or a trial's conversion) is coming. The user is reminded, and asked to
    add a card when none is saved."""

    event_type: ClassVar[str] = "subscription.renewal.upcoming.v1"

    renews_at: UtcDatetime = Field(description="When the charge will run (the period end).")
    amount: PositiveMoney = Field(description="Amount that will be charged.")
    has_saved_method: bool = Field(
        description="False when no payment method is saved: without one the trial or "
        "subscription will expire instead."
    )

    example_data: ClassVar[dict[str, object]] = {
        **_FACTS,
        "renews_at": "2025-06-01T10:00:00Z",
        "amount": rub(39900),
        "has_saved_method": True,
    }


@register
class SubscriptionPlanChanged(_SubscriptionEvent):
    """The subscriber changed plan or billing period. An upgrade applies at once (the price
    difference for the unused part of the period charged now, the period end unchanged); a
    downgrade or a change of billing period is scheduled for the period end (nothing charged
    now). The facts name the plan before the change."""

    event_type: ClassVar[str] = "subscription.subscription.plan_changed.v1"

    new_plan_id: UUID = Field(description="The plan after the change.")
    new_plan_type: PlanType = Field(description="Kind of the new plan.")
    new_billing_period: BillingPeriod = Field(description="Billing period after the change.")
    timing: Literal["now", "period_end"] = Field(
        description="`now`: applied at once; `period_end`: scheduled for the period end."
    )
    effective_at: UtcDatetime = Field(description="When the new plan applies.")
    charged: PositiveMoney | None = Field(
        description="Charged now for the rest of the period; null when nothing was charged."
    )
    payment_id: UUID | None = Field(description="The payment of `charged`; null without one.")
    new_price: PositiveMoney = Field(description="Price of one period from the next period.")
    changed_at: UtcDatetime = Field(description="When the subscriber changed it.")

    example_data: ClassVar[dict[str, object]] = {
        **_FACTS,
        "new_plan_id": ids.PLAN_ID,
        "new_plan_type": "family",
        "new_billing_period": "monthly",
        "timing": "now",
        "effective_at": "2025-05-16T10:00:00Z",
        "charged": rub(15000),
        "payment_id": ids.PAYMENT_ID,
        "new_price": rub(69900),
        "changed_at": "2025-05-16T10:00:00Z",
    }

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if (self.charged is None) != (self.payment_id is None):
            raise ValueError("a charge names its payment, and only a charge does")
        if self.timing == "period_end" and self.charged is not None:
            raise ValueError("a change at the period end charges nothing now")
        return self


# --- plans --------------------------------------------------------------------------------------
class _PlanEvent(EventData):
    topic: ClassVar[str] = "subscription.events.v1"
    producer: ClassVar[str] = "subscription"
    key_field: ClassVar[str] = "plan_id"
    consumers: ClassVar[tuple[str, ...]] = ("notification",)

    plan_id: UUID = Field(description="The plan: the aggregate.")
    plan_type: PlanType = Field(description="Kind of plan.")


@register
class PlanPriceChanged(_PlanEvent):
    """A plan's price in one region and period changed. New subscribers pay it at once;
    existing subscribers from their first period starting on or after
    `effective_for_existing_subscribers_from` (30 days' notice). The notification service
    tells the plan's subscribers in that region."""

    event_type: ClassVar[str] = "subscription.plan.price_changed.v1"

    region: Region = Field(description="Region of the price (ISO 3166-1 alpha-2).")
    billing_period: BillingPeriod = Field(description="Billing period of the price.")
    old_price: PositiveMoney = Field(description="Price of one period before the change.")
    new_price: PositiveMoney = Field(description="Price of one period after the change.")
    effective_for_new_subscribers_at: UtcDatetime = Field(
        description="From when new subscribers pay the new price (the change itself)."
    )
    effective_for_existing_subscribers_from: UtcDatetime = Field(
        description="Existing subscribers pay the new price for periods starting at or after "
        "this instant."
    )
    changed_at: UtcDatetime = Field(description="When the admin changed the price.")

    example_data: ClassVar[dict[str, object]] = {
        "plan_id": ids.PLAN_ID,
        "plan_type": "premium",
        "region": "RU",
        "billing_period": "monthly",
        "old_price": rub(39900),
        "new_price": rub(44900),
        "effective_for_new_subscribers_at": "2025-04-01T10:00:00Z",
        "effective_for_existing_subscribers_from": "2025-05-01T10:00:00Z",
        "changed_at": "2025-04-01T10:00:00Z",
    }

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.old_price.currency != self.new_price.currency:
            raise ValueError("a region's price keeps its currency")
        if self.effective_for_existing_subscribers_from < self.effective_for_new_subscribers_at:
            raise ValueError("existing subscribers never pay a new price before new ones")
        return self


@register
class PlanCatalogRemovalAnnounced(_PlanEvent):
    """A game will leave a plan's catalog at `effective_at` (at least 14 days after the
    announcement); until then the plan's subscribers keep access. The notification service
    tells them; re-including the game before then cancels the removal."""

    event_type: ClassVar[str] = "subscription.plan.catalog_removal_announced.v1"

    game_id: UUID = Field(description="The game leaving the catalog.")
    announced_at: UtcDatetime = Field(description="When the removal was announced.")
    effective_at: UtcDatetime = Field(description="When the game leaves the catalog.")

    example_data: ClassVar[dict[str, object]] = {
        "plan_id": ids.PLAN_ID,
        "plan_type": "premium",
        "game_id": ids.GAME_ID,
        "announced_at": "2025-04-01T10:00:00Z",
        "effective_at": "2025-04-15T10:00:00Z",
    }

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        _check_period(self.announced_at, self.effective_at)
        return self
