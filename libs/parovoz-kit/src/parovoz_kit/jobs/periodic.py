"""Periodic jobs: a period key from the clock, and a loop that checks every so often.

Each replica runs the same :class:`JobRunner`; the lease in ``job_runs`` makes each
(job, period) run once. Tests never wait for the loop: they move the clock and call
:meth:`JobRunner.tick` (or ``POST /internal/jobs/{name}/run``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from parovoz_kit.clock import Clock
from parovoz_kit.errors import NotFound
from parovoz_kit.jobs.lease import (
    DEFAULT_LEASE_TTL,
    JobFunction,
    JobResult,
    default_holder,
    run_once_per_period,
)

log = logging.getLogger(__name__)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
Period = timedelta | Literal["hourly", "daily", "monthly"] | Callable[[datetime], str]


def period_key_for(period: Period, now: datetime) -> str:
    """The key naming the period ``now`` falls in (UTC): "2025-03", "2025-03-04", ..."""
    now = now.astimezone(UTC)
    if callable(period) and not isinstance(period, timedelta):
        return period(now)
    if period == "monthly":
        return now.strftime("%Y-%m")
    if period == "daily":
        return now.strftime("%Y-%m-%d")
    if period == "hourly":
        return now.strftime("%Y-%m-%dT%H")
    if isinstance(period, timedelta):
        if period <= timedelta(0):
            raise ValueError("a job period must be positive")
        start = _EPOCH + ((now - _EPOCH) // period) * period
        return start.strftime("%Y-%m-%dT%H:%M:%SZ")
    raise ValueError(f"unknown job period {period!r}")


@dataclass(frozen=True)
class PeriodicJob:
    """Work to run once per period, e.g. ``PeriodicJob("payouts", "monthly", run_payouts)``."""

    name: str
    period: Period
    fn: JobFunction
    lease_ttl: timedelta = DEFAULT_LEASE_TTL

    def period_key(self, now: datetime) -> str:
        return period_key_for(self.period, now)


class JobRunner:
    """One replica's scheduler for a service's jobs (a background worker)."""

    name = "job-runner"

    def __init__(
        self,
        engine: AsyncEngine,
        clock: Clock,
        jobs: Iterable[PeriodicJob],
        *,
        check_interval: timedelta = timedelta(seconds=60),
        holder: str | None = None,
        table: Table | None = None,
    ) -> None:
        self.jobs = {job.name: job for job in jobs}
        self.clock = clock
        self._engine = engine
        self._check_interval = check_interval
        self._holder = holder or default_holder()
        self._table = table

    async def run_now(self, name: str, period_key: str | None = None) -> JobResult:
        """Run one job for the current (or given) period, unless that period is done."""
        job = self.jobs.get(name)
        if job is None:
            raise NotFound(f"There is no job named {name!r}.", code="JOB_NOT_FOUND")
        return await run_once_per_period(
            self._engine,
            job.name,
            period_key or job.period_key(self.clock.now()),
            job.fn,
            self.clock,
            holder=self._holder,
            lease_ttl=job.lease_ttl,
            table=self._table,
        )

    async def tick(self) -> list[JobResult]:
        """Check every job once; one after another, to stay gentle on a shared machine."""
        return [await self.run_now(name) for name in self.jobs]

    async def run(self, stop: asyncio.Event) -> None:
        """Tick, then sleep ``check_interval`` (waking early on ``stop``), until stopped."""
        while not stop.is_set():
            try:
                await self.tick()
            except Exception as error:  # the database may be briefly away; try next time
                log.warning("job check failed", extra={"error": type(error).__name__})
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._check_interval.total_seconds())
