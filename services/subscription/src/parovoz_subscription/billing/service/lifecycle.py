"""The billing jobs' runs (renewals, expiry, notices) and the use cases of expiry and of the
upcoming-renewal notice (PRODUCT.md "Subscription"): a trial without a saved method (or with
auto-renewal off) at its end, a cancelled subscription at its period end and a subscription
suspended 30 days expire; ``subscription.renewal.upcoming.v1`` goes out N days before a charge,
once per (subscription, charge time).

Each run takes due subscriptions one at a time, each in its own transaction, its row taken with
``FOR UPDATE SKIP LOCKED`` (the queue's ``next_due``): runners never handle one twice, one
subscription's failure never stops the others, at most a batch per run.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Collection
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime

from parovoz_events.subscription import RenewalUpcoming, SubscriptionExpired
from parovoz_kit.errors import ParovozError, Unavailable

from parovoz_subscription.billing.domain.charges import Payments
from parovoz_subscription.billing.renewal_rules import RenewalRules
from parovoz_subscription.billing.service.renewal_ports import (
    BillingUnitOfWork,
    DueKind,
    RenewalQueue,
    Step,
    event_of,
    money,
)
from parovoz_subscription.billing.service.renewals import next_terms, renew_subscription
from parovoz_subscription.subscriptions.domain import Subscription, SubscriptionStatus
from parovoz_subscription.trials.domain import TrialOutcome
from parovoz_subscription.trials.service import trial_ended

log = logging.getLogger(__name__)
S = SubscriptionStatus

UnitOfWorkFactory = Callable[[], AbstractAsyncContextManager[BillingUnitOfWork]]
QueueOf = Callable[[BillingUnitOfWork], RenewalQueue]


@dataclass
class JobRun:
    """What one run did: subscription id -> step."""

    steps: dict[uuid.UUID, Step] = field(default_factory=dict)

    def of(self, step: Step) -> list[uuid.UUID]:
        return [key for key, value in self.steps.items() if value is step]


# --- expiry and notices of one subscription ------------------------------------------------------


async def expire_subscription(
    uow: BillingUnitOfWork, rules: RenewalRules, subscription: Subscription, now: datetime
) -> Step:
    """A trial or cancelled period that ended, or a suspension that lasted its time: expired."""
    previous = subscription.status
    if previous is S.SUSPENDED:
        since = subscription.suspended_at or subscription.updated_at
        if now < since + rules.suspended_expiry:
            return Step.NOT_DUE
    elif previous in (S.TRIAL, S.CANCELLED):
        if now < subscription.current_period_end:
            return Step.NOT_DUE
    else:
        return Step.NOT_DUE
    subscription.move(S.EXPIRED, now)
    await uow.subscriptions.save(subscription)
    # A trial that ended unpaid (or was cancelled): its outcome is kept (a no-op otherwise).
    await trial_ended(uow, subscription.id, TrialOutcome.EXPIRED, now)
    uow.emit(
        event_of(
            SubscriptionExpired,
            subscription,
            previous_status=previous.value,
            expired_at=now,
        )
    )
    return Step.EXPIRED


async def notify_upcoming(
    uow: BillingUnitOfWork, queue: RenewalQueue, subscription: Subscription, now: datetime
) -> Step:
    """``renewal.upcoming`` for the charge at the period end, once per charge time."""
    renews_at = subscription.current_period_end
    if not await queue.mark_notified(subscription.id, renews_at, now):
        return Step.NOT_DUE
    try:
        terms = await next_terms(uow, subscription, renews_at)
    except ParovozError as error:  # no price there any more: nothing to announce
        log.warning("no renewal price to announce", extra={"code": error.code})
        return Step.SKIPPED  # the notice is marked: not tried again for this charge
    if terms.price.amount_minor > 0:
        uow.emit(
            event_of(
                RenewalUpcoming,
                subscription,
                renews_at=renews_at,
                amount=money(terms.price.amount_minor, terms.price.currency),
                has_saved_method=subscription.saved_method_id is not None,
            )
        )
        return Step.NOTIFIED
    return Step.SKIPPED


# --- the runs ------------------------------------------------------------------------------------


async def _run(
    kind: DueKind,
    unit_of_work: UnitOfWorkFactory,
    queue_of: QueueOf,
    rules: RenewalRules,
    now: Callable[[], datetime],
    handle: Callable[[BillingUnitOfWork, RenewalQueue, Subscription, datetime], Awaitable[Step]],
    only: Collection[uuid.UUID] | None,
) -> JobRun:
    run = JobRun()
    for _ in range(rules.batch_size):
        at = now()
        notice_until = at + rules.upcoming_notice if kind is DueKind.NOTICE else None
        subscription: Subscription | None = None
        try:
            async with unit_of_work() as uow:
                queue = queue_of(uow)
                subscription = await queue.next_due(
                    kind, at, skip=list(run.steps), only=only, notice_until=notice_until
                )
                if subscription is None:
                    break
                run.steps[subscription.id] = Step.ERROR
                step = await handle(uow, queue, subscription, at)
                run.steps[subscription.id] = step
                if step is not Step.NOT_DUE:
                    uow.access_changed(users=[subscription.user_id])
                    await uow.commit()
        except Exception as error:  # one subscription's trouble never stops the others
            log.error(
                "billing job step failed",
                extra={
                    "job": kind.value,
                    "subscription_id": str(subscription.id) if subscription else None,
                    "error": type(error).__name__,
                    "code": getattr(error, "code", None),
                },
            )
            if subscription is None or isinstance(error, Unavailable):
                break  # the database or payment is away: the next run tries again
    return run


async def run_renewals(
    unit_of_work: UnitOfWorkFactory,
    queue_of: QueueOf,
    payments: Payments,
    rules: RenewalRules,
    now: Callable[[], datetime],
    *,
    only: Collection[uuid.UUID] | None = None,
) -> JobRun:
    """Charge due periods, retry failed ones, suspend exhausted ones (at most a batch)."""

    async def handle(
        uow: BillingUnitOfWork, queue: RenewalQueue, subscription: Subscription, at: datetime
    ) -> Step:
        return await renew_subscription(uow, queue, payments, rules, subscription, at)

    return await _run(DueKind.RENEWAL, unit_of_work, queue_of, rules, now, handle, only)


async def run_expiries(
    unit_of_work: UnitOfWorkFactory,
    queue_of: QueueOf,
    rules: RenewalRules,
    now: Callable[[], datetime],
    *,
    only: Collection[uuid.UUID] | None = None,
) -> JobRun:
    async def handle(
        uow: BillingUnitOfWork, queue: RenewalQueue, subscription: Subscription, at: datetime
    ) -> Step:
        return await expire_subscription(uow, rules, subscription, at)

    return await _run(DueKind.EXPIRY, unit_of_work, queue_of, rules, now, handle, only)


async def run_renewal_notices(
    unit_of_work: UnitOfWorkFactory,
    queue_of: QueueOf,
    rules: RenewalRules,
    now: Callable[[], datetime],
    *,
    only: Collection[uuid.UUID] | None = None,
) -> JobRun:
    async def handle(
        uow: BillingUnitOfWork, queue: RenewalQueue, subscription: Subscription, at: datetime
    ) -> Step:
        return await notify_upcoming(uow, queue, subscription, at)

    return await _run(DueKind.NOTICE, unit_of_work, queue_of, rules, now, handle, only)
