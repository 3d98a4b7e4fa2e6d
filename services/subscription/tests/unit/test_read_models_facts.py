"""Access's read models in memory: the facts' rules (age, regions, new releases), the use cases
over fakes (a fresh, expired or missing profile; the user service down; a game the events never
brought), developer-portal's Game and the user service's answers read into facts."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from parovoz.common.v1 import date_pb2
from parovoz.developer.v1 import developer_service_pb2 as pb
from parovoz_kit.clock import ManualClock
from parovoz_kit.errors import Unavailable
from parovoz_subscription.access.facts import (
    GameFacts,
    UserFacts,
    UserProfile,
    age_on,
    minimum_age,
)
from parovoz_subscription.access.read_models_service import game_facts, user_facts
from parovoz_subscription.access.users import HttpUserProfiles
from parovoz_subscription.clients.developer_portal import game_facts_of

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
TTL = timedelta(hours=1)


def a_game(**changes: Any) -> GameFacts:
    game = GameFacts(
        game_id=uuid.uuid4(),
        developer_id=uuid.uuid4(),
        product_type="game",
        parent_game_id=None,
        age_rating="16+",
        regions=("KZ", "RU"),
        release_date=date(2026, 10, 1),
        published=True,
        metadata_at=NOW,
        listing_at=NOW,
        source="event",
        updated_at=NOW,
    )
    return replace(game, **changes)


# --- facts -------------------------------------------------------------------------------------


def test_age_counts_full_years_and_leap_day_birthdays() -> None:
    assert age_on(date(2010, 12, 8), date(2026, 12, 7)) == 15
    assert age_on(date(2010, 12, 7), date(2026, 12, 7)) == 16
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17
    assert age_on(date(2008, 2, 29), date(2026, 3, 1)) == 18


def test_minimum_age_of_each_rating() -> None:
    assert [minimum_age(r) for r in ("0+", "6+", "12+", "16+", "18+")] == [0, 6, 12, 16, 18]
    assert minimum_age(None) == 0
    with pytest.raises(ValueError):
        minimum_age("21+")


def test_a_game_suits_an_age_from_its_rating_on() -> None:
    game = a_game(age_rating="18+")
    assert not game.suits_age(17)
    assert game.suits_age(18)
    assert a_game(age_rating=None).suits_age(0)


def test_regions_restrict_only_when_named() -> None:
    game = a_game(regions=("KZ", "RU"))
    assert game.available_in("RU") and game.available_in("kz")
    assert not game.available_in("BY")
    assert a_game(regions=()).available_in("BY")


def test_new_release_window_counts_from_the_release_date() -> None:
    game = a_game(release_date=date(2026, 9, 8))
    assert game.released_within(90, date(2026, 12, 7))
    assert not game.released_within(90, date(2026, 12, 8))
    assert not a_game(release_date=date(2027, 1, 1)).released_within(90, date(2026, 12, 7))
    assert not a_game(release_date=None).released_within(90, date(2026, 12, 7))


# --- use cases over fakes ----------------------------------------------------------------------


class FakeReadModels:
    def __init__(self) -> None:
        self.games: dict[uuid.UUID, GameFacts] = {}
        self.users: dict[uuid.UUID, UserFacts] = {}

    async def game(self, game_id: uuid.UUID) -> GameFacts | None:
        return self.games.get(game_id)

    async def remember_game(self, game: GameFacts) -> GameFacts:
        return self.games.setdefault(game.game_id, game)

    async def user(self, user_id: uuid.UUID) -> UserFacts | None:
        return self.users.get(user_id)

    async def remember_user(self, user: UserFacts) -> bool:
        before = self.users.get(user.user_id)
        self.users[user.user_id] = user
        return before is None or (before.region, before.birth_date, before.blocked) != (
            user.region,
            user.birth_date,
            user.blocked,
        )

    async def forget_user(self, user_id: uuid.UUID) -> bool:
        return self.users.pop(user_id, None) is not None


class FakeUow:
    def __init__(self) -> None:
        self.read_models = FakeReadModels()
        self.clock = ManualClock(NOW)
        self.changed: dict[str, set[uuid.UUID]] = {"users": set(), "games": set()}

    def access_changed(self, *, users: Any = (), games: Any = (), plans: Any = ()) -> None:
        self.changed["users"].update(users)
        self.changed["games"].update(games)


class FakeProfiles:
    def __init__(self, answers: dict[uuid.UUID, UserProfile | None]) -> None:
        self.answers = answers
        self.down = False
        self.asked = 0

    @property
    def fresh_for(self) -> timedelta:
        return TTL

    async def profile(self, user_id: uuid.UUID) -> UserProfile | None:
        self.asked += 1
        if self.down:
            raise Unavailable("down", code="USER_SERVICE_UNAVAILABLE")
        return self.answers.get(user_id)


class FakeDirectory:
    def __init__(self, games: dict[uuid.UUID, GameFacts]) -> None:
        self.games = games
        self.down = False
        self.asked = 0

    async def game(self, game_id: uuid.UUID) -> GameFacts | None:
        self.asked += 1
        if self.down:
            raise Unavailable("down", code="DEVELOPER_PORTAL_UNAVAILABLE")
        return self.games.get(game_id)


def profile_of(user_id: uuid.UUID, region: str = "RU") -> UserProfile:
    return UserProfile(user_id, region, date(2000, 5, 17), blocked=False)


async def test_a_fetched_profile_is_stored_and_answers_until_its_ttl() -> None:
    uow, user = FakeUow(), uuid.uuid4()
    profiles = FakeProfiles({user: profile_of(user)})
    first = await user_facts(uow, profiles, user)
    assert first is not None and first.region == "RU" and first.fetched_at == NOW
    assert uow.changed["users"] == {user}
    profiles.answers[user] = profile_of(user, "KZ")
    uow.clock.advance(TTL - timedelta(seconds=1))
    assert (await user_facts(uow, profiles, user)) == first
    assert profiles.asked == 1
    uow.clock.advance(timedelta(seconds=1))
    refreshed = await user_facts(uow, profiles, user)
    assert refreshed is not None and refreshed.region == "KZ" and profiles.asked == 2


async def test_a_refresh_that_changes_nothing_names_no_user() -> None:
    uow, user = FakeUow(), uuid.uuid4()
    profiles = FakeProfiles({user: profile_of(user)})
    await user_facts(uow, profiles, user)
    uow.changed["users"].clear()
    await user_facts(uow, profiles, user, now=NOW + 2 * TTL)
    assert profiles.asked == 2 and uow.changed["users"] == set()


async def test_user_service_down_answers_the_expired_profile_marked_stale() -> None:
    uow, user = FakeUow(), uuid.uuid4()
    profiles = FakeProfiles({user: profile_of(user)})
    await user_facts(uow, profiles, user)
    profiles.down = True
    stale = await user_facts(uow, profiles, user, now=NOW + 2 * TTL)
    assert stale is not None and stale.stale and stale.region == "RU"


async def test_user_service_down_and_nothing_known_is_a_503() -> None:
    profiles = FakeProfiles({})
    profiles.down = True
    with pytest.raises(Unavailable) as refused:
        await user_facts(FakeUow(), profiles, uuid.uuid4())
    assert refused.value.code == "USER_SERVICE_UNAVAILABLE"


async def test_an_unknown_user_is_none_and_a_removed_one_is_forgotten() -> None:
    uow, user = FakeUow(), uuid.uuid4()
    profiles = FakeProfiles({user: profile_of(user)})
    assert await user_facts(uow, FakeProfiles({}), uuid.uuid4()) is None
    await user_facts(uow, profiles, user)
    profiles.answers[user] = None
    uow.changed["users"].clear()
    assert await user_facts(uow, profiles, user, now=NOW + 2 * TTL) is None
    assert user not in uow.read_models.users and uow.changed["users"] == {user}


async def test_a_game_the_read_model_holds_is_answered_without_asking() -> None:
    uow, game = FakeUow(), a_game()
    uow.read_models.games[game.game_id] = game
    directory = FakeDirectory({})
    assert await game_facts(uow, game.game_id, directory) == game
    assert directory.asked == 0


async def test_an_unheard_of_game_is_asked_once_then_stored() -> None:
    uow, game = FakeUow(), a_game(source="grpc")
    directory = FakeDirectory({game.game_id: game})
    assert await game_facts(uow, game.game_id, directory) == game
    assert await game_facts(uow, game.game_id, directory) == game
    assert directory.asked == 1 and uow.changed["games"] == {game.game_id}
    assert await game_facts(uow, uuid.uuid4(), directory) is None
    assert await game_facts(uow, uuid.uuid4()) is None  # no directory: the table only


async def test_developer_portal_down_for_an_unheard_of_game_is_a_503() -> None:
    directory = FakeDirectory({})
    directory.down = True
    with pytest.raises(Unavailable) as refused:
        await game_facts(FakeUow(), uuid.uuid4(), directory)
    assert refused.value.code == "DEVELOPER_PORTAL_UNAVAILABLE"


# --- adapters ----------------------------------------------------------------------------------


def test_developer_portals_game_reads_into_facts() -> None:
    game_id, developer_id = uuid.uuid4(), uuid.uuid4()
    updated = Timestamp()
    updated.FromDatetime(datetime(2026, 11, 1, 9, 30))
    game = pb.Game(
        id=str(game_id),
        developer_id=str(developer_id),
        product_type=pb.PRODUCT_TYPE_DLC,
        parent_game_id=str(game_id),
        status=pb.GAME_STATUS_PUBLISHED,
        age_rating=pb.AGE_RATING_12_PLUS,
        regions=["ru", "KZ"],
        release_date=date_pb2.Date(year=2026, month=10, day=1),
        updated_at=updated,
    )
    facts = game_facts_of(game, NOW)
    assert facts.age_rating == "12+" and facts.regions == ("KZ", "RU")
    assert facts.product_type == "dlc" and facts.published and facts.source == "grpc"
    assert facts.release_date == date(2026, 10, 1)
    assert facts.metadata_at == facts.listing_at == datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
    draft = game_facts_of(pb.Game(id=str(game_id), status=pb.GAME_STATUS_DRAFT), NOW)
    assert draft.age_rating is None and draft.release_date is None and not draft.published
    assert draft.developer_id is None and draft.listing_at == NOW
    assert draft.metadata_at is None  # no store attributes: metadata unknown, not as of now


def profiles_answering(handler: Any) -> HttpUserProfiles:
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler), base_url="http://users")
    return HttpUserProfiles("http://users", fresh_for=TTL, client=client, failure_threshold=2)


async def test_the_user_services_answers() -> None:
    user = uuid.uuid4()

    def answer(request: httpx.Request) -> httpx.Response:
        assert request.url.path == f"/users/{user}"
        body = {"id": str(user), "region": "KZ", "birth_date": "2011-03-04", "blocked": True}
        return httpx.Response(200, json=body)

    profile = await profiles_answering(answer).profile(user)
    assert profile == UserProfile(user, "KZ", date(2011, 3, 4), blocked=True)
    missing = profiles_answering(lambda _: httpx.Response(404, json={"errors": []}))
    assert await missing.profile(user) is None


@pytest.mark.parametrize(
    "answer",
    [
        lambda _: httpx.Response(503, text="busy"),
        lambda _: httpx.Response(200, json={"region": "KZ"}),
        lambda _: httpx.Response(200, json={"region": "Kazakhstan", "birth_date": "2011-03-04"}),
        lambda _: httpx.Response(200, text="<html>"),
    ],
)
async def test_an_unusable_answer_means_unavailable(answer: Any) -> None:
    with pytest.raises(Unavailable) as refused:
        await profiles_answering(answer).profile(uuid.uuid4())
    assert refused.value.code == "USER_SERVICE_UNAVAILABLE"


async def test_failures_in_a_row_open_the_breaker() -> None:
    calls = 0

    def refuse(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise httpx.ConnectError("refused", request=request)

    profiles = profiles_answering(refuse)
    for _ in range(3):
        with pytest.raises(Unavailable):
            await profiles.profile(uuid.uuid4())
    assert calls == 2  # the third was not even tried
