"""`admin.developer.verified.v1` through the service's own handler on the real broker and
database: the schema's example (with this test's account) is produced to a private topic and
consumed by accounts' handlers through the kit's IdempotentConsumer. The account becomes
verified, active and on the direct track, `developer.account.status.changed.v1` is in the outbox
of the same transaction; a redelivery or a second verification changes nothing; a suspended
account stays suspended (verified); an unknown account is ignored."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from parovoz_developer_portal.accounts.events import admin_account_handlers
from parovoz_events.admin import DeveloperVerified
from parovoz_events.developer import DeveloperAccountStatusChanged
from parovoz_kit.events import Event
from parovoz_kit.infrastructure import Infrastructure
from parovoz_testing.consumers import consuming, handled, private_group, private_topic, produce
from sqlalchemy import text


@pytest.fixture(scope="module")
def group() -> str:
    return private_group("developer-portal.admin.events.v1")


@pytest.fixture(scope="module")
def topic(infrastructure: Infrastructure, group: str) -> Iterator[str]:
    with private_topic(infrastructure, group) as name:
        yield name


@pytest.fixture(scope="module")
async def consumer(infrastructure: Infrastructure, group: str, topic: str) -> AsyncIterator[str]:
    async with consuming(infrastructure, group, topic, admin_account_handlers(infrastructure)):
        yield group


def verified(developer_id: uuid.UUID) -> Event:
    """The schema's example, naming this test's account (as the admin stand-in sends it)."""
    data = DeveloperVerified.model_validate(
        {**DeveloperVerified.example_data, "developer_id": str(developer_id)}
    )
    return Event.from_data(data, "/parovoz/admin")


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
