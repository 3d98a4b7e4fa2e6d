"""Run a piece of periodic work once per period, however many replicas try.

Inserting the ``(name, period_key)`` row *is* taking the lease: the primary key lets only
one replica in. The holder renews ``leased_until`` while it works; a holder that crashed
stops renewing, and once the lease has passed another replica claims the row with
``UPDATE ... WHERE leased_until < now`` (one statement, so two of them cannot both win).
A failed run is also claimable again, so a transient error does not skip a month.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, MetaData, Table, and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from parovoz_kit.clock import Clock
from parovoz_kit.jobs.tables import FAILED, RUNNING, SUCCEEDED, define_job_tables
from parovoz_kit.logging import error_fields

log = logging.getLogger(__name__)

DEFAULT_LEASE_TTL = timedelta(minutes=5)
# Stand-in for the service's table; only its name and columns matter for queries.
_DEFAULT_TABLE = define_job_tables(MetaData())


class JobOutcome(StrEnum):
    RAN = "ran"
    ALREADY_RAN = "already_ran"
    RUNNING_ELSEWHERE = "running_elsewhere"
    FAILED = "failed"


@dataclass(frozen=True)
class JobContext:
    """What a job function is told: which period it is doing, and when it started."""

    name: str
    period_key: str
    started_at: datetime


@dataclass(frozen=True)
class JobResult:
    name: str
    period_key: str
    outcome: JobOutcome


JobFunction = Callable[[JobContext], Awaitable[object]]


def default_holder() -> str:
    """Host, pid and a random suffix: unique per runner, readable by an operator."""
    return f"{socket.gethostname()}/{os.getpid()}/{uuid.uuid4().hex[:8]}"


async def run_once_per_period(
    engine: AsyncEngine,
    name: str,
    period_key: str,
    fn: JobFunction,
    clock: Clock,
    *,
    holder: str | None = None,
    lease_ttl: timedelta = DEFAULT_LEASE_TTL,
    table: Table | None = None,
) -> JobResult:
    """Run ``fn`` unless this period's run is done or held by a live holder."""
    lease = _Lease(engine, table if table is not None else _DEFAULT_TABLE, clock, lease_ttl)
    holder = holder or default_holder()
    if not await lease.claim(name, period_key, holder):
        return JobResult(name, period_key, await lease.why_not(name, period_key))
    context = JobContext(name, period_key, clock.now())
    renewer = asyncio.create_task(lease.keep_renewed(name, period_key, holder))
    try:
        await fn(context)
    except Exception as error:
        # A job failure must not kill the scheduler loop; it is recorded and logged.
        log.error(
            "job failed",
            extra={"job": name, "period_key": period_key, **error_fields(error)},
        )
        await lease.finish(name, period_key, holder, FAILED, type(error).__name__)
        return JobResult(name, period_key, JobOutcome.FAILED)
    finally:
        renewer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewer
    if not await lease.finish(name, period_key, holder, SUCCEEDED, None):
        log.warning("job finished after its lease was taken over", extra={"job": name})
    return JobResult(name, period_key, JobOutcome.RAN)


class _Lease:
    def __init__(self, engine: AsyncEngine, table: Table, clock: Clock, ttl: timedelta) -> None:
        self._engine, self._table, self._clock, self._ttl = engine, table, clock, ttl

    async def claim(self, name: str, period_key: str, holder: str) -> bool:
        now = self._clock.now()
        table = self._table
        first_claim = (
            insert(table)
            .values(
                name=name,
                period_key=period_key,
                holder=holder,
                status=RUNNING,
                attempts=1,
                started_at=now,
                leased_until=now + self._ttl,
            )
            .on_conflict_do_nothing(index_elements=["name", "period_key"])
            .returning(table.c.name)
        )
        takeover = (
            update(table)
            .where(
                table.c.name == name,
                table.c.period_key == period_key,
                or_(
                    and_(table.c.status == RUNNING, table.c.leased_until < now),
                    table.c.status == FAILED,
                ),
            )
            .values(
                holder=holder,
                status=RUNNING,
                attempts=table.c.attempts + 1,
                started_at=now,
                leased_until=now + self._ttl,
                finished_at=None,
            )
            .returning(table.c.name)
        )
        async with self._engine.begin() as connection:
            if (await connection.execute(first_claim)).first() is not None:
                return True
            return (await connection.execute(takeover)).first() is not None

    async def why_not(self, name: str, period_key: str) -> JobOutcome:
        table = self._table
        query = select(table.c.status).where(table.c.name == name, table.c.period_key == period_key)
        async with self._engine.connect() as connection:
            status = (await connection.execute(query)).scalar_one_or_none()
        return JobOutcome.ALREADY_RAN if status == SUCCEEDED else JobOutcome.RUNNING_ELSEWHERE

    async def keep_renewed(self, name: str, period_key: str, holder: str) -> None:
        """Push ``leased_until`` forward every third of the TTL while the job runs."""
        while True:
            await asyncio.sleep(self._ttl.total_seconds() / 3)
            try:
                async with self._engine.begin() as connection:
                    await connection.execute(
                        update(self._table)
                        .where(*self._held(name, period_key, holder))
                        .values(leased_until=self._clock.now() + self._ttl)
                    )
            except Exception as error:  # the next renewal may succeed; the job goes on
                log.warning("job lease renewal failed", extra={"error": type(error).__name__})

    async def finish(
        self, name: str, period_key: str, holder: str, status: str, error: str | None
    ) -> bool:
        async with self._engine.begin() as connection:
            result = await connection.execute(
                update(self._table)
                .where(*self._held(name, period_key, holder))
                .values(status=status, finished_at=self._clock.now(), last_error=error)
            )
        return result.rowcount == 1

    def _held(self, name: str, period_key: str, holder: str) -> tuple[ColumnElement[bool], ...]:
        table = self._table
        return (
            table.c.name == name,
            table.c.period_key == period_key,
            table.c.holder == holder,
            table.c.status == RUNNING,
        )
