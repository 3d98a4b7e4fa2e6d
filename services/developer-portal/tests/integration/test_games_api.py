"""`GET/PATCH /games/{id}`, `unpublish`, `archive` on the real engines: the full game (store
attributes, locales, links), attribute changes announced with the full state, unpublish and
archive moving the game and announcing `unpublished` only for a game that was on the store,
role rights and tenant isolation."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from parovoz_testing.tokens import service_token

sys.path.insert(0, str(Path(__file__).parent))
from game_routes_support import (
    GAMES,
    METADATA_UPDATED,
    UNPUBLISHED,
    A,
    GameStudio,
    change,
    error,
    texts,
)


@pytest.fixture
async def studio(new_studio: Callable[[], Awaitable[Any]]) -> GameStudio:
    return GameStudio(await new_studio())


@pytest.fixture
async def game(studio: GameStudio) -> str:
    return await studio.draft("Сибирский экспресс")


@pytest.mark.parametrize("product_type", ["game", "software"])
async def test_a_product_is_shown_whole(studio: GameStudio, product_type: str) -> None:
    game = await studio.draft(product_type=product_type)
    answer = await studio.get(f"/{game}")
    assert answer.status_code == 200
    data = answer.json()["data"]
    assert data["attributes"]["product_type"] == product_type
    assert data["attributes"]["status"] == "draft"
    assert data["attributes"]["locales"] == []
    assert (data["attributes"]["age_rating"], data["attributes"]["regions"]) == (None, [])
    url = f"{GAMES}/{game}"
    assert data["links"] == {
        "self": url,
        "metadata": f"{url}/metadata",
        "prices": f"{url}/prices",
        "media": f"{url}/media",
        "versions": f"{url}/versions",
        "releases": f"{url}/releases",
    }


async def test_a_dlc_names_its_game(studio: GameStudio, game: str) -> None:
    dlc = await studio.draft(product_type="dlc", parent_game_id=game)
    shown = (await studio.get(f"/{dlc}")).json()["data"]["attributes"]
    assert (shown["product_type"], shown["parent_game_id"]) == ("dlc", game)


async def test_store_attributes_change_and_are_announced(studio: GameStudio, game: str) -> None:
    await studio.put(f"/{game}/metadata/ru-RU", texts("Транссиб"))
    answer = await studio.patch(
        f"/{game}",
        change(age_rating="12+", regions=["RU", "KZ", "BY", "KZ"], release_date="2027-03-01"),
    )
    assert answer.status_code == 200, answer.text
    attributes = answer.json()["data"]["attributes"]
    assert attributes["age_rating"] == "12+"
    assert attributes["regions"] == ["BY", "KZ", "RU"]
    assert attributes["release_date"] == "2027-03-01"
    assert attributes["locales"] == ["ru-RU"]
    assert attributes["title"] == "Сибирский экспресс"
    assert (await studio.get(f"/{game}")).json() == answer.json()

    events = await studio.events(game, METADATA_UPDATED)
    assert len(events) == 2
    last = events[-1]
    assert (last["title"], last["age_rating"], last["release_date"]) == (
        "Транссиб",
        "12+",
        "2027-03-01",
    )
    assert last["regions"] == ["BY", "KZ", "RU"]

    # The same values again: nothing changes, nothing is announced.
    same = await studio.patch(f"/{game}", change(age_rating="12+", regions=["RU", "BY", "KZ"]))
    assert same.status_code == 200 and same.json() == answer.json()
    assert len(await studio.events(game, METADATA_UPDATED)) == 2

    # Only what is sent changes; null clears the rating and the date, [] the regions.
    cleared = await studio.patch(f"/{game}", change(age_rating=None, release_date=None))
    cleared_attributes = cleared.json()["data"]["attributes"]
    assert (cleared_attributes["age_rating"], cleared_attributes["release_date"]) == (None, None)
    assert cleared_attributes["regions"] == ["BY", "KZ", "RU"]
    nowhere = await studio.patch(f"/{game}", change(regions=[]))
    assert nowhere.json()["data"]["attributes"]["regions"] == []
    assert len(await studio.events(game, METADATA_UPDATED)) == 4


async def test_the_title_changes_unless_another_product_has_it(
    studio: GameStudio, game: str
) -> None:
    await studio.draft("Занятое название")
    renamed = await studio.patch(f"/{game}", change(title="  Новое название "))
    assert renamed.json()["data"]["attributes"]["title"] == "Новое название"
    [event] = await studio.events(game, METADATA_UPDATED)
    assert event["title"] == "Новое название"  # no ru-RU texts: the product's title
    taken = await studio.patch(f"/{game}", change(title="занятое НАЗВАНИЕ"))
    assert taken.status_code == 409 and error(taken)["code"] == "RESOURCE_ALREADY_EXISTS"
    assert error(taken)["source"] == {"pointer": f"{A}/title"}
    assert (await studio.get(f"/{game}")).json()["data"]["attributes"]["title"] == "Новое название"


@pytest.mark.parametrize(
    ("attributes", "code", "pointer"),
    [
        ({"title": None}, "VALIDATION_ERROR", f"{A}/title"),
        ({"title": ""}, "VALIDATION_ERROR", f"{A}/title"),
        ({"regions": None}, "VALIDATION_ERROR", f"{A}/regions"),
        ({"regions": ["ru"]}, "VALIDATION_ERROR", f"{A}/regions/0"),
        ({"regions": ["RU", "ZZ"]}, "INVALID_REGION", f"{A}/regions/1"),
        ({"age_rating": "21+"}, "VALIDATION_ERROR", f"{A}/age_rating"),
        ({"age_rating": 12}, "VALIDATION_ERROR", f"{A}/age_rating"),
        ({"release_date": 20270301}, "VALIDATION_ERROR", f"{A}/release_date"),
        ({"release_date": "2027-02-30"}, "VALIDATION_ERROR", f"{A}/release_date"),
        ({"status": "published"}, "VALIDATION_ERROR", f"{A}/status"),
    ],
)
async def test_invalid_attributes_are_400_with_a_pointer(
    studio: GameStudio, game: str, attributes: dict[str, Any], code: str, pointer: str
) -> None:
    answer = await studio.patch(f"/{game}", change(**attributes))
    assert answer.status_code == 400, answer.text
    assert answer.json()["errors"][0]["code"] == code
    assert answer.json()["errors"][0]["source"] == {"pointer": pointer}
    assert await studio.events(game, METADATA_UPDATED) == []


async def test_unpublish_takes_a_published_game_off_the_store(
    studio: GameStudio, game: str
) -> None:
    draft = await studio.post(f"/{game}/unpublish")
    assert draft.status_code == 422 and error(draft)["code"] == "GAME_STATE_CONFLICT"

    await studio.set_status(game, "published")
    body = {"data": {"type": "gameUnpublication", "attributes": {"reason": "Большое обновление"}}}
    answer = await studio.post(f"/{game}/unpublish", body)
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["attributes"]["status"] == "unpublished"
    [event] = await studio.events(game, UNPUBLISHED)
    assert event["reason"] == "Большое обновление"
    assert event["unpublished_by_user_id"] == str(studio.owner)
    assert event["developer_id"] == studio.developer_id

    again = await studio.post(f"/{game}/unpublish")
    assert again.status_code == 422 and error(again)["code"] == "GAME_STATE_CONFLICT"
    assert len(await studio.events(game, UNPUBLISHED)) == 1


async def test_unpublish_without_a_body_has_no_reason(studio: GameStudio, game: str) -> None:
    await studio.set_status(game, "published")
    answer = await studio.client.post(f"{GAMES}/{game}/unpublish", headers=studio.auth())
    assert answer.status_code == 200, answer.text
    [event] = await studio.events(game, UNPUBLISHED)
    assert event["reason"] is None


@pytest.mark.parametrize(
    ("status", "announced"),
    [
        ("draft", False),
        ("in_review", False),
        ("rejected", False),
        ("unpublished", False),
        ("published", True),
    ],
)
async def test_archive_is_final_and_announced_only_for_a_game_on_the_store(
    studio: GameStudio, game: str, status: str, announced: bool
) -> None:
    await studio.set_status(game, status)
    answer = await studio.post(f"/{game}/archive")
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["attributes"]["status"] == "archived"
    assert len(await studio.events(game, UNPUBLISHED)) == int(announced)
    for again in (await studio.post(f"/{game}/archive"), await studio.post(f"/{game}/unpublish")):
        assert again.status_code == 422 and error(again)["code"] == "GAME_STATE_CONFLICT"


@pytest.mark.parametrize("role", ["viewer", "finance"])
async def test_viewers_and_finance_read_the_game_but_do_not_change_it(
    studio: GameStudio, game: str, role: str
) -> None:
    member = await studio.member(role)
    assert (await studio.get(f"/{game}", member)).status_code == 200
    await studio.set_status(game, "published")
    for answer in (
        await studio.patch(f"/{game}", change(age_rating="6+"), member),
        await studio.post(f"/{game}/unpublish", None, member),
        await studio.post(f"/{game}/archive", None, member),
    ):
        assert answer.status_code == 403 and error(answer)["code"] == "TEAM_ROLE_FORBIDS"
    assert (await studio.get(f"/{game}")).json()["data"]["attributes"]["status"] == "published"


@pytest.mark.parametrize("role", ["editor", "admin"])
async def test_editors_and_admins_change_the_game(studio: GameStudio, game: str, role: str) -> None:
    member = await studio.member(role)
    assert (await studio.patch(f"/{game}", change(age_rating="6+"), member)).status_code == 200
    await studio.set_status(game, "published")
    assert (await studio.post(f"/{game}/unpublish", None, member)).status_code == 200
    assert (await studio.post(f"/{game}/archive", None, member)).status_code == 200


async def test_another_accounts_game_is_404_everywhere(
    studio: GameStudio, game: str, new_studio: Callable[[], Awaitable[Any]]
) -> None:
    await studio.set_status(game, "published")
    other = GameStudio(await new_studio())
    for answer in (
        await other.get(f"/{game}"),
        await other.patch(f"/{game}", change(title="Захват")),
        await other.post(f"/{game}/unpublish"),
        await other.post(f"/{game}/archive"),
        await studio.get(f"/{game}", uuid.uuid4()),  # someone of no account
        await studio.get(f"/{uuid.uuid4()}"),
    ):
        assert answer.status_code == 404 and error(answer)["code"] == "RESOURCE_NOT_FOUND"
        assert "Сибирский" not in answer.text
    shown = (await studio.get(f"/{game}")).json()["data"]["attributes"]
    assert (shown["status"], shown["title"]) == ("published", "Сибирский экспресс")
    assert await studio.events(game, UNPUBLISHED) == []


async def test_the_game_routes_take_a_user_token_only(studio: GameStudio, game: str) -> None:
    routes = [
        ("GET", f"{GAMES}"),
        ("GET", f"{GAMES}/{game}"),
        ("PATCH", f"{GAMES}/{game}"),
        ("POST", f"{GAMES}/{game}/archive"),
        ("GET", f"{GAMES}/{game}/metadata/ru-RU"),
        ("PUT", f"{GAMES}/{game}/metadata/ru-RU"),
    ]
    service = {"Authorization": f"Bearer {service_token('payment')}"}
    for method, url in routes:
        anonymous = await studio.client.request(method, url, json=change(age_rating="6+"))
        assert anonymous.status_code == 401 and error(anonymous)["code"] == "TOKEN_MISSING"
        assert "WWW-Authenticate" in anonymous.headers
        forged = await studio.client.request(
            method, url, json=texts(), headers={"Authorization": "Bearer not.a.token"}
        )
        assert forged.status_code == 401, forged.text
        machine = await studio.client.request(method, url, json=texts(), headers=service)
        assert machine.status_code == 403 and error(machine)["code"] == "USER_TOKEN_REQUIRED"
    assert (await studio.get(f"/{game}")).json()["data"]["attributes"]["status"] == "draft"


async def test_get_game_over_grpc_carries_the_store_attributes(
    studio: GameStudio, game: str
) -> None:
    from parovoz.developer.v1 import developer_service_pb2 as pb
    from parovoz_developer_portal.grpc.servicer import DeveloperService

    servicer = DeveloperService(studio.infrastructure)
    request = pb.GetGameRequest(game_id=game)
    unrated = (await servicer.GetGame(request, None)).game  # type: ignore[arg-type]
    assert unrated.age_rating == pb.AGE_RATING_UNSPECIFIED and not unrated.regions
    assert not unrated.HasField("release_date")
    await studio.patch(
        f"/{game}", change(age_rating="18+", regions=["RU", "KZ"], release_date="2027-03-01")
    )
    rated = (await servicer.GetGame(request, None)).game  # type: ignore[arg-type]
    assert rated.age_rating == pb.AGE_RATING_18_PLUS
    assert list(rated.regions) == ["KZ", "RU"]
    day = rated.release_date
    assert (day.year, day.month, day.day) == (2027, 3, 1)
