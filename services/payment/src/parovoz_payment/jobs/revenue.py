"""Revenue share's leased job: a sale's developer share leaves the hold once it has matured."""

from __future__ import annotations

from collections.abc import Sequence

from parovoz_kit.infrastructure import Infrastructure
from parovoz_kit.jobs import JobContext, PeriodicJob

from parovoz_payment.use_cases.funds_release import release_matured_shares

FUNDS_RELEASE_JOB = "developer-funds-release"


def revenue_jobs(infrastructure: Infrastructure) -> Sequence[PeriodicJob]:
    async def release_funds(_: JobContext) -> None:
        # Daily: a share becomes available on the day its 30-day hold ends. Each sale moves
        # once whatever runs it (its row and its ledger key), the lease keeps runs apart.
        await release_matured_shares(infrastructure.unit_of_work, infrastructure.clock)

    return [PeriodicJob(FUNDS_RELEASE_JOB, "daily", release_funds)]
