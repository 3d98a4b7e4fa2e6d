"""The read cache on a real PostgreSQL: off until its triggers exist and it listens; a NOTIFY
drops its scope only; a local commit drops everything; an answer read while something was
forgotten is not stored; a lost LISTEN connection turns it off until it is back, empty."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import psycopg
import pytest
from parovoz_kit.read_cache import ReadCache
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

DATABASE_URL = "postgresql+psycopg://payment:payment-dev-password@127.0.0.1:55432/payment"

LISTEN_URL = DATABASE_URL.replace("+psycopg", "")


class Fixture:
    def __init__(self, engine: AsyncEngine, schema: str, channel: str, trigger: str) -> None:
        self.engine, self.schema, self.channel, self.trigger = engine, schema, channel, trigger

    async def write(self, scope: str) -> None:
        async with self.engine.begin() as connection:
            await connection.execute(
                text(f'INSERT INTO "{self.schema}".things (scope) VALUES (:scope)'),
                {"scope": scope},
            )

    def cache(self, trigger: str | None = None) -> ReadCache:
        return ReadCache(LISTEN_URL, self.channel, [trigger or self.trigger], retry_seconds=0.05)


@pytest.fixture
async def tables() -> AsyncIterator[Fixture]:
    suffix = uuid.uuid4().hex[:12]
    schema, channel, trigger = f"kit_cache_{suffix}", f"kit_cache_{suffix}", f"kit_cache_{suffix}"
    engine = create_async_engine(DATABASE_URL)
    async with engine.begin() as connection:
        await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        await connection.execute(text(f'CREATE TABLE "{schema}".things (scope text NOT NULL)'))
        await connection.execute(
            text(
                f'CREATE FUNCTION "{schema}".changed() RETURNS trigger LANGUAGE plpgsql AS $$ '
                f"BEGIN PERFORM pg_notify('{channel}', NEW.scope); RETURN NULL; END $$"
            )
        )
        await connection.execute(
            text(
                f'CREATE TRIGGER {trigger} AFTER INSERT ON "{schema}".things '
                f'FOR EACH ROW EXECUTE FUNCTION "{schema}".changed()'
            )
        )
    yield Fixture(engine, schema, channel, trigger)
    async with engine.begin() as connection:
        await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    await engine.dispose()


async def eventually(condition, seconds: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        assert loop.time() < deadline, "condition not reached"
        await asyncio.sleep(0.01)


async def test_off_without_its_triggers(tables: Fixture) -> None:
    cache = tables.cache(trigger=f"missing_{uuid.uuid4().hex[:8]}")
    try:
        assert not await cache.started(wait_seconds=0.5)
        cache.put("key", "a", "value", cache.generation())
        assert cache.get("key") is None
    finally:
        await cache.aclose()


async def test_a_notification_drops_its_scope_only(tables: Fixture) -> None:
    cache = tables.cache()
    try:
        assert await cache.started()
        cache.put("a1", "a", "first", cache.generation())
        cache.put("b1", "b", "second", cache.generation())
        assert (cache.get("a1"), cache.get("b1")) == ("first", "second")
        await tables.write("a")
        await eventually(lambda: cache.get("a1") is None)
        assert cache.get("b1") == "second"
    finally:
        await cache.aclose()


async def test_an_answer_read_while_something_was_forgotten_is_not_kept(tables: Fixture) -> None:
    cache = tables.cache()
    try:
        assert await cache.started()
        generation = cache.generation()  # a read starts
        cache.forget("elsewhere")  # a change arrives meanwhile
        cache.put("key", "a", "stale?", generation)
        assert cache.get("key") is None
        cache.put("key", "a", "fresh", cache.generation())
        assert cache.get("key") == "fresh"
    finally:
        await cache.aclose()


async def test_a_local_commit_drops_everything_at_once(tables: Fixture) -> None:
    cache = tables.cache()
    sessions = async_sessionmaker(tables.engine)
    try:
        assert await cache.started()
        cache.put("key", "unrelated-scope", "value", cache.generation())
        async with sessions() as session:
            await session.execute(text("SELECT 1"))
            await session.commit()
        assert cache.get("key") is None  # no waiting for a notification
    finally:
        await cache.aclose()


async def test_a_lost_listener_turns_it_off_until_it_is_back_and_empty(tables: Fixture) -> None:
    cache = tables.cache()
    try:
        assert await cache.started()
        cache.put("key", "a", "value", cache.generation())
        async with await psycopg.AsyncConnection.connect(LISTEN_URL, autocommit=True) as admin:
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE query = %s AND pid <> pg_backend_pid()",
                [f"LISTEN {tables.channel}"],
            )
        await eventually(lambda: not cache.listening)
        assert cache.get("key") is None
        await eventually(lambda: cache.listening)
        assert cache.get("key") is None  # back, but nothing from before survives
        cache.put("key", "a", "again", cache.generation())
        assert cache.get("key") == "again"
    finally:
        await cache.aclose()
