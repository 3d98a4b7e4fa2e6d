"""A service's consumer handlers run on the real broker in a test: a private topic (and its
DLQ), the kit's IdempotentConsumer on it, events produced to it, and a bounded wait until the
group's inbox holds them."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic
from parovoz_kit.events import Event, IdempotentConsumer, dlq_topic, producer_config
from parovoz_kit.infrastructure import Infrastructure
from sqlalchemy import text


def private_group(name: str) -> str:
    """A consumer group of its own for one test module (its inbox rows never mix)."""
    return f"{name}.test-{uuid.uuid4().hex[:8]}"


@contextmanager
def private_topic(infrastructure: Infrastructure, group: str) -> Iterator[str]:
    """A one-partition topic and the group's DLQ, deleted afterwards."""
    name = f"test-events-{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": infrastructure.settings.kafka_bootstrap_servers})
    names = [name, dlq_topic(group)]
    for future in admin.create_topics([NewTopic(n, num_partitions=1) for n in names]).values():
        future.result(15)
    try:
        yield name
    finally:
        admin.delete_topics(names)


@asynccontextmanager
async def consuming(
    infrastructure: Infrastructure, group: str, topic: str, handlers: Mapping[str, Any]
) -> AsyncIterator[str]:
    """The kit's IdempotentConsumer with ``handlers`` on ``topic`` until the block ends."""
    worker = IdempotentConsumer(
        group=group,
        topics=[topic],
        handlers=handlers,
        session_factory=infrastructure.session_factory,
        bootstrap=infrastructure.settings.kafka_bootstrap_servers,
        max_attempts=2,
        poll_timeout=0.2,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    try:
        yield group
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)


def produce(infrastructure: Infrastructure, topic: str, *events: Event) -> None:
    """Send ``events`` as CloudEvents (binary mode) to partition 0 of ``topic``."""
    producer = Producer(producer_config(infrastructure.settings.kafka_bootstrap_servers))
    for event in events:
        record = event.to_kafka()
        headers: list[tuple[str, str | bytes | None]] = list(record.header_list())
        producer.produce(topic, key=record.key, value=record.value, headers=headers, partition=0)
    assert producer.flush(10) == 0


async def handled(
    infrastructure: Infrastructure, group: str, events: list[Event], seconds: float = 60
) -> None:
    """Wait (bounded) until the group's inbox holds every one of ``events``."""
    ids = [str(e.id) for e in events]
    deadline = time.monotonic() + seconds
    while True:
        async with infrastructure.session_factory() as session:
            count = (
                await session.execute(
                    text(
                        "SELECT count(*) FROM inbox WHERE consumer_group = :group "
                        "AND event_id = ANY(CAST(:ids AS uuid[]))"
                    ),
                    {"group": group, "ids": ids},
                )
            ).scalar_one()
        if count == len(set(ids)):
            return
        assert time.monotonic() < deadline, "the consumer did not handle the events in time"
        await asyncio.sleep(0.2)
