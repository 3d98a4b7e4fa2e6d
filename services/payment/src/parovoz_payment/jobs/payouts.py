"""The ``payouts-execute`` job: every minute, held payouts are sent and stale ones re-checked
(the row lease in ``developer_payouts`` keeps two runners off the same payout)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from parovoz_kit.infrastructure import Infrastructure
from parovoz_kit.jobs import JobContext, PeriodicJob

from parovoz_payment.clients.developer_portal import IDEMPOTENT_METHODS, DeveloperPortalCatalogue
from parovoz_payment.clients.providers.payouts import payouts_client
from parovoz_payment.use_cases.payout_execution import DeveloperPayouts
from parovoz_payment.use_cases.payout_sending import PayoutRun, execute_due_payouts


def payout_methods(infrastructure: Infrastructure) -> DeveloperPortalCatalogue:
    """developer-portal's GetPayoutMethod, over the process's one peer client."""
    target = infrastructure.settings.developer_portal_grpc_target  # type: ignore[attr-defined]
    return DeveloperPortalCatalogue(
        infrastructure.peer("developer-portal", target, IDEMPOTENT_METHODS)
    )


def payout_run(infrastructure: Infrastructure) -> PayoutRun:
    """What a run of a payout job (developer or streamer payouts) works with."""
    return PayoutRun(
        infrastructure.unit_of_work, infrastructure.clock, payouts_client(infrastructure)
    )


def payout_jobs(infrastructure: Infrastructure) -> Sequence[PeriodicJob]:
    async def execute(_: JobContext) -> None:
        methods = payout_methods(infrastructure)
        await execute_due_payouts(DeveloperPayouts(payout_run(infrastructure), methods))

    return [PeriodicJob("payouts-execute", timedelta(minutes=1), execute)]
