"""POST /internal/jobs/{name}/run over HTTP: authenticated, once per period, clear answers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI, Header
from parovoz_kit.clock import ManualClock
from parovoz_kit.db import new_metadata
from parovoz_kit.errors import Unauthenticated
from parovoz_kit.http.errors import install_error_handlers
from parovoz_kit.jobs import (
    JobContext,
    JobRunner,
    PeriodicJob,
    define_job_tables,
    internal_jobs_router,
)


def require_operator(authorization: str | None = Header(default=None)) -> str:
    """Stands in for parovoz_kit.auth's role check: any dependency callable works."""
    if authorization != "Bearer operator":
        raise Unauthenticated("A valid bearer token is required.")
    return "operator"


class Counter:
    def __init__(self) -> None:
        self.periods: list[str] = []

    async def __call__(self, context: JobContext) -> None:
        self.periods.append(context.period_key)


async def broken(_: JobContext) -> None:
    raise RuntimeError("secret connection string in here")


@pytest.fixture
async def runner(schema_engine) -> JobRunner:
    metadata = new_metadata()
    define_job_tables(metadata)
    engine = await schema_engine(metadata)
    clock = ManualClock(datetime(2025, 3, 15, tzinfo=UTC))
    jobs = [PeriodicJob("renewals", "daily", Counter()), PeriodicJob("broken", "daily", broken)]
    return JobRunner(engine, clock, jobs)


async def _client(router) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(router)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://kit") as client:
        yield client


@pytest.fixture
async def client(runner: JobRunner) -> AsyncIterator[httpx.AsyncClient]:
    async for http in _client(internal_jobs_router(runner, require_operator)):
        yield http


OPERATOR = {"Authorization": "Bearer operator"}


async def test_runs_once_per_period_and_again_after_the_clock_moves(client, runner) -> None:
    first = await client.post("/internal/jobs/renewals/run", headers=OPERATOR)
    second = await client.post("/internal/jobs/renewals/run", headers=OPERATOR)
    assert first.status_code == second.status_code == 200
    assert first.json()["data"] == {
        "type": "job-runs",
        "id": "renewals/2025-03-15",
        "attributes": {"job": "renewals", "period_key": "2025-03-15", "outcome": "ran"},
    }
    assert second.json()["data"]["attributes"]["outcome"] == "already_ran"

    runner.clock.advance(timedelta(days=1))
    third = await client.post("/internal/jobs/renewals/run", headers=OPERATOR)
    assert third.json()["data"]["attributes"] == {
        "job": "renewals",
        "period_key": "2025-03-16",
        "outcome": "ran",
    }
    assert runner.jobs["renewals"].fn.periods == ["2025-03-15", "2025-03-16"]


async def test_an_explicit_period_can_be_run(client, runner) -> None:
    response = await client.post("/internal/jobs/renewals/run?period=2025-02-28", headers=OPERATOR)
    assert response.json()["data"]["attributes"]["period_key"] == "2025-02-28"


async def test_unknown_job_is_404(client) -> None:
    response = await client.post("/internal/jobs/nope/run", headers=OPERATOR)
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "JOB_NOT_FOUND"


async def test_failed_job_is_500_without_its_message(client) -> None:
    response = await client.post("/internal/jobs/broken/run", headers=OPERATOR)
    assert response.status_code == 500
    assert response.json()["errors"][0]["code"] == "JOB_FAILED"
    assert "secret" not in response.text


async def test_caller_must_pass_the_auth_dependency(client, runner) -> None:
    response = await client.post("/internal/jobs/renewals/run")
    assert response.status_code == 401
    assert runner.jobs["renewals"].fn.periods == []


async def test_without_an_auth_dependency_every_call_is_refused(runner) -> None:
    async for http in _client(internal_jobs_router(runner)):
        response = await http.post("/internal/jobs/renewals/run", headers=OPERATOR)
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "INTERNAL_JOBS_DISABLED"
    assert runner.jobs["renewals"].fn.periods == []
