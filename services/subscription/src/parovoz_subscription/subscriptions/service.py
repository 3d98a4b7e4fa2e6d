"""Subscriptions' use cases: create (a trial when eligible, else the first payment), read, list,
cancel at the period end, resume before it. One async function per action, over the unit of
work; every change names the subscriber for the access cache (``uow.access_changed``)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from parovoz_events.money import Money
from parovoz_events.subscription import SubscriptionActivated, SubscriptionCancelled
from parovoz_kit.errors import Conflict, NotFound

from parovoz_subscription.plans.service import PlanStore, get_plan, plan_for_sale
from parovoz_subscription.ports import UnitOfWorkPort
from parovoz_subscription.subscriptions.domain import (
    BillingPeriod,
    PlanType,
    Position,
    Subscription,
    SubscriptionStatus,
    Terms,
    new_incomplete,
    new_trial,
    subscription_already_exists,
    subscription_not_found,
    zone_named,
)
from parovoz_subscription.subscriptions.domain import (
    cancel_subscription as cancel_in_domain,
)
from parovoz_subscription.subscriptions.domain import (
    resume_subscription as resume_in_domain,
)
from parovoz_subscription.trials.service import Trials, record_trial, trial_eligible


class Subscriptions(Protocol):
    """The storage of subscriptions (``repository.SqlSubscriptions``)."""

    async def get(self, subscription_id: uuid.UUID) -> Subscription | None: ...
    async def get_for_update(self, subscription_id: uuid.UUID) -> Subscription | None: ...
    async def add(self, subscription: Subscription) -> None: ...
    async def save(self, subscription: Subscription) -> None: ...
    async def of_user(
        self,
        user_id: uuid.UUID,
        *,
        statuses: Collection[SubscriptionStatus] = (),
        after: Position | None = None,
        limit: int = 20,
    ) -> list[Subscription]: ...
    async def live_of_user(self, user_id: uuid.UUID) -> list[Subscription]: ...


class SubscriptionsUnitOfWork(UnitOfWorkPort, Protocol):
    """What subscriptions needs of subscription's unit of work (``SqlSubscriptionUnitOfWork``)."""

    @property
    def subscriptions(self) -> Subscriptions: ...
    @property
    def trials(self) -> Trials: ...
    @property
    def plans(self) -> PlanStore: ...


class PaymentStarted(Protocol):
    """What starting the first payment answers (billing's ``ChargeStarted``)."""

    @property
    def confirmation_url(self) -> str | None: ...


#: Starts the first payment of an ``incomplete`` subscription inside the unit of work (billing's
#: ``start_first_payment`` with payment's client bound): the charge row and payment's
#: CreatePayment (a saved method asked for); the subscription becomes active when payment's
#: ``payment.succeeded`` arrives.
FirstPayment = Callable[[SubscriptionsUnitOfWork, Subscription, str], Awaitable[PaymentStarted]]


@dataclass(frozen=True)
class Creation:
    """What a user asks for: ``plan_id`` in ``region`` every ``billing_period``."""

    user_id: uuid.UUID
    plan_id: uuid.UUID
    billing_period: BillingPeriod
    region: str
    #: IANA name, already defaulted (rules.default_time_zone) by the caller.
    time_zone: str
    #: Where payment's confirmation page returns the user (already defaulted).
    return_url: str


@dataclass(frozen=True)
class Created:
    subscription: Subscription
    #: payment's confirmation page of the first payment; None for a trial (nothing to pay yet).
    confirmation_url: str | None


@dataclass(frozen=True)
class TrialEligibility:
    plan_id: uuid.UUID
    plan_type: PlanType
    #: Whether a subscription to the plan created now would start as a trial.
    eligible: bool
    #: The plan's trial length (0: the plan has no trial).
    trial_days: int


@dataclass(frozen=True)
class Page:
    subscriptions: list[Subscription]
    #: Cursor of the next page; None on the last one.
    next_cursor: str | None


def _price(subscription: Subscription) -> Money:
    return Money.model_validate(
        {"amount_minor": subscription.price_minor, "currency": subscription.currency}
    )


async def create_subscription(
    uow: SubscriptionsUnitOfWork,
    first_payment: FirstPayment,
    creation: Creation,
    now: datetime,
    subscription_id: uuid.UUID | None = None,
) -> Created:
    """Subscribe the user to the plan at the price new subscribers pay now.

    A trial at once when the plan has one (``trial_days`` > 0) and the user never had a trial of
    the plan type: ``trial`` for ``trial_days`` days from now, ``activated`` emitted. Otherwise
    ``incomplete`` and the first payment started (its confirmation URL answered). Plans' refusals
    pass through (404 PLAN_NOT_FOUND, 422 PLAN_NOT_AVAILABLE / PLAN_REGION_RESTRICTED); a LIVE
    subscription of the same plan type is 409 SUBSCRIPTION_ALREADY_EXISTS.
    """
    zone_named(creation.time_zone, "/data/attributes/time_zone")
    offer = await plan_for_sale(uow, creation.plan_id, creation.region, creation.billing_period)
    plan = offer.plan
    live = await uow.subscriptions.live_of_user(creation.user_id)
    if any(subscription.plan_type is plan.plan_type for subscription in live):
        raise subscription_already_exists(plan.plan_type)
    terms = Terms(
        plan_id=plan.id,
        plan_type=plan.plan_type,
        billing_period=creation.billing_period,
        region=creation.region,
        currency=offer.currency,
        price_minor=offer.amount_minor,
    )
    new_id = subscription_id or uuid.uuid4()
    if plan.trial_days > 0 and await trial_eligible(uow, creation.user_id, plan.plan_type):
        subscription = new_trial(
            new_id, creation.user_id, terms, creation.time_zone, plan.trial_days, now
        )
        await uow.subscriptions.add(subscription)
        if not await record_trial(
            uow,
            creation.user_id,
            plan.plan_type,
            subscription.id,
            now,
            ends_at=subscription.current_period_end,
        ):
            raise Conflict(
                f"A {plan.plan_type.value} trial was just started by another request.",
                detail_ru=f"Пробный период подписки типа {plan.plan_type.value} только что "
                "начат другим запросом.",
                code="TRIAL_ALREADY_TAKEN",
            )
        uow.emit(
            SubscriptionActivated(
                **subscription.facts(),  # type: ignore[arg-type]
                status="trial",
                previous_status=None,
                price=_price(subscription),
                payment_id=None,
                auto_renew=subscription.auto_renew,
                current_period_start=subscription.current_period_start,
                current_period_end=subscription.current_period_end,
                activated_at=now,
            )
        )
        confirmation_url = None
    else:
        subscription = new_incomplete(new_id, creation.user_id, terms, creation.time_zone, now)
        await uow.subscriptions.add(subscription)
        started = await first_payment(uow, subscription, creation.return_url)
        confirmation_url = started.confirmation_url
    uow.access_changed(users=[creation.user_id])
    await uow.commit()
    return Created(subscription, confirmation_url)


async def _mine(
    uow: SubscriptionsUnitOfWork,
    user_id: uuid.UUID,
    subscription_id: uuid.UUID,
    *,
    lock: bool = False,
) -> Subscription:
    """The user's own subscription; someone else's is 404 like an unknown one."""
    if lock:
        subscription = await uow.subscriptions.get_for_update(subscription_id)
    else:
        subscription = await uow.subscriptions.get(subscription_id)
    if subscription is None or subscription.user_id != user_id:
        raise subscription_not_found(subscription_id)
    return subscription


async def view_subscription(
    uow: SubscriptionsUnitOfWork, user_id: uuid.UUID, subscription_id: uuid.UUID
) -> Subscription:
    return await _mine(uow, user_id, subscription_id)


async def list_subscriptions(
    uow: SubscriptionsUnitOfWork,
    user_id: uuid.UUID,
    statuses: Collection[SubscriptionStatus],
    cursor: str | None,
    page_size: int,
    *,
    cursor_parameter: str = "page[cursor]",
) -> Page:
    """The user's own subscriptions, newest first, ``page_size`` a page (``statuses`` empty:
    all). A cursor not of this list is 400 INVALID_PAGE_CURSOR."""
    after = Position.of_cursor(cursor, cursor_parameter) if cursor else None
    found = await uow.subscriptions.of_user(
        user_id, statuses=statuses, after=after, limit=page_size + 1
    )
    page = found[:page_size]
    more = len(found) > page_size
    return Page(page, Position.after(page[-1]).cursor() if more else None)


async def cancel(
    uow: SubscriptionsUnitOfWork,
    user_id: uuid.UUID,
    subscription_id: uuid.UUID,
    reason: str | None,
    now: datetime,
) -> Subscription:
    """Stop auto-renewal: ``cancelled``, access until the current period's end (422
    SUBSCRIPTION_STATUS_CONFLICT unless trial, active or pending_payment). Emits
    ``cancelled``."""
    subscription = await _mine(uow, user_id, subscription_id, lock=True)
    cancel_in_domain(subscription, reason, now)
    await uow.subscriptions.save(subscription)
    uow.emit(
        SubscriptionCancelled(
            **subscription.facts(),  # type: ignore[arg-type]
            cancelled_by="user",
            reason=reason,
            cancelled_at=now,
            access_ends_at=subscription.current_period_end,
        )
    )
    uow.access_changed(users=[user_id])
    await uow.commit()
    return subscription


async def resume(
    uow: SubscriptionsUnitOfWork, user_id: uuid.UUID, subscription_id: uuid.UUID, now: datetime
) -> Subscription:
    """Turn auto-renewal back on before the period end: a cancelled trial is a ``trial`` again,
    anything else ``active`` (422 SUBSCRIPTION_NOT_RESUMABLE otherwise).
    No event: the catalogue has no ``resumed`` type yet (the lead's call)."""
    subscription = await _mine(uow, user_id, subscription_id, lock=True)
    resume_in_domain(subscription, now)
    await uow.subscriptions.save(subscription)
    uow.access_changed(users=[user_id])
    await uow.commit()
    return subscription


async def plan_names(
    uow: SubscriptionsUnitOfWork, subscriptions: Iterable[Subscription]
) -> dict[uuid.UUID, str]:
    """The names of these subscriptions' plans (retired ones too), for lists shown to users."""
    names: dict[uuid.UUID, str] = {}
    for plan_id in {subscription.plan_id for subscription in subscriptions}:
        try:
            names[plan_id] = (await get_plan(uow, plan_id)).name
        except NotFound:
            names[plan_id] = ""
    return names


async def trial_eligibility(
    uow: SubscriptionsUnitOfWork, user_id: uuid.UUID, plan_id: uuid.UUID
) -> TrialEligibility:
    """Would a subscription to the plan start as a trial for this user now? Yes when the plan is
    on sale, has a trial, and the user never had a trial of its type (404 PLAN_NOT_FOUND)."""
    plan = await get_plan(uow, plan_id)
    eligible = (
        plan.on_sale and plan.trial_days > 0 and await trial_eligible(uow, user_id, plan.plan_type)
    )
    return TrialEligibility(plan.id, plan.plan_type, eligible, plan.trial_days)
