"""Leased jobs on the real PostgreSQL: once per period across runners, takeover after a crash."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from parovoz_kit.clock import ManualClock
from parovoz_kit.db import new_metadata
from parovoz_kit.jobs import (
    JobContext,
    JobOutcome,
    JobRunner,
    PeriodicJob,
    define_job_tables,
    period_key_for,
    run_once_per_period,
)
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

START = datetime(2025, 3, 31, 23, 0, tzinfo=UTC)
TTL = timedelta(minutes=5)


class Payouts:
    """A job function that counts its runs and can be held mid-run."""

    def __init__(self) -> None:
        self.periods: list[str] = []
        self.entered = asyncio.Event()
        self.release: asyncio.Event | None = None
        self.fail = False

    async def __call__(self, context: JobContext) -> None:
        self.periods.append(context.period_key)
        self.entered.set()
        if self.release is not None:
            await self.release.wait()
        if self.fail:
            raise RuntimeError("bank file rejected")


@pytest.fixture
async def engines(schema_engine) -> tuple[AsyncEngine, AsyncEngine]:
    """Two engines (two connection pools, like two replicas) on one schema."""
    metadata = new_metadata()
    define_job_tables(metadata)
    return await schema_engine(metadata), await schema_engine(metadata)


def _runners(engines, clock, job) -> tuple[JobRunner, JobRunner]:
    first, second = engines
    return (
        JobRunner(first, clock, [PeriodicJob("payouts", "monthly", job, TTL)], holder="replica-a"),
        JobRunner(second, clock, [PeriodicJob("payouts", "monthly", job, TTL)], holder="replica-b"),
    )


async def test_two_runners_at_once_run_the_job_once_per_period(engines) -> None:
    clock, job = ManualClock(START), Payouts()
    replica_a, replica_b = _runners(engines, clock, job)

    results = await asyncio.gather(replica_a.tick(), replica_b.tick())
    outcomes = sorted(result.outcome for (result,) in results)
    assert job.periods == ["2025-03"]
    assert outcomes.count(JobOutcome.RAN) == 1

    again = await asyncio.gather(replica_a.tick(), replica_b.tick())
    assert [result.outcome for (result,) in again] == [JobOutcome.ALREADY_RAN] * 2

    clock.advance(timedelta(hours=2))  # now April
    results = await asyncio.gather(replica_b.tick(), replica_a.tick())
    assert job.periods == ["2025-03", "2025-04"]
    assert sorted(result.outcome for (result,) in results).count(JobOutcome.RAN) == 1


async def test_a_run_in_progress_is_not_started_twice(engines) -> None:
    clock, job = ManualClock(START), Payouts()
    job.release = asyncio.Event()
    replica_a, replica_b = _runners(engines, clock, job)

    async def while_a_runs():
        await job.entered.wait()
        try:
            return await replica_b.tick()
        finally:
            job.release.set()

    (ran,), (skipped,) = await asyncio.wait_for(
        asyncio.gather(replica_a.tick(), while_a_runs()), timeout=10
    )
    assert ran.outcome is JobOutcome.RAN
    assert skipped.outcome is JobOutcome.RUNNING_ELSEWHERE
    assert job.periods == ["2025-03"]


async def test_crashed_holder_lease_is_taken_over_after_ttl(engines) -> None:
    clock, job = ManualClock(START), Payouts()
    job.release = asyncio.Event()  # never set: replica A hangs, then "dies"
    replica_a, replica_b = _runners(engines, clock, job)

    crashed = asyncio.create_task(replica_a.tick())
    await asyncio.wait_for(job.entered.wait(), timeout=5)
    crashed.cancel()  # the process is gone; its row stays "running" with a lease
    with pytest.raises(asyncio.CancelledError):
        await crashed

    assert (await replica_b.tick())[0].outcome is JobOutcome.RUNNING_ELSEWHERE
    clock.advance(TTL - timedelta(seconds=1))
    assert (await replica_b.tick())[0].outcome is JobOutcome.RUNNING_ELSEWHERE

    job.release = None
    clock.advance(timedelta(seconds=2))
    assert (await replica_b.tick())[0].outcome is JobOutcome.RAN
    assert job.periods == ["2025-03", "2025-03"]
    row = await _job_row(engines[0])
    assert (row.holder, row.status, row.attempts) == ("replica-b", "succeeded", 2)


async def test_failed_run_is_recorded_and_retried(engines) -> None:
    clock, job = ManualClock(START), Payouts()
    job.fail = True
    result = await run_once_per_period(
        engines[0], "payouts", "2025-03", job, clock, holder="replica-a", lease_ttl=TTL
    )
    assert result.outcome is JobOutcome.FAILED
    row = await _job_row(engines[0])
    assert (row.status, row.last_error) == ("failed", "RuntimeError")

    job.fail = False
    result = await run_once_per_period(engines[1], "payouts", "2025-03", job, clock)
    assert result.outcome is JobOutcome.RAN
    assert (await _job_row(engines[0])).status == "succeeded"


async def test_run_loop_ticks_then_stops_on_request(engines) -> None:
    clock, job = ManualClock(START), Payouts()
    runner = JobRunner(
        engines[0],
        clock,
        [PeriodicJob("payouts", "monthly", job)],
        check_interval=timedelta(hours=1),
    )
    stop = asyncio.Event()
    loop = asyncio.create_task(runner.run(stop))
    await asyncio.wait_for(job.entered.wait(), timeout=5)
    stop.set()
    await asyncio.wait_for(loop, timeout=5)  # woke from its hour-long wait at once
    assert job.periods == ["2025-03"]


def test_period_keys() -> None:
    now = datetime(2025, 3, 4, 10, 42, 7, tzinfo=UTC)
    assert period_key_for("monthly", now) == "2025-03"
    assert period_key_for("daily", now) == "2025-03-04"
    assert period_key_for("hourly", now) == "2025-03-04T10"
    assert period_key_for(timedelta(minutes=15), now) == "2025-03-04T10:30:00Z"
    assert period_key_for(lambda moment: f"week-{moment.isocalendar().week}", now) == "week-10"
    with pytest.raises(ValueError):
        period_key_for(timedelta(0), now)


async def _job_row(engine: AsyncEngine):
    table = define_job_tables(new_metadata())
    async with engine.connect() as connection:
        return (await connection.execute(select(table))).one()
