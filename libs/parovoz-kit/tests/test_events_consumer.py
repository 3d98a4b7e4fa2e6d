"""The idempotent consumer on the real database and broker: dedup, retries, DLQ, offsets."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import ClassVar

import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, Message, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic
from parovoz_events import REGISTRY, EventData
from parovoz_kit.db import new_metadata
from parovoz_kit.errors import Unavailable
from parovoz_kit.events import (
    Backoff,
    Event,
    IdempotentConsumer,
    define_inbox_tables,
    dlq_topic,
    producer_config,
)
from prometheus_client import REGISTRY as METRICS
from sqlalchemy import Column, MetaData, Table, Text, insert, select
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

SOURCE = "/parovoz/kit-test"
metadata = new_metadata()
inbox = define_inbox_tables(metadata)
effects = Table(
    "effects",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("event_id", UUID(as_uuid=True), nullable=False),
    Column("name", Text, nullable=False),
)


class ConsumerTestThing(EventData):
    event_type: ClassVar[str] = "kit.test.consumer.thing.v1"
    topic: ClassVar[str] = "set-per-test"
    key_field: ClassVar[str] = "thing_id"
    producer: ClassVar[str] = "kit-test"
    consumers: ClassVar[tuple[str, ...]] = ("kit-test",)
    example_data: ClassVar[dict[str, object]] = {"thing_id": "t-1", "name": "ok"}

    thing_id: str
    name: str


class ConsumerTestIgnored(EventData):
    event_type: ClassVar[str] = "kit.test.consumer.ignored.v1"
    topic: ClassVar[str] = "set-per-test"
    key_field: ClassVar[str] = "thing_id"
    producer: ClassVar[str] = "kit-test"
    example_data: ClassVar[dict[str, object]] = {"thing_id": "t-1"}

    thing_id: str


MODELS = (
    ConsumerTestThing,
    ConsumerTestIgnored,
)


@pytest.fixture(autouse=True)
def _schemas_registered() -> Iterator[None]:
    """Make this module's test event types known only while its tests run."""
    added = {model.event_type: model for model in MODELS}
    REGISTRY.update(added)
    yield
    for event_type in added:
        REGISTRY.pop(event_type, None)


@pytest.fixture
async def session_factory(
    schema_engine: Callable[[MetaData], AsyncEngine],
) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(await schema_engine(metadata))


@pytest.fixture
def group() -> str:
    return f"kit-test.consumer-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def topic(broker: str, group: str) -> Iterator[str]:
    """A one-partition topic (one order to reason about) and the group's DLQ topic."""
    name = f"kit-test-{uuid.uuid4().hex[:10]}"
    admin = AdminClient({"bootstrap.servers": broker})
    names = [name, dlq_topic(group)]
    for future in admin.create_topics([NewTopic(n, num_partitions=1) for n in names]).values():
        future.result(15)
    yield name
    admin.delete_topics(names)


def _produce(broker: str, topic: str, *records: tuple[bytes | None, bytes, list]) -> None:
    producer = Producer(producer_config(broker))
    for key, value, headers in records:
        producer.produce(topic, key=key, value=value, headers=headers, partition=0)
    assert producer.flush(10) == 0


def _record(model: EventData, event_id: uuid.UUID | None = None) -> tuple[bytes, bytes, list]:
    event = Event.from_data(model, SOURCE, event_id=event_id)
    kafka = event.to_kafka()
    return kafka.key.encode(), kafka.value, kafka.header_list()


def _read_dlq(broker: str, group: str, want: int, seconds: float = 10) -> list[Message]:
    consumer = Consumer({"bootstrap.servers": broker, "group.id": "unused"})
    consumer.assign([TopicPartition(dlq_topic(group), 0, OFFSET_BEGINNING)])
    messages: list[Message] = []
    deadline = time.monotonic() + seconds
    try:
        while len(messages) < want and time.monotonic() < deadline:
            message = consumer.poll(0.2)
            if message is not None and message.error() is None:
                messages.append(message)
    finally:
        consumer.close()
    return messages


def _committed_offset(broker: str, group: str, topic: str) -> int:
    """The group's committed offset of partition 0, read without joining the group."""
    probe = Consumer({"bootstrap.servers": broker, "group.id": group})
    try:
        [committed] = probe.committed([TopicPartition(topic, 0)], timeout=10)
    finally:
        probe.close()
    return committed.offset


async def _effect_names(factory: async_sessionmaker[AsyncSession]) -> list[str]:
    async with factory() as session:
        return list(
            (await session.execute(select(effects.c.name).order_by(effects.c.name))).scalars()
        )


async def _eventually(
    condition: Callable[[], Awaitable[bool]], seconds: float = 20, step: float = 0.1
) -> None:
    deadline = time.monotonic() + seconds
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s")
        await asyncio.sleep(step)


async def record_effect(session: AsyncSession, data: ConsumerTestThing, event: Event) -> None:
    await session.execute(
        insert(effects).values(id=uuid.uuid4(), event_id=event.id, name=data.name)
    )


@pytest.fixture
async def run_consumer() -> AsyncIterator[Callable[[IdempotentConsumer], None]]:
    stop = asyncio.Event()
    tasks: list[asyncio.Task] = []
    yield lambda consumer: tasks.append(asyncio.create_task(consumer.run(stop)))
    stop.set()
    await asyncio.gather(*tasks)


def _counter(name: str, group: str) -> float:
    return METRICS.get_sample_value(name, {"group": group}) or 0.0


async def test_an_event_delivered_twice_has_one_effect(
    broker: str,
    topic: str,
    group: str,
    session_factory: async_sessionmaker[AsyncSession],
    run_consumer: Callable[[IdempotentConsumer], None],
) -> None:
    twice = uuid.uuid4()
    _produce(
        broker,
        topic,
        _record(ConsumerTestThing(thing_id="t-1", name="first"), event_id=twice),
        _record(ConsumerTestThing(thing_id="t-1", name="first"), event_id=twice),  # redelivery
        _record(ConsumerTestIgnored(thing_id="t-1")),  # a type this group does not handle
        _record(ConsumerTestThing(thing_id="t-1", name="last")),
    )
    consumer = IdempotentConsumer(
        group,
        [topic],
        {ConsumerTestThing.event_type: record_effect},
        session_factory,
        broker,
        lag_interval=0.5,
    )
    run_consumer(consumer)

    async def all_consumed() -> bool:
        return await asyncio.to_thread(_committed_offset, broker, group, topic) == 4

    await _eventually(all_consumed)
    assert await _effect_names(session_factory) == ["first", "last"]
    async with session_factory() as session:
        seen = (await session.execute(select(inbox.c.event_type))).scalars().all()
    assert sorted(seen) == sorted(
        [ConsumerTestThing.event_type] * 2 + [ConsumerTestIgnored.event_type]
    )
    assert _counter("consumer_events_duplicate_total", group) == 1
    assert _counter("consumer_events_processed_total", group) == 3
    await _eventually(lambda: _lag_is(group, topic, 0), seconds=5)


async def _lag_is(group: str, topic: str, expected: float) -> bool:
    labels = {"group": group, "topic": topic, "partition": "0"}
    return METRICS.get_sample_value("consumer_lag", labels) == expected


async def test_a_poison_message_goes_to_the_dlq_after_n_attempts_and_the_partition_moves_on(
    broker: str,
    topic: str,
    group: str,
    session_factory: async_sessionmaker[AsyncSession],
    run_consumer: Callable[[IdempotentConsumer], None],
) -> None:
    attempts = 0
    second_attempt_running = asyncio.Event()
    release = asyncio.Event()

    async def fails_on_poison(session: AsyncSession, data: ConsumerTestThing, event: Event) -> None:
        nonlocal attempts
        await record_effect(session, data, event)  # must be rolled back with the failure
        if data.name != "poison":
            return
        attempts += 1
        if attempts == 2:
            second_attempt_running.set()
            await release.wait()
        raise ValueError("cannot digest\n  this " + "x" * 2000)

    poison = _record(ConsumerTestThing(thing_id="t-9", name="poison"))
    _produce(broker, topic, poison, _record(ConsumerTestThing(thing_id="t-9", name="next")))
    consumer = IdempotentConsumer(
        group,
        [topic],
        {ConsumerTestThing.event_type: fails_on_poison},
        session_factory,
        broker,
        max_attempts=3,
        backoff=Backoff(initial=0.05, maximum=0.1),
    )
    run_consumer(consumer)

    await asyncio.wait_for(second_attempt_running.wait(), 20)
    # mid-retry: nothing committed, in Kafka or in the database
    assert await asyncio.to_thread(_committed_offset, broker, group, topic) < 0
    release.set()

    async def moved_on() -> bool:
        return await asyncio.to_thread(_committed_offset, broker, group, topic) == 2

    await _eventually(moved_on)
    assert attempts == 3
    assert await _effect_names(session_factory) == ["next"]
    [dead] = await asyncio.to_thread(_read_dlq, broker, group, 1)
    assert (dead.key(), dead.value()) == (poison[0], poison[1])
    headers = dict(dead.headers())
    assert {k: v for k, v in headers.items() if not k.startswith("dlq_")} == dict(poison[2])
    message = headers["dlq_error_message"].decode()
    assert message.startswith("cannot digest this xxx") and len(message) == 500
    del headers["dlq_error_message"]
    assert {k: v.decode() for k, v in headers.items() if k.startswith("dlq_")} == {
        "dlq_error_type": "ValueError",
        "dlq_original_topic": topic,
        "dlq_original_partition": "0",
        "dlq_original_offset": "0",
        "dlq_attempts": "3",
        "dlq_consumer_group": group,
    }
    assert _counter("consumer_events_dead_lettered_total", group) == 1


async def test_undecodable_and_invalid_messages_go_to_the_dlq_at_once(
    broker: str,
    topic: str,
    group: str,
    session_factory: async_sessionmaker[AsyncSession],
    run_consumer: Callable[[IdempotentConsumer], None],
) -> None:
    calls = 0

    async def counting(session: AsyncSession, data: ConsumerTestThing, event: Event) -> None:
        nonlocal calls
        calls += 1
        await record_effect(session, data, event)

    key, value, headers = _record(ConsumerTestThing(thing_id="t-5", name="fine"))
    wrong_data = json.dumps({"thing_id": "t-5"}).encode()  # "name" missing
    new_id = str(uuid.uuid4()).encode()
    _produce(
        broker,
        topic,
        (b"t-5", b"\x00not an event", [("content-type", b"application/json")]),
        (key, wrong_data, [(n, v) for n, v in headers if n != "ce_id"] + [("ce_id", new_id)]),
        (key, value, headers),
    )
    consumer = IdempotentConsumer(
        group,
        [topic],
        {ConsumerTestThing.event_type: counting},
        session_factory,
        broker,
        max_attempts=5,
    )
    run_consumer(consumer)

    async def all_consumed() -> bool:
        return await asyncio.to_thread(_committed_offset, broker, group, topic) == 3

    await _eventually(all_consumed)
    assert calls == 1 and await _effect_names(session_factory) == ["fine"]
    dead = await asyncio.to_thread(_read_dlq, broker, group, 2)
    summary = [
        (dict(m.headers())["dlq_error_type"], dict(m.headers())["dlq_attempts"]) for m in dead
    ]
    assert summary == [(b"InvalidEnvelope", b"1"), (b"InvalidEventData", b"1")]
    assert b"name" in dict(dead[1].headers())["dlq_error_message"]


def test_a_handler_for_a_type_without_schema_is_refused_at_start(
    session_factory: async_sessionmaker[AsyncSession], broker: str
) -> None:
    with pytest.raises(KeyError):
        IdempotentConsumer(
            "g", ["t"], {"kit.test.nobody.v1": record_effect}, session_factory, broker
        )


def test_a_retry_schedule_longer_than_the_poll_interval_is_refused(
    session_factory: async_sessionmaker[AsyncSession], broker: str
) -> None:
    with pytest.raises(ValueError, match=r"max\.poll\.interval"):
        IdempotentConsumer(
            "g",
            ["t"],
            {},
            session_factory,
            broker,
            max_attempts=50,
            backoff=Backoff(initial=1, maximum=60),
            consumer_overrides={"max.poll.interval.ms": 60_000},
        )


async def test_a_dependency_outage_is_waited_out_not_dead_lettered(
    broker: str,
    topic: str,
    group: str,
    session_factory: async_sessionmaker[AsyncSession],
    run_consumer: Callable[[IdempotentConsumer], None],
) -> None:
    outage_left = 3

    async def needs_a_peer(session: AsyncSession, data: ConsumerTestThing, event: Event) -> None:
        nonlocal outage_left
        await record_effect(session, data, event)
        if outage_left:
            outage_left -= 1
            raise Unavailable("developer-portal is down")

    _produce(
        broker,
        topic,
        _record(ConsumerTestThing(thing_id="t-7", name="one")),
        _record(ConsumerTestThing(thing_id="t-7", name="two")),
    )
    consumer = IdempotentConsumer(
        group,
        [topic],
        {ConsumerTestThing.event_type: needs_a_peer},
        session_factory,
        broker,
        max_attempts=1,  # a message-level failure would go straight to the DLQ
        backoff=Backoff(initial=0.05, maximum=0.1),
    )
    run_consumer(consumer)

    async def all_consumed() -> bool:
        return await asyncio.to_thread(_committed_offset, broker, group, topic) == 2

    await _eventually(all_consumed)
    assert outage_left == 0
    assert await _effect_names(session_factory) == ["one", "two"]  # in order, once each
    assert _counter("consumer_events_dead_lettered_total", group) == 0
    assert await asyncio.to_thread(_read_dlq, broker, group, 1, 2.0) == []
