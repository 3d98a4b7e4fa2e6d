"""Access's read models against their real sources: the user stand-in (a profile fetched,
cached for the TTL, refreshed after it; the stand-in unreachable: the stale profile, or 503
``USER_SERVICE_UNAVAILABLE`` when none is known) and the running developer-portal (a game made
and rated through its REST API reaches the games read model through developer.events.v1 and the
access handlers, its publication too; a game the read model has never heard of is answered by
developer-portal's GetGame and stored)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from confluent_kafka import Producer
from parovoz_events.developer import GamePublished
from parovoz_kit.errors import Unavailable
from parovoz_kit.events import Event, producer_config
from parovoz_kit.infrastructure import Infrastructure
from parovoz_subscription.access.events import developer_event_handlers
from parovoz_subscription.access.facts import GameFacts, UserFacts
from parovoz_subscription.access.read_models import SqlReadModels
from parovoz_subscription.access.read_models_service import game_facts, user_facts
from parovoz_subscription.access.users import HttpUserProfiles, user_profiles
from parovoz_subscription.clients.developer_portal import developer_portal_games
from parovoz_subscription.unit_of_work import subscription_unit_of_work
from parovoz_testing.consumers import consuming, private_group
from parovoz_testing.developer_portal import DEVELOPER, drafted_game
from parovoz_testing.tokens import auth
from sqlalchemy import text

USERS = "http://127.0.0.1:8092/users"
TOPIC = "developer.events.v1"


def put_profile(user_id: uuid.UUID, region: str, birth_date: str, blocked: bool = False) -> None:
    body = {"birth_date": birth_date, "region": region, "blocked": blocked}
    httpx.put(f"{USERS}/{user_id}", json=body).raise_for_status()


async def facts_now(
    infrastructure: Infrastructure, profiles: Any, user_id: uuid.UUID, now: datetime
) -> UserFacts | None:
    async with subscription_unit_of_work(infrastructure) as uow:
        answer = await user_facts(uow, profiles, user_id, now=now)
        await uow.commit()
    return answer


async def test_a_profile_is_fetched_cached_for_its_ttl_then_refreshed(infrastructure) -> None:
    user_id = uuid.uuid4()
    put_profile(user_id, "KZ", "2010-04-01")
    profiles = user_profiles(infrastructure)
    ttl = profiles.fresh_for
    now = infrastructure.clock.now()
    first = await facts_now(infrastructure, profiles, user_id, now)
    assert first is not None and (first.region, first.birth_date) == ("KZ", date(2010, 4, 1))
    async with infrastructure.session_factory() as session:
        stored = await SqlReadModels(session).user(user_id)
    assert stored is not None and stored.fetched_at == now and not stored.blocked

    put_profile(user_id, "RU", "2010-04-01", blocked=True)
    cached = await facts_now(infrastructure, profiles, user_id, now + ttl - timedelta(seconds=1))
    assert cached is not None and cached.region == "KZ"
    refreshed = await facts_now(infrastructure, profiles, user_id, now + ttl)
    assert refreshed is not None and refreshed.region == "RU" and refreshed.blocked


async def test_user_service_unreachable_answers_stale_or_503(infrastructure) -> None:
    known, unknown = uuid.uuid4(), uuid.uuid4()
    put_profile(known, "BY", "1999-12-31")
    now = infrastructure.clock.now()
    await facts_now(infrastructure, user_profiles(infrastructure), known, now)
    dead = HttpUserProfiles("http://127.0.0.1:9", fresh_for=timedelta(hours=1), timeout_seconds=1)
    try:
        stale = await facts_now(infrastructure, dead, known, now + timedelta(hours=2))
        assert stale is not None and stale.stale and stale.region == "BY"
        with pytest.raises(Unavailable) as refused:
            await facts_now(infrastructure, dead, unknown, now)
        assert refused.value.code == "USER_SERVICE_UNAVAILABLE"
    finally:
        await dead.aclose()


async def test_an_unknown_user_is_none(infrastructure) -> None:
    now = infrastructure.clock.now()
    assert await facts_now(infrastructure, user_profiles(infrastructure), uuid.uuid4(), now) is None


# --- developer-portal ---------------------------------------------------------------------------


async def rated_game(user_id: str, **attributes: object) -> tuple[uuid.UUID, uuid.UUID]:
    """A game drafted at the running developer-portal and given store attributes; its id and
    its developer's."""
    async with httpx.AsyncClient(timeout=30) as http:
        game_id, developer_id = await drafted_game(http, user_id)
        answer = await http.patch(
            f"{DEVELOPER}/games/{game_id}",
            headers=auth(user_id),
            json={"data": {"type": "game", "attributes": attributes}},
        )
        assert answer.status_code == 200, answer.text
    return game_id, developer_id


async def eventually(
    infrastructure: Infrastructure,
    game_id: uuid.UUID,
    check: Callable[[GameFacts], bool],
    seconds: float = 60,
) -> GameFacts:
    deadline = time.monotonic() + seconds
    while True:
        async with infrastructure.session_factory() as session:
            row = await SqlReadModels(session).game(game_id)
        if row is not None and check(row):
            return row
        assert time.monotonic() < deadline, f"the games read model never showed it: {row}"
        await asyncio.sleep(0.3)


async def test_a_game_never_heard_of_is_asked_of_developer_portal_and_stored(
    infrastructure,
) -> None:
    owner = str(uuid.uuid4())
    game_id, developer_id = await rated_game(owner, age_rating="12+", regions=["BY"])
    directory = developer_portal_games(infrastructure)
    async with subscription_unit_of_work(infrastructure) as uow:
        # Whatever the events brought already is dropped, so the read model misses; the
        # table lock keeps the running consumers from bringing it back meanwhile.
        await uow.session.execute(text("LOCK TABLE access_games IN EXCLUSIVE MODE"))
        await uow.session.execute(
            text("DELETE FROM access_games WHERE game_id = :id"), {"id": game_id}
        )
        facts = await game_facts(uow, game_id, directory)
        assert facts is not None and facts.source == "grpc"
        assert facts.developer_id == developer_id and facts.product_type == "game"
        assert not facts.published  # a draft
        if facts.metadata_at is None:
            # developer-portal's Game carried no store attributes: any metadata event fills
            # them in, even one older than the game's updated_at.
            assert facts.age_rating is None
            assert await uow.read_models.game_metadata(
                game_id,
                developer_id=developer_id,
                age_rating="12+",
                regions=["BY"],
                release_date=None,
                at=datetime(2000, 1, 1, tzinfo=UTC),
                now=infrastructure.clock.now(),
            )
        filled = await uow.read_models.game(game_id)
        assert filled is not None and (filled.age_rating, filled.regions) == ("12+", ("BY",))
        await uow.commit()
    async with subscription_unit_of_work(infrastructure) as uow:
        again = await game_facts(uow, game_id)  # the table alone answers now
    assert again is not None and again.game_id == game_id
    async with subscription_unit_of_work(infrastructure) as uow:
        assert await game_facts(uow, uuid.uuid4(), directory) is None


@pytest.fixture(scope="module")
async def live_consumer(infrastructure: Infrastructure) -> AsyncIterator[str]:
    """access's handlers on the platform's developer.events.v1, as a group of this module."""
    group = private_group("subscription.developer.events.v1")
    async with consuming(infrastructure, group, TOPIC, developer_event_handlers(infrastructure)):
        yield group


async def test_a_game_made_at_developer_portal_reaches_the_read_model(
    infrastructure, live_consumer
) -> None:
    owner = str(uuid.uuid4())
    game_id, _ = await rated_game(
        owner, age_rating="16+", regions=["RU", "KZ"], release_date="2026-11-01"
    )
    row = await eventually(infrastructure, game_id, lambda r: r.age_rating == "16+")
    assert row.regions == ("KZ", "RU") and row.release_date == date(2026, 11, 1)
    assert not row.published and row.product_type == "game"

    # developer-portal's publication needs a reviewed version and builds: its event is
    # produced the way its outbox relay would (as tests-e2e's publish_game does).
    now = datetime.now(UTC)
    published = Event.from_data(
        GamePublished(
            developer_id=row.developer_id or uuid.uuid4(),
            game_id=game_id,
            version_id=uuid.uuid4(),
            published_at=now,
            published_by_user_id=None,
            first_published_at=now,
        ),
        source="/parovoz/developer-portal",
    ).to_kafka()
    producer = Producer(producer_config(infrastructure.settings.kafka_bootstrap_servers))
    producer.produce(
        TOPIC, key=published.key, value=published.value, headers=published.header_list()
    )
    assert producer.flush(10) == 0
    live = await eventually(infrastructure, game_id, lambda r: r.published)
    assert live.age_rating == "16+"
