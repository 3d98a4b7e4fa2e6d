"""The unit of work: the domain change and its outbox rows commit together or not at all."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from typing import ClassVar

import psycopg
import pytest
from parovoz_events import REGISTRY, EventData
from parovoz_kit.clock import ManualClock
from parovoz_kit.db import new_metadata
from parovoz_kit.errors import ValidationFailed
from parovoz_kit.events import OUTBOX_CHANNEL, Event, define_inbox_tables, define_outbox_tables
from parovoz_kit.uow import UnitOfWork
from pydantic import Field
from sqlalchemy import Column, MetaData, Table, Text, func, insert, select
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

SOURCE = "/parovoz/kit-test"
LISTEN_URL = "postgresql://payment:payment-dev-password@127.0.0.1:55432/payment"


class UowTestGameCreated(EventData):
    event_type: ClassVar[str] = "kit.test.uow.game.created.v1"
    topic: ClassVar[str] = "kit-test.uow.v1"
    key_field: ClassVar[str] = "game_id"
    producer: ClassVar[str] = "kit-test"
    example_data: ClassVar[dict[str, object]] = {"game_id": str(uuid.UUID(int=1)), "title": "x"}

    game_id: uuid.UUID
    title: str = Field(min_length=1)


MODELS = (UowTestGameCreated,)


@pytest.fixture(autouse=True)
def _schemas_registered() -> Iterator[None]:
    """Make this module's test event types known only while its tests run."""
    added = {model.event_type: model for model in MODELS}
    REGISTRY.update(added)
    yield
    for event_type in added:
        REGISTRY.pop(event_type, None)


metadata = new_metadata()
outbox = define_outbox_tables(metadata)
define_inbox_tables(metadata)
games = Table(
    "games",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("title", Text, nullable=False),
)


@pytest.fixture
async def engine(schema_engine: Callable[[MetaData], AsyncEngine]) -> AsyncEngine:
    return await schema_engine(metadata)


@pytest.fixture
async def listener() -> AsyncIterator[psycopg.AsyncConnection]:
    connection = await psycopg.AsyncConnection.connect(LISTEN_URL, autocommit=True)
    await connection.execute(f"LISTEN {OUTBOX_CHANNEL}")
    yield connection
    await connection.close()


async def _counts(engine: AsyncEngine) -> tuple[int, int]:
    async with engine.connect() as connection:
        game_count = (await connection.execute(select(func.count()).select_from(games))).scalar()
        rows = (await connection.execute(select(func.count()).select_from(outbox))).scalar()
    return int(game_count or 0), int(rows or 0)


async def _notified(listener: psycopg.AsyncConnection, engine: AsyncEngine) -> bool:
    """Whether the relay's channel announced rows in this test's schema (the listener's
    database is shared: the running payment service announces its own on the same channel)."""
    async with engine.connect() as connection:
        schema = (await connection.execute(select(func.current_schema()))).scalar_one()
    async for notice in listener.notifies(timeout=0.5):
        if notice.payload == schema:
            return True
    return False


async def test_commit_writes_the_change_and_its_outbox_row_and_notifies_the_relay(
    engine: AsyncEngine, listener: psycopg.AsyncConnection
) -> None:
    game_id = uuid.uuid4()
    uow = UnitOfWork(async_sessionmaker(engine), SOURCE)

    async with uow:
        await uow.session.execute(insert(games).values(id=game_id, title="Ведьмак"))
        event = uow.emit(UowTestGameCreated(game_id=game_id, title="Ведьмак"), subject="games/x")
        await uow.commit()

    async with engine.connect() as connection:
        row = (await connection.execute(select(outbox))).one()
    assert await _counts(engine) == (1, 1)
    assert row.id == event.id
    assert (row.topic, row.key, row.type) == ("kit-test.uow.v1", str(game_id), event.type)
    assert row.payload == {"game_id": str(game_id), "title": "Ведьмак"}
    assert row.headers == event.to_kafka().headers
    assert row.published_at is None and row.attempts == 0
    assert await _notified(listener, engine)


async def test_leaving_the_block_without_commit_writes_and_announces_nothing(
    engine: AsyncEngine, listener: psycopg.AsyncConnection
) -> None:
    game_id = uuid.uuid4()

    async with UnitOfWork(async_sessionmaker(engine), SOURCE) as uow:
        await uow.session.execute(insert(games).values(id=game_id, title="Doom"))
        uow.emit(UowTestGameCreated(game_id=game_id, title="Doom"))

    assert await _counts(engine) == (0, 0)
    assert not await _notified(listener, engine)


async def test_a_failure_after_emit_rolls_back_change_and_events(engine: AsyncEngine) -> None:
    game_id = uuid.uuid4()

    with pytest.raises(RuntimeError, match="domain said no"):
        async with UnitOfWork(async_sessionmaker(engine), SOURCE) as uow:
            await uow.session.execute(insert(games).values(id=game_id, title="Doom"))
            uow.emit(UowTestGameCreated(game_id=game_id, title="Doom"))
            raise RuntimeError("domain said no")

    assert await _counts(engine) == (0, 0)


async def test_a_database_error_after_emit_writes_no_events(engine: AsyncEngine) -> None:
    game_id = uuid.uuid4()
    async with UnitOfWork(async_sessionmaker(engine), SOURCE) as uow:
        await uow.session.execute(insert(games).values(id=game_id, title="First"))
        await uow.commit()

    with pytest.raises(Exception, match="duplicate key"):
        async with UnitOfWork(async_sessionmaker(engine), SOURCE) as uow:
            uow.emit(UowTestGameCreated(game_id=game_id, title="Second"))
            await uow.session.execute(insert(games).values(id=game_id, title="Second"))
            await uow.commit()

    assert await _counts(engine) == (1, 0)


async def test_invalid_event_data_is_refused_at_emit(engine: AsyncEngine) -> None:
    async with UnitOfWork(async_sessionmaker(engine), SOURCE) as uow:
        bad = UowTestGameCreated.model_construct(game_id=uuid.uuid4(), title="")
        with pytest.raises(ValidationFailed, match="title"):
            uow.emit(bad)
        ready_made = Event.from_data(UowTestGameCreated.example(), SOURCE)
        tampered = Event(**{**ready_made.__dict__, "data": {"game_id": "nope", "title": "x"}})
        with pytest.raises(ValidationFailed, match="game_id"):
            uow.emit(tampered)
        unknown = Event(**{**ready_made.__dict__, "type": "kit.test.nobody.knows.v1"})
        with pytest.raises(ValidationFailed, match="no schema"):
            uow.emit(unknown)
        await uow.commit()

    assert await _counts(engine) == (0, 0)


async def test_emit_outside_the_block_is_a_programming_error(engine: AsyncEngine) -> None:
    uow = UnitOfWork(async_sessionmaker(engine), SOURCE)
    with pytest.raises(RuntimeError, match="outside"):
        uow.emit(UowTestGameCreated.example())


async def test_events_are_stamped_by_the_services_clock(engine: AsyncEngine) -> None:
    clock = ManualClock(datetime(2030, 5, 1, 12, 0, tzinfo=UTC))
    async with UnitOfWork(async_sessionmaker(engine), SOURCE, clock=clock) as uow:
        event = uow.emit(UowTestGameCreated.example())
        await uow.commit()

    assert event.time == clock.now()
    async with engine.connect() as connection:
        headers = (await connection.execute(select(outbox.c.headers))).scalar_one()
    assert headers["ce_time"] == "2030-05-01T12:00:00Z"
