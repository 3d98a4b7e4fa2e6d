"""`GET /games`: only the caller's account's games, filtered by status, type and text (title or
a localized title), paged by an opaque keyset cursor that neither repeats nor skips a game while
games are added; bad filters and cursors are 400 naming the parameter."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from game_routes_support import GAMES, GameStudio, error, texts


@pytest.fixture
async def studio(new_studio: Callable[[], Awaitable[Any]]) -> GameStudio:
    return GameStudio(await new_studio())


async def all_pages(studio: GameStudio, **params: Any) -> list[str]:
    """Every id, following links.next from the first page."""
    ids: list[str] = []
    answer = await studio.get("", **params)
    while True:
        assert answer.status_code == 200, answer.text
        document = answer.json()
        ids += [game["id"] for game in document["data"]]
        if document["links"]["next"] is None:
            return ids
        answer = await studio.client.get(document["links"]["next"], headers=studio.auth())


async def test_the_list_holds_only_the_callers_games_newest_first(
    studio: GameStudio, new_studio: Callable[[], Awaitable[Any]]
) -> None:
    other = GameStudio(await new_studio())
    await other.draft("Чужая игра")
    mine = [await studio.draft() for _ in range(3)]
    answer = await studio.get("")
    assert answer.status_code == 200
    data = answer.json()["data"]
    assert [game["id"] for game in data] == mine[::-1]
    assert all(game["attributes"]["developer_id"] == studio.developer_id for game in data)
    assert data[0]["links"]["self"] == f"{GAMES}/{mine[-1]}"
    assert answer.json()["links"]["next"] is None


@pytest.mark.parametrize("role", ["viewer", "finance", "editor", "admin"])
async def test_every_member_reads_the_list(studio: GameStudio, role: str) -> None:
    game = await studio.draft()
    member = await studio.member(role)
    answer = await studio.get("", member)
    assert [g["id"] for g in answer.json()["data"]] == [game]


async def test_someone_of_no_account_gets_404(studio: GameStudio) -> None:
    answer = await studio.get("", uuid.uuid4())
    assert answer.status_code == 404 and error(answer)["code"] == "RESOURCE_NOT_FOUND"


async def test_pages_cover_every_game_once_while_games_are_added(studio: GameStudio) -> None:
    games = [await studio.draft() for _ in range(7)]
    first = await studio.get("", **{"page[size]": 3})
    assert [g["id"] for g in first.json()["data"]] == games[::-1][:3]
    # Games added after the first page was read do not shift the later pages.
    await studio.draft()
    rest: list[str] = []
    link = first.json()["links"]["next"]
    while link:
        page = await studio.client.get(link, headers=studio.auth())
        assert len(page.json()["data"]) <= 3
        rest += [g["id"] for g in page.json()["data"]]
        link = page.json()["links"]["next"]
    assert rest == games[::-1][3:]
    everything = await all_pages(studio)
    assert len(everything) == len(set(everything)) == len(games) + 1
    assert await all_pages(studio, **{"page[size]": 2}) == everything


async def test_filters_by_status_type_and_text(studio: GameStudio) -> None:
    game = await studio.draft("Сибирский экспресс")
    dlc = await studio.draft("Экспресс: вагон-ресторан", "dlc", parent_game_id=game)
    software = await studio.draft("Редактор карт", "software")
    localized = await studio.draft("Без перевода")
    assert (
        await studio.put(f"/{localized}/metadata/en-US", texts("Транссибирский ЭКСПРЕСС"))
    ).status_code == 201
    await studio.set_status(software, "published")

    async def ids(**params: Any) -> set[str]:
        return set(await all_pages(studio, **params))

    assert await ids(**{"filter[type]": "dlc"}) == {dlc}
    assert await ids(**{"filter[type]": "game,software"}) == {game, software, localized}
    assert await ids(**{"filter[status]": "published"}) == {software}
    assert await ids(**{"filter[status]": "draft", "filter[type]": "game"}) == {game, localized}
    assert await ids(**{"filter[q]": "экспресс"}) == {game, dlc, localized}
    assert await ids(**{"filter[q]": "ЭКСПРЕСС", "filter[type]": "dlc"}) == {dlc}
    assert await ids(**{"filter[q]": "%"}) == set()
    # The filters ride along in links.next.
    page = await studio.get("", **{"filter[q]": "экспресс", "page[size]": 1})
    assert "filter%5Bq%5D" in page.json()["links"]["next"]
    assert await ids(**{"filter[q]": "экспресс", "page[size]": 1}) == {game, dlc, localized}


@pytest.mark.parametrize(
    ("params", "parameter", "code"),
    [
        ({"filter[status]": "live"}, "filter[status]", "INVALID_FILTER"),
        ({"filter[type]": "game,mod"}, "filter[type]", "INVALID_FILTER"),
        ({"filter[q]": "x" * 256}, "filter[q]", "VALIDATION_ERROR"),
        ({"page[size]": "0"}, "page[size]", "VALIDATION_ERROR"),
        ({"page[size]": "100000"}, "page[size]", "VALIDATION_ERROR"),
        ({"page[size]": "ten"}, "page[size]", "VALIDATION_ERROR"),
        ({"page[cursor]": "not-a-cursor"}, "page[cursor]", "INVALID_PAGE_CURSOR"),
        ({"page[cursor]": "WyJ4IiwgInkiXQ"}, "page[cursor]", "INVALID_PAGE_CURSOR"),
    ],
)
async def test_a_bad_filter_or_cursor_is_400_naming_the_parameter(
    studio: GameStudio, params: dict[str, str], parameter: str, code: str
) -> None:
    answer = await studio.get("", **params)
    assert answer.status_code == 400, answer.text
    assert error(answer)["code"] == code
    assert error(answer)["source"] == {"parameter": parameter}
