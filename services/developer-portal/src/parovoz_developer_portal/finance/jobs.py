"""The ``payouts-monthly`` job (leased, once per month, UTC): the automatic payout requests of
the accounts that chose them (``domain.payout_schedule_use_cases``).

An account payment could not answer for is left untouched and the run fails, which the kit's
lease records as FAILED and lets the next check (a minute later) claim again: the accounts
done already are found done (their request id is the month's), the rest are tried again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from parovoz_kit.errors import Unavailable
from parovoz_kit.infrastructure import Infrastructure
from parovoz_kit.jobs import JobContext, PeriodicJob

from parovoz_developer_portal.clients.payment import developer_money
from parovoz_developer_portal.finance.service.payout_schedule import (
    MonthlyPayoutRun,
    request_monthly_payouts,
)
from parovoz_developer_portal.finance_unit_of_work import finance_unit_of_work

log = logging.getLogger(__name__)

MONTHLY_PAYOUTS = "payouts-monthly"


def payout_jobs(infrastructure: Infrastructure) -> Sequence[PeriodicJob]:
    minimum_minor: int = infrastructure.settings.payout_minimum_minor  # type: ignore[attr-defined]

    async def run(context: JobContext) -> MonthlyPayoutRun:
        result = await request_monthly_payouts(
            lambda: finance_unit_of_work(infrastructure),
            developer_money(infrastructure),
            context.period_key,
            minimum_minor=minimum_minor,
            now=context.started_at,
        )
        log.info(
            "monthly payouts %s: %d requested, %d left for payment to answer",
            context.period_key,
            len(result.requested),
            len(result.unreachable),
        )
        if result.unreachable:
            raise Unavailable(
                "payment did not answer for some accounts; the month is tried again.",
                code="PAYMENT_UNAVAILABLE",
            )
        return result

    return [PeriodicJob(MONTHLY_PAYOUTS, "monthly", run)]
