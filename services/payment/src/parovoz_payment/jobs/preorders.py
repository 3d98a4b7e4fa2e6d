"""Preorders' leased job: releases (complete or charge the remainder), retries, refunds."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from parovoz_kit.infrastructure import Infrastructure
from parovoz_kit.jobs import JobContext, PeriodicJob

from parovoz_payment.clients.providers.registry import provider_registry
from parovoz_payment.use_cases.preorder_release import PreorderRelease, run_preorder_release
from parovoz_payment.use_cases.refunds import RefundService

PREORDERS_RELEASE_JOB = "preorders-release"


def preorder_release(infrastructure: Infrastructure) -> PreorderRelease:
    settings = infrastructure.settings
    return PreorderRelease(
        RefundService(
            infrastructure.unit_of_work,
            provider_registry(infrastructure),
            infrastructure.clock,
            settings.wallet_rules(),  # type: ignore[attr-defined]
        ),
        settings.preorder_rules(),  # type: ignore[attr-defined]
    )


def preorder_jobs(infrastructure: Infrastructure) -> Sequence[PeriodicJob]:
    async def release_preorders(_: JobContext) -> None:
        # Every 5 minutes: a release's remainders are charged soon after the event; the lease
        # keeps two runners apart, each attempt's payment id keeps a retry from charging twice.
        await run_preorder_release(preorder_release(infrastructure))

    return [PeriodicJob(PREORDERS_RELEASE_JOB, timedelta(minutes=5), release_preorders)]
