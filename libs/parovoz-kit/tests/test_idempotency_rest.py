"""Idempotency-Key over real HTTP (ASGI) with the store on the real PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from parovoz_kit.clock import ManualClock
from parovoz_kit.db import new_metadata
from parovoz_kit.errors import BusinessRuleViolation, Unavailable
from parovoz_kit.http.errors import install_error_handlers
from parovoz_kit.idempotency import (
    IdempotencyKey,
    IdempotencyStore,
    Proceed,
    define_idempotency_tables,
    run_idempotent,
)
from pydantic import BaseModel
from sqlalchemy import Column, Integer, String, Table, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

THINGS = "/api/v1/kit/things"


class NewThing(BaseModel):
    title: str
    price_minor: int = 0


@dataclass
class Behaviour:
    """What the endpoint does next; tests steer it."""

    calls: int = 0
    fail_with: Exception | None = None
    entered: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event | None = None


@dataclass
class Harness:
    client: httpx.AsyncClient
    store: IdempotencyStore
    clock: ManualClock
    behaviour: Behaviour
    engine: AsyncEngine
    things: Table


def _build_app(store: IdempotencyStore, behaviour: Behaviour, engine: AsyncEngine, things: Table):
    app = FastAPI()
    install_error_handlers(app)

    @app.post(THINGS, status_code=201)
    async def create_thing(request: Request, body: NewThing, key: IdempotencyKey):
        async def handler(_: Proceed) -> JSONResponse:
            behaviour.calls += 1
            behaviour.entered.set()
            if behaviour.release is not None:
                await behaviour.release.wait()
            if behaviour.fail_with is not None:
                raise behaviour.fail_with
            thing = {"id": str(uuid.uuid4()), "title": body.title, "call": behaviour.calls}
            return JSONResponse({"data": thing}, status_code=201, headers={"Location": "/x"})

        caller = request.headers.get("X-Caller", "user-1")
        return await run_idempotent(request, store, scope=caller, key=key, handler=handler)

    @app.post(f"{THINGS}-with-secret", status_code=201)
    async def create_secret_thing(request: Request, body: NewThing, key: IdempotencyKey):
        async def handler(_: Proceed) -> JSONResponse:
            behaviour.calls += 1
            if behaviour.fail_with is not None:
                raise behaviour.fail_with
            return JSONResponse({"title": body.title, "secret": "s3cr3t"}, status_code=201)

        def without_secret(first: Response) -> Response:
            return JSONResponse({"title": body.title, "secret": None}, status_code=200)

        return await run_idempotent(
            request, store, scope="user-1", key=key, handler=handler, replay_as=without_secret
        )

    @app.post(f"{THINGS}-in-session", status_code=201)
    async def create_thing_in_session(request: Request, body: NewThing, key: IdempotencyKey):
        async with AsyncSession(engine) as session:

            async def handler(_: Proceed) -> dict[str, str]:
                behaviour.calls += 1
                await session.execute(things.insert().values(title=body.title))
                if behaviour.fail_with is not None:
                    raise behaviour.fail_with
                return {"title": body.title}

            return await run_idempotent(
                request,
                store,
                scope="user-1",
                key=key,
                handler=handler,
                success_status=201,
                session=session,
            )

    return app


@pytest.fixture
async def harness(schema_engine) -> AsyncIterator[Harness]:
    metadata = new_metadata()
    define_idempotency_tables(metadata)
    things = Table(
        "things",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("title", String(100), nullable=False),
    )
    engine = await schema_engine(metadata)
    clock = ManualClock(datetime(2025, 3, 1, 12, 0, tzinfo=UTC))
    store = IdempotencyStore(engine, clock)
    behaviour = Behaviour()
    app = _build_app(store, behaviour, engine, things)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://kit") as client:
        yield Harness(client, store, clock, behaviour, engine, things)


def _key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


async def test_same_key_and_body_replays_first_response_and_runs_once(harness: Harness) -> None:
    headers = _key()
    first = await harness.client.post(
        THINGS, json={"title": "A", "price_minor": 100}, headers=headers
    )
    # Same JSON with other key order and spacing is the same request.
    again = await harness.client.post(
        THINGS,
        content=b'{ "price_minor": 100, "title": "A" }',
        headers={**headers, "Content-Type": "application/json"},
    )
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Location"] == "/x"
    assert "Idempotent-Replayed" not in first.headers
    assert harness.behaviour.calls == 1


async def test_same_key_other_body_is_refused(harness: Harness) -> None:
    headers = _key()
    assert (
        await harness.client.post(THINGS, json={"title": "A"}, headers=headers)
    ).status_code == 201
    reused = await harness.client.post(THINGS, json={"title": "B"}, headers=headers)
    assert reused.status_code == 422
    (error,) = reused.json()["errors"]
    assert error["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert error["source"] == {"parameter": "Idempotency-Key"}
    assert harness.behaviour.calls == 1


async def test_replay_as_keeps_an_answer_without_its_secret_and_still_fingerprints(
    harness: Harness,
) -> None:
    headers = _key()
    first = await harness.client.post(f"{THINGS}-with-secret", json={"title": "A"}, headers=headers)
    again = await harness.client.post(f"{THINGS}-with-secret", json={"title": "A"}, headers=headers)
    reused = await harness.client.post(
        f"{THINGS}-with-secret", json={"title": "B"}, headers=headers
    )
    refused_headers = _key()
    harness.behaviour.fail_with = BusinessRuleViolation("No.", code="THING_REFUSED")
    refused = await harness.client.post(
        f"{THINGS}-with-secret", json={"title": "C"}, headers=refused_headers
    )
    refused_again = await harness.client.post(
        f"{THINGS}-with-secret", json={"title": "C"}, headers=refused_headers
    )

    assert (first.status_code, first.json()) == (201, {"title": "A", "secret": "s3cr3t"})
    assert (again.status_code, again.json()) == (200, {"title": "A", "secret": None})
    assert again.headers["Idempotent-Replayed"] == "true"
    assert reused.status_code == 422
    assert reused.json()["errors"][0]["code"] == "IDEMPOTENCY_KEY_REUSED"
    # An error is kept as answered: replay_as only shapes a success.
    assert refused.status_code == refused_again.status_code == 422
    assert refused_again.json() == refused.json()
    assert harness.behaviour.calls == 2


async def test_same_key_in_another_scope_is_independent(harness: Harness) -> None:
    headers = _key()
    await harness.client.post(THINGS, json={"title": "A"}, headers=headers)
    other = await harness.client.post(
        THINGS, json={"title": "B"}, headers={**headers, "X-Caller": "user-2"}
    )
    assert other.status_code == 201 and "Idempotent-Replayed" not in other.headers
    assert harness.behaviour.calls == 2


async def test_concurrent_same_key_one_runs_other_gets_409(harness: Harness) -> None:
    harness.behaviour.release = asyncio.Event()
    headers = _key()

    async def second_while_first_in_flight() -> httpx.Response:
        await harness.behaviour.entered.wait()
        try:
            return await harness.client.post(THINGS, json={"title": "A"}, headers=headers)
        finally:
            harness.behaviour.release.set()

    first, second = await asyncio.wait_for(
        asyncio.gather(
            harness.client.post(THINGS, json={"title": "A"}, headers=headers),
            second_while_first_in_flight(),
        ),
        timeout=10,
    )
    assert first.status_code == 201
    assert second.status_code == 409
    assert second.json()["errors"][0]["code"] == "IDEMPOTENCY_KEY_IN_USE"
    assert harness.behaviour.calls == 1
    replay = await harness.client.post(THINGS, json={"title": "A"}, headers=headers)
    assert replay.json() == first.json() and replay.headers["Idempotent-Replayed"] == "true"


async def test_key_expires_after_24_hours_and_is_purged(harness: Harness) -> None:
    headers = _key()
    await harness.client.post(THINGS, json={"title": "A"}, headers=headers)
    harness.clock.advance(timedelta(hours=23, minutes=59))
    assert (await harness.client.post(THINGS, json={"title": "A"}, headers=headers)).headers.get(
        "Idempotent-Replayed"
    ) == "true"
    assert await harness.store.purge_expired() == 0

    harness.clock.advance(timedelta(minutes=2))
    fresh = await harness.client.post(THINGS, json={"title": "other"}, headers=headers)
    assert fresh.status_code == 201 and "Idempotent-Replayed" not in fresh.headers
    assert harness.behaviour.calls == 2

    harness.clock.advance(timedelta(hours=25))
    assert await harness.store.purge_expired() == 1


async def test_client_error_is_stored_and_replayed(harness: Harness) -> None:
    harness.behaviour.fail_with = BusinessRuleViolation("Limit reached.", code="LIMIT_REACHED")
    headers = _key()
    first = await harness.client.post(THINGS, json={"title": "A"}, headers=headers)
    harness.behaviour.fail_with = None  # even if the state changed, a failed key stays failed
    again = await harness.client.post(THINGS, json={"title": "A"}, headers=headers)
    assert first.status_code == again.status_code == 422
    assert again.json() == first.json()
    assert again.json()["errors"][0]["code"] == "LIMIT_REACHED"
    assert again.headers["Idempotent-Replayed"] == "true"
    assert harness.behaviour.calls == 1


async def test_server_error_releases_the_key_for_a_retry(harness: Harness) -> None:
    harness.behaviour.fail_with = Unavailable("Bank is down.")
    headers = _key()
    assert (
        await harness.client.post(THINGS, json={"title": "A"}, headers=headers)
    ).status_code == 503
    harness.behaviour.fail_with = None
    retry = await harness.client.post(THINGS, json={"title": "A"}, headers=headers)
    assert retry.status_code == 201 and "Idempotent-Replayed" not in retry.headers
    assert harness.behaviour.calls == 2


async def test_missing_or_malformed_key_is_400_naming_the_header(harness: Harness) -> None:
    missing = await harness.client.post(THINGS, json={"title": "A"})
    too_long = await harness.client.post(
        THINGS, json={"title": "A"}, headers={"Idempotency-Key": "k" * 256}
    )
    assert missing.status_code == too_long.status_code == 400
    assert missing.json()["errors"][0]["code"] == "IDEMPOTENCY_KEY_REQUIRED"
    assert too_long.json()["errors"][0]["code"] == "IDEMPOTENCY_KEY_INVALID"
    for response in (missing, too_long):
        assert response.json()["errors"][0]["source"] == {"parameter": "Idempotency-Key"}
    assert harness.behaviour.calls == 0


async def _count_things(harness: Harness) -> int:
    async with harness.engine.connect() as connection:
        return (
            await connection.execute(select(func.count()).select_from(harness.things))
        ).scalar_one()


async def test_session_mode_commits_effect_and_answer_together(harness: Harness) -> None:
    path, headers = f"{THINGS}-in-session", _key()
    first = await harness.client.post(path, json={"title": "A"}, headers=headers)
    again = await harness.client.post(path, json={"title": "A"}, headers=headers)
    assert first.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert await _count_things(harness) == 1

    harness.behaviour.fail_with = BusinessRuleViolation("No.")
    refused = await harness.client.post(path, json={"title": "B"}, headers=_key())
    assert refused.status_code == 422
    assert await _count_things(harness) == 1  # the refused request's insert was rolled back
