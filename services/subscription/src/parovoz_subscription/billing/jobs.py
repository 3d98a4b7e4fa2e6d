"""Leased jobs of billing (on demand: ``POST /internal/jobs/{name}/run``):

- ``billing-renewals``: renewals and trial conversions, dunning retries (+1, +3, +7 days),
  suspension after the last failure or the hard-decline grace;
- ``billing-expiry``: trials without a method at their end, cancelled periods that ended,
  subscriptions suspended 30 days;
- ``billing-renewal-notices``: ``subscription.renewal.upcoming.v1`` N days before a charge.

Each run takes due subscriptions one by one with ``FOR UPDATE SKIP LOCKED`` (at most a batch),
each in its own transaction: replicas and overlapping runs never handle one twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from parovoz_kit.infrastructure import Infrastructure
from parovoz_kit.jobs import JobContext, PeriodicJob

from parovoz_subscription.billing.renewal_rules import RenewalRules
from parovoz_subscription.billing.renewals_repository import SqlRenewals
from parovoz_subscription.billing.service.lifecycle import (
    JobRun,
    run_expiries,
    run_renewal_notices,
    run_renewals,
)
from parovoz_subscription.billing.service.renewal_ports import BillingUnitOfWork, RenewalQueue
from parovoz_subscription.clients.payment import payment_client
from parovoz_subscription.unit_of_work import subscription_unit_of_work

log = logging.getLogger(__name__)

BILLING_RENEWALS = "billing-renewals"
BILLING_EXPIRY = "billing-expiry"
BILLING_NOTICES = "billing-renewal-notices"


def renewal_queue(rules: RenewalRules) -> Callable[[BillingUnitOfWork], RenewalQueue]:
    """The jobs' queries on a unit of work's session."""

    def queue_of(uow: BillingUnitOfWork) -> RenewalQueue:
        return SqlRenewals(uow.session, rules)  # type: ignore[attr-defined]

    return queue_of


def billing_jobs(infrastructure: Infrastructure) -> Sequence[PeriodicJob]:
    rules: RenewalRules = infrastructure.settings.renewal_rules()  # type: ignore[attr-defined]
    queue = renewal_queue(rules)
    clock = infrastructure.clock

    def unit_of_work() -> BillingUnitOfWork:
        return subscription_unit_of_work(infrastructure)  # type: ignore[return-value]

    def logged(name: str, run: JobRun) -> JobRun:
        if run.steps:
            counts: dict[str, int] = {}
            for step in run.steps.values():
                counts[step.value] = counts.get(step.value, 0) + 1
            log.info("billing job ran", extra={"job": name, **counts})
        return run

    async def renewals(context: JobContext) -> JobRun:
        payments = payment_client(infrastructure)
        run = await run_renewals(unit_of_work, queue, payments, rules, clock.now)  # type: ignore[arg-type]
        return logged(BILLING_RENEWALS, run)

    async def expiry(context: JobContext) -> JobRun:
        run = await run_expiries(unit_of_work, queue, rules, clock.now)  # type: ignore[arg-type]
        return logged(BILLING_EXPIRY, run)

    async def notices(context: JobContext) -> JobRun:
        run = await run_renewal_notices(unit_of_work, queue, rules, clock.now)  # type: ignore[arg-type]
        return logged(BILLING_NOTICES, run)

    return [
        PeriodicJob(BILLING_RENEWALS, rules.jobs_every, renewals),
        PeriodicJob(BILLING_EXPIRY, rules.jobs_every, expiry),
        PeriodicJob(BILLING_NOTICES, rules.jobs_every, notices),
    ]
