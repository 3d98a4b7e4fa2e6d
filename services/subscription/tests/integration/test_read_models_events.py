"""developer.events.v1 through access's own handlers on the real broker and database: the
schemas' examples (with this test's game ids and times) are produced to a private topic and
consumed by ``developer_event_handlers`` through the kit's IdempotentConsumer. The games read
model follows created / metadata / published / rolled back / unpublished; an event older than
the state held changes nothing; every change forgets the game's cached access answers, after
the consumer's commit."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from parovoz_events import EventData
from parovoz_events.developer import (
    GameCreated,
    GameMetadataUpdated,
    GamePublished,
    GameRolledBack,
    GameUnpublished,
)
from parovoz_kit.events import Event
from parovoz_kit.infrastructure import Infrastructure
from parovoz_subscription.access import events as access_events
from parovoz_subscription.access.events import developer_event_handlers
from parovoz_subscription.access.facts import GameFacts
from parovoz_subscription.access.read_models import SqlReadModels
from parovoz_testing.consumers import consuming, handled, private_group, private_topic, produce

T0 = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


class SpyCache:
    """Records what the handlers forget (and whether the change was committed by then)."""

    def __init__(self, infrastructure: Infrastructure) -> None:
        self.infrastructure = infrastructure
        self.forgotten: list[tuple[uuid.UUID, GameFacts | None]] = []

    async def invalidate(self, *, users: Any = (), plans: Any = (), games: Any = ()) -> None:
        for game_id in games:
            self.forgotten.append((game_id, await game_row(self.infrastructure, game_id)))


@pytest.fixture(scope="module")
def group() -> str:
    return private_group("subscription.developer.events.v1")


@pytest.fixture(scope="module")
def topic(infrastructure: Infrastructure, group: str) -> Iterator[str]:
    with private_topic(infrastructure, group) as name:
        yield name


@pytest.fixture(scope="module")
def spy(infrastructure: Infrastructure) -> Iterator[SpyCache]:
    spy = SpyCache(infrastructure)
    shared = infrastructure._shared
    before = shared.get("access-cache")
    shared["access-cache"] = spy
    yield spy
    if before is None:
        shared.pop("access-cache", None)
    else:
        shared["access-cache"] = before


@pytest.fixture(scope="module")
async def consumer(
    infrastructure: Infrastructure, group: str, topic: str, spy: SpyCache
) -> AsyncIterator[str]:
    handlers = developer_event_handlers(infrastructure)
    async with consuming(infrastructure, group, topic, handlers):
        yield group


async def game_row(infrastructure: Infrastructure, game_id: uuid.UUID) -> GameFacts | None:
    async with infrastructure.session_factory() as session:
        return await SqlReadModels(session).game(game_id)


def event(schema: type[EventData], **changes: Any) -> Event:
    """The schema's example with this test's ids and times."""
    data = schema.model_validate(
        {
            **schema.example_data,
            **{k: str(v) if isinstance(v, uuid.UUID) else v for k, v in changes.items()},
        }
    )
    return Event.from_data(data, "/parovoz/developer-portal")


async def deliver(infrastructure: Infrastructure, topic: str, group: str, *events: Event) -> None:
    produce(infrastructure, topic, *events)
    await handled(infrastructure, group, list(events))
    await access_events.settled()


def created(game_id: uuid.UUID, developer_id: uuid.UUID, **changes: Any) -> Event:
    return event(
        GameCreated,
        game_id=game_id,
        developer_id=developer_id,
        created_at=T0.isoformat(),
        **changes,
    )


def metadata(game_id: uuid.UUID, developer_id: uuid.UUID, at: datetime, **changes: Any) -> Event:
    return event(
        GameMetadataUpdated,
        game_id=game_id,
        developer_id=developer_id,
        updated_at=at.isoformat(),
        **changes,
    )


def published(game_id: uuid.UUID, developer_id: uuid.UUID, at: datetime) -> Event:
    return event(
        GamePublished,
        game_id=game_id,
        developer_id=developer_id,
        published_at=at.isoformat(),
        first_published_at=at.isoformat(),
    )


def unpublished(game_id: uuid.UUID, developer_id: uuid.UUID, at: datetime) -> Event:
    return event(
        GameUnpublished, game_id=game_id, developer_id=developer_id, unpublished_at=at.isoformat()
    )


def rolled_back(game_id: uuid.UUID, developer_id: uuid.UUID, at: datetime) -> Event:
    return event(
        GameRolledBack, game_id=game_id, developer_id=developer_id, rolled_back_at=at.isoformat()
    )


async def test_a_games_events_build_its_row(infrastructure, topic, consumer, spy) -> None:
    game_id, developer_id = uuid.uuid4(), uuid.uuid4()
    await deliver(infrastructure, topic, consumer, created(game_id, developer_id))
    draft = await game_row(infrastructure, game_id)
    assert draft is not None and draft.product_type == "game" and not draft.published
    assert draft.developer_id == developer_id and draft.source == "event"
    assert draft.age_rating is None and draft.regions == ()

    await deliver(
        infrastructure,
        topic,
        consumer,
        metadata(
            game_id,
            developer_id,
            T0 + timedelta(hours=1),
            age_rating="18+",
            regions=["RU", "BY"],
            release_date="2026-11-20",
        ),
        published(game_id, developer_id, T0 + timedelta(hours=2)),
    )
    live = await game_row(infrastructure, game_id)
    assert live is not None and live.published and live.age_rating == "18+"
    assert live.regions == ("BY", "RU") and live.release_date == date(2026, 11, 20)
    assert live.metadata_at == T0 + timedelta(hours=1)
    assert live.listing_at == T0 + timedelta(hours=2)

    await deliver(
        infrastructure, topic, consumer, unpublished(game_id, developer_id, T0 + timedelta(hours=3))
    )
    gone = await game_row(infrastructure, game_id)
    assert gone is not None and not gone.published and gone.age_rating == "18+"

    # Each change forgot the game's cached answers once committed (the spy reads the table).
    states = [row for forgotten, row in spy.forgotten if forgotten == game_id]
    assert len(states) == 4
    assert [row is not None and row.published for row in states] == [False, False, True, False]
    assert states[1] is not None and states[1].age_rating == "18+"


async def test_an_older_event_never_overwrites_a_newer_state(
    infrastructure, topic, consumer, spy
) -> None:
    game_id, developer_id = uuid.uuid4(), uuid.uuid4()
    newer = metadata(
        game_id, developer_id, T0 + timedelta(hours=5), age_rating="12+", regions=["KZ"]
    )
    older = metadata(game_id, developer_id, T0 + timedelta(hours=4), age_rating="0+", regions=[])
    gone = unpublished(game_id, developer_id, T0 + timedelta(hours=9))
    late_publication = published(game_id, developer_id, T0 + timedelta(hours=8))
    late_rollback = rolled_back(game_id, developer_id, T0 + timedelta(hours=7))
    await deliver(infrastructure, topic, consumer, newer, gone)
    before = len(spy.forgotten)
    await deliver(infrastructure, topic, consumer, older, late_publication, late_rollback)
    row = await game_row(infrastructure, game_id)
    assert row is not None
    assert (row.age_rating, row.regions, row.published) == ("12+", ("KZ",), False)
    assert row.metadata_at == T0 + timedelta(hours=5) and row.listing_at == T0 + timedelta(hours=9)
    assert [g for g, _ in spy.forgotten[before:] if g == game_id] == []  # nothing changed

    # A later rollback keeps the game published again (another version is served).
    await deliver(
        infrastructure, topic, consumer, published(game_id, developer_id, T0 + timedelta(hours=10))
    )
    await deliver(
        infrastructure,
        topic,
        consumer,
        rolled_back(game_id, developer_id, T0 + timedelta(hours=11)),
    )
    row = await game_row(infrastructure, game_id)
    assert row is not None and row.published and row.listing_at == T0 + timedelta(hours=11)


async def test_metadata_before_creation_then_the_creation_fills_the_fixed_facts(
    infrastructure, topic, consumer
) -> None:
    dlc_id, parent_id, developer_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await deliver(
        infrastructure,
        topic,
        consumer,
        metadata(dlc_id, developer_id, T0 + timedelta(hours=1), age_rating="6+", regions=["RU"]),
    )
    early = await game_row(infrastructure, dlc_id)
    assert early is not None and early.product_type is None and early.age_rating == "6+"
    await deliver(
        infrastructure,
        topic,
        consumer,
        created(dlc_id, developer_id, product_type="dlc", parent_game_id=parent_id),
    )
    row = await game_row(infrastructure, dlc_id)
    assert row is not None and row.product_type == "dlc" and row.parent_game_id == parent_id
    assert row.age_rating == "6+" and row.metadata_at == T0 + timedelta(hours=1)


async def test_a_redelivered_event_has_one_effect(infrastructure, topic, consumer, spy) -> None:
    game_id, developer_id = uuid.uuid4(), uuid.uuid4()
    once = published(game_id, developer_id, T0)
    await deliver(infrastructure, topic, consumer, once)
    # The same event id again, then another game's event behind it on the partition: once
    # that one is handled, the duplicate was seen (and skipped by the inbox).
    other = published(uuid.uuid4(), developer_id, T0)
    await deliver(infrastructure, topic, consumer, once, other)
    assert [g for g, _ in spy.forgotten if g == game_id] == [game_id]
