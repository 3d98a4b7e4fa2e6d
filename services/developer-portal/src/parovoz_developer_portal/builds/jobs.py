"""builds' leased jobs: ``builds-verify``, the verification worker (size and SHA-256 of the
stored builds), every few seconds; on demand by ``POST /internal/jobs/builds-verify/run``."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

from parovoz_kit.infrastructure import Infrastructure
from parovoz_kit.jobs import JobContext, PeriodicJob, default_holder

from parovoz_developer_portal.builds.verification import (
    VerificationRun,
    verify_processing_builds,
)
from parovoz_developer_portal.unit_of_work import portal_unit_of_work

log = logging.getLogger(__name__)

BUILDS_VERIFY = "builds-verify"


def build_jobs(infrastructure: Infrastructure) -> Sequence[PeriodicJob]:
    rules = infrastructure.settings.build_rules()  # type: ignore[attr-defined]
    holder = default_holder()

    async def run(context: JobContext) -> VerificationRun:
        result = await verify_processing_builds(
            lambda: portal_unit_of_work(infrastructure),
            infrastructure.storage(),
            rules,
            holder,
            infrastructure.clock.now,
        )
        if result.verified or result.failed:
            log.info(
                "builds verified",
                extra={"verified": len(result.verified), "failed": len(result.failed)},
            )
        return result

    period = timedelta(seconds=rules.verify_every_seconds)
    return [PeriodicJob(BUILDS_VERIFY, period, run)]
