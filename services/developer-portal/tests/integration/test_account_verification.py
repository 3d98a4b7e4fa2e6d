"""`admin.developer.verified.v1` through the service's own handler on the real broker and
database: the schema's example (with this test's account) is produced to a private topic and
consumed by accounts' handlers through the kit's IdempotentConsumer. The account becomes
verified, active and on the direct track, `developer.account.status.changed.v1` is in the outbox
of the same transaction; a redelivery or a second verification changes nothing; a suspended
account stays suspended (verified); an unknown account is ignored."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic
from parovoz_developer_portal.accounts.events import admin_account_handlers
from parovoz_events.admin import DeveloperVerified
from parovoz_events.developer import DeveloperAccountStatusChanged
from parovoz_kit.events import Event, IdempotentConsumer, dlq_topic, producer_config
from parovoz_kit.infrastructure import Infrastructure
from sqlalchemy import text


@pytest.fixture(scope="module")
def group() -> str:
    return f"developer-portal.admin.events.v1.test-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def topic(infrastructure: Infrastructure, group: str) -> Iterator[str]:
    bootstrap = infrastructure.settings.kafka_bootstrap_servers
    name = f"dp-admin-events-test-{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": bootstrap})
    names = [name, dlq_topic(group)]
    for future in admin.create_topics([NewTopic(n, num_partitions=1) for n in names]).values():
        future.result(15)
    yield name
    admin.delete_topics(names)


@pytest.fixture(scope="module")
async def consumer(infrastructure: Infrastructure, group: str, topic: str) -> AsyncIterator[str]:
    worker = IdempotentConsumer(
        group=group,
        topics=[topic],
        handlers=admin_account_handlers(infrastructure),
        session_factory=infrastructure.session_factory,
        bootstrap=infrastructure.settings.kafka_bootstrap_servers,
        max_attempts=2,
        poll_timeout=0.2,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    yield group
    stop.set()
    await asyncio.wait_for(task, 20)


def verified(developer_id: uuid.UUID) -> Event:
    """The schema's example, naming this test's account (as the admin stand-in sends it)."""
    data = DeveloperVerified.model_validate(
        {**DeveloperVerified.example_data, "developer_id": str(developer_id)}
    )
    return Event.from_data(data, "/parovoz/admin")


def produce(infrastructure: Infrastructure, topic: str, *events: Event) -> None:
    producer = Producer(producer_config(infrastructure.settings.kafka_bootstrap_servers))
    for event in events:
        record = event.to_kafka()
        producer.produce(
            topic, key=record.key, value=record.value, headers=record.header_list(), partition=0
        )
    assert producer.flush(10) == 0


async def handled(infrastructure: Infrastructure, group: str, events: list[Event]) -> None:
    ids = [str(e.id) for e in events]
    deadline = time.monotonic() + 60
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


async def account(infrastructure: Infrastructure, developer_id: uuid.UUID) -> Any:
    async with infrastructure.session_factory() as session:
        return (
            await session.execute(
                text(
                    "SELECT status, publishing_track, verified FROM developer_accounts "
                    "WHERE id = :id"
                ),
                {"id": developer_id},
            )
        ).one()


async def status_events(
    infrastructure: Infrastructure, developer_id: uuid.UUID
) -> list[DeveloperAccountStatusChanged]:
    async with infrastructure.session_factory() as session:
        rows = await session.execute(
            text(
                "SELECT payload FROM outbox WHERE type = 'developer.account.status.changed.v1' "
                "AND key = :key ORDER BY seq"
            ),
            {"key": str(developer_id)},
        )
        return [DeveloperAccountStatusChanged.model_validate(row.payload) for row in rows]


async def test_a_verified_studio_becomes_active_on_the_direct_track_once(
    studio, infrastructure, topic, consumer
) -> None:
    before = await account(infrastructure, studio.developer_id)
    assert tuple(before) == ("pending_verification", "greenlight", False)
    first, second = verified(studio.developer_id), verified(studio.developer_id)
    produce(infrastructure, topic, first, first, second)  # a redelivery and a second decision
    await handled(infrastructure, consumer, [first, second])

    assert tuple(await account(infrastructure, studio.developer_id)) == (
        "active",
        "direct",
        True,
    )
    [changed] = await status_events(infrastructure, studio.developer_id)
    assert changed.developer_id == studio.developer_id
    assert (changed.previous_status, changed.status) == ("pending_verification", "active")
    assert (changed.publishing_track, changed.verified, changed.reason) == ("direct", True, None)

    me = await studio.client.get("/api/v1/developer/accounts/me", headers=studio.auth(studio.owner))
    shown = me.json()["data"]["attributes"]
    assert (shown["status"], shown["publishing_track"]) == ("active", "direct")


async def test_a_suspended_account_stays_suspended_but_verified(
    new_studio, infrastructure, topic, consumer
) -> None:
    suspended = await new_studio()
    async with infrastructure.session_factory.begin() as session:
        await session.execute(
            text("UPDATE developer_accounts SET status = 'suspended' WHERE id = :id"),
            {"id": suspended.developer_id},
        )
    decision = verified(suspended.developer_id)
    produce(infrastructure, topic, decision)
    await handled(infrastructure, consumer, [decision])
    assert tuple(await account(infrastructure, suspended.developer_id)) == (
        "suspended",
        "direct",
        True,
    )
    [changed] = await status_events(infrastructure, suspended.developer_id)
    assert (changed.previous_status, changed.status, changed.publishing_track) == (
        "suspended",
        "suspended",
        "direct",
    )


async def test_an_unknown_account_is_ignored(infrastructure, topic, consumer) -> None:
    nobody = uuid.uuid4()
    decision = verified(nobody)
    produce(infrastructure, topic, decision)
    await handled(infrastructure, consumer, [decision])  # taken (not dead-lettered), no effect
    assert await status_events(infrastructure, nobody) == []
