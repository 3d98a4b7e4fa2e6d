"""Leased jobs of results (on demand: ``POST /internal/jobs/results-close-windows/run``):

- ``results-close-windows``: open windows past their end go to the 24-hour audit (the
  submission's voting completed); audits past their end get the final weighted result, the
  submission approved or rejected and the decision announced.

Each run takes due windows one by one with ``FOR UPDATE SKIP LOCKED`` (at most a batch), each in
its own transaction: replicas and overlapping runs never close one twice.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence

from parovoz_kit.infrastructure import Infrastructure
from parovoz_kit.jobs import JobContext, PeriodicJob

from parovoz_greenlight.integrity.users import integrity_audit
from parovoz_greenlight.results.ballots import VotingBallots
from parovoz_greenlight.results.rules import ResultsRules
from parovoz_greenlight.results.service import (
    Audit,
    ClosingRun,
    ResultsUnitOfWork,
    close_windows,
)
from parovoz_greenlight.unit_of_work import greenlight_unit_of_work

log = logging.getLogger(__name__)

RESULTS_CLOSE_WINDOWS = "results-close-windows"


async def _log_failure(window_id: uuid.UUID | None, error: Exception) -> None:
    log.error(
        "results job step failed",
        extra={
            "job": RESULTS_CLOSE_WINDOWS,
            "window_id": str(window_id) if window_id else None,
            "error": type(error).__name__,
            "code": getattr(error, "code", None),
        },
    )


async def run_close_windows(
    infrastructure: Infrastructure,
    *,
    audit: Audit | None = None,
    only: Sequence[uuid.UUID] | None = None,
) -> ClosingRun:
    """One run of the closing job (``only``: windows of these submissions, for tests)."""
    rules: ResultsRules = infrastructure.settings.results_rules()  # type: ignore[attr-defined]

    def unit_of_work() -> ResultsUnitOfWork:
        return greenlight_unit_of_work(infrastructure)  # type: ignore[return-value]

    run = await close_windows(
        unit_of_work,  # type: ignore[arg-type]
        VotingBallots(),
        audit or integrity_audit(infrastructure),
        rules,
        infrastructure.clock.now,
        only=only,
        on_error=_log_failure,
    )
    if run.steps:
        counts: dict[str, int] = {}
        for step in run.steps.values():
            counts[step.value] = counts.get(step.value, 0) + 1
        log.info("results job ran", extra={"job": RESULTS_CLOSE_WINDOWS, **counts})
    return run


def results_jobs(infrastructure: Infrastructure) -> Sequence[PeriodicJob]:
    rules: ResultsRules = infrastructure.settings.results_rules()  # type: ignore[attr-defined]

    async def close(context: JobContext) -> ClosingRun:
        return await run_close_windows(infrastructure)

    return [PeriodicJob(RESULTS_CLOSE_WINDOWS, rules.jobs_every, close)]
