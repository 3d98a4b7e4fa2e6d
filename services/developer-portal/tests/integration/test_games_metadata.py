"""`/games/{id}/metadata/{language}` on the real engines: texts per language (BCP 47, kept
canonical), every change announced with the game's full store state (valid against its
schema), the same texts again announce nothing, ru-RU stays with a published game, an archived
game refuses changes, viewers and finance read but do not write, other accounts get 404."""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from parovoz_developer_portal.games.service import has_metadata
from parovoz_developer_portal.unit_of_work import portal_unit_of_work

sys.path.insert(0, str(Path(__file__).parent))
from game_routes_support import GAMES, METADATA_UPDATED, A, GameStudio, change, error, texts

FULL = texts(
    "Поезд в тайгу",
    short_description="Поезда, тайга и загадки.",
    full_description="Долгое описание.",
    tags=["Приключения", "приключения", "Поезда"],
    genres=["Adventure"],
    system_requirements={
        "linux_x64": {"minimum": "Ubuntu 22.04, 8 ГБ ОЗУ"},
        "windows_x64": {"minimum": "Windows 10", "recommended": "Windows 11, 16 ГБ ОЗУ"},
    },
)


@pytest.fixture
async def studio(new_studio: Callable[[], Awaitable[Any]]) -> GameStudio:
    return GameStudio(await new_studio())


@pytest.fixture
async def game(studio: GameStudio) -> str:
    return await studio.draft("Рабочее название")


async def test_texts_are_created_read_and_announced(studio: GameStudio, game: str) -> None:
    created = await studio.put(f"/{game}/metadata/ru-RU", FULL)
    assert created.status_code == 201, created.text
    data = created.json()["data"]
    assert (data["type"], data["id"]) == ("gameMetadata", "ru-RU")
    assert data["links"] == {"self": f"{GAMES}/{game}/metadata/ru-RU", "game": f"{GAMES}/{game}"}
    attributes = data["attributes"]
    assert attributes["tags"] == ["Приключения", "Поезда"]  # a repeated tag is kept once
    assert list(attributes["system_requirements"]) == ["windows_x64", "linux_x64"]
    assert attributes["system_requirements"]["linux_x64"] == {
        "minimum": "Ubuntu 22.04, 8 ГБ ОЗУ",
        "recommended": None,
    }
    assert attributes["updated_by_user_id"] == str(studio.owner)
    assert (await studio.get(f"/{game}/metadata/ru-RU")).json() == created.json()

    [event] = await studio.events(game, METADATA_UPDATED)
    assert event["title"] == "Поезд в тайгу"  # the ru-RU title, not the working one
    assert event["platforms"] == ["windows_x64", "linux_x64"]
    assert event["developer_id"] == studio.developer_id
    assert event["updated_by_user_id"] == str(studio.owner)
    assert (event["age_rating"], event["regions"], event["release_date"]) == (None, [], None)

    # The same texts again: 200, nothing new to announce.
    again = await studio.put(f"/{game}/metadata/ru-RU", FULL)
    assert again.status_code == 200 and again.json() == created.json()
    assert len(await studio.events(game, METADATA_UPDATED)) == 1

    shown = (await studio.get(f"/{game}")).json()["data"]
    assert shown["attributes"]["locales"] == ["ru-RU"]
    assert shown["links"]["metadata"] == f"{GAMES}/{game}/metadata"


async def test_languages_are_canonical_and_listed(studio: GameStudio, game: str) -> None:
    english = await studio.put(f"/{game}/metadata/EN-us", texts("Train to the taiga"))
    assert english.status_code == 201 and english.json()["data"]["id"] == "en-US"
    await studio.put(f"/{game}/metadata/ru-RU", texts())
    assert (await studio.get(f"/{game}/metadata/en-us")).json()["data"]["id"] == "en-US"
    listed = (await studio.get(f"/{game}/metadata")).json()
    assert [item["id"] for item in listed["data"]] == ["en-US", "ru-RU"]
    events = await studio.events(game, METADATA_UPDATED)
    # Without ru-RU texts the game's own title is announced; with them, the ru-RU title.
    assert [e["title"] for e in events] == ["Рабочее название", "Поезд в тайгу"]


async def test_replacing_texts_changes_the_platforms(studio: GameStudio, game: str) -> None:
    await studio.put(f"/{game}/metadata/ru-RU", FULL)
    mac = texts(system_requirements={"macos_arm64": {"minimum": "macOS 14"}})
    await studio.put(f"/{game}/metadata/en-US", mac)
    only_mac = (await studio.put(f"/{game}/metadata/ru-RU", texts())).json()["data"]
    assert only_mac["attributes"]["system_requirements"] == {}
    assert only_mac["attributes"]["tags"] == []
    events = await studio.events(game, METADATA_UPDATED)
    assert [e["platforms"] for e in events] == [
        ["windows_x64", "linux_x64"],
        ["windows_x64", "linux_x64", "macos_arm64"],
        ["macos_arm64"],
    ]


async def test_a_language_is_removed_but_ru_of_a_published_game_stays(
    studio: GameStudio, game: str
) -> None:
    await studio.put(f"/{game}/metadata/ru-RU", FULL)
    await studio.put(f"/{game}/metadata/en-US", texts("Train"))
    removed = await studio.delete(f"/{game}/metadata/en-US")
    assert removed.status_code == 204
    assert (await studio.get(f"/{game}/metadata/en-US")).status_code == 404
    assert (await studio.delete(f"/{game}/metadata/en-US")).status_code == 404
    assert len(await studio.events(game, METADATA_UPDATED)) == 3

    await studio.set_status(game, "published")
    kept = await studio.delete(f"/{game}/metadata/ru-RU")
    assert kept.status_code == 422 and error(kept)["code"] == "REQUIRED_LOCALE_IN_USE"
    assert (await studio.get(f"/{game}/metadata/ru-RU")).status_code == 200

    await studio.set_status(game, "unpublished")
    assert (await studio.delete(f"/{game}/metadata/ru-RU")).status_code == 204
    [*_, last] = await studio.events(game, METADATA_UPDATED)
    assert last["title"] == "Рабочее название"


async def test_an_archived_game_refuses_changes(studio: GameStudio, game: str) -> None:
    await studio.put(f"/{game}/metadata/ru-RU", FULL)
    assert (await studio.post(f"/{game}/archive")).status_code == 200
    before = len(await studio.events(game, METADATA_UPDATED))
    for answer in (
        await studio.put(f"/{game}/metadata/ru-RU", texts("Другое")),
        await studio.put(f"/{game}/metadata/en-US", texts("Other")),
        await studio.delete(f"/{game}/metadata/ru-RU"),
        await studio.patch(f"/{game}", change(age_rating="18+")),
    ):
        assert answer.status_code == 422 and error(answer)["code"] == "GAME_ARCHIVED"
    assert (await studio.get(f"/{game}/metadata/ru-RU")).json()["data"]["attributes"][
        "title"
    ] == "Поезд в тайгу"
    assert len(await studio.events(game, METADATA_UPDATED)) == before


@pytest.mark.parametrize("role", ["viewer", "finance"])
async def test_viewers_and_finance_read_but_do_not_write(
    studio: GameStudio, game: str, role: str
) -> None:
    await studio.put(f"/{game}/metadata/ru-RU", FULL)
    member = await studio.member(role)
    assert (await studio.get(f"/{game}/metadata", member)).status_code == 200
    assert (await studio.get(f"/{game}/metadata/ru-RU", member)).status_code == 200
    for answer in (
        await studio.put(f"/{game}/metadata/en-US", texts(), member),
        await studio.delete(f"/{game}/metadata/ru-RU", member),
    ):
        assert answer.status_code == 403 and error(answer)["code"] == "TEAM_ROLE_FORBIDS"
    assert len(await studio.events(game, METADATA_UPDATED)) == 1


@pytest.mark.parametrize("role", ["editor", "admin"])
async def test_editors_and_admins_write(studio: GameStudio, game: str, role: str) -> None:
    member = await studio.member(role)
    assert (await studio.put(f"/{game}/metadata/ru-RU", FULL, member)).status_code == 201
    assert (await studio.delete(f"/{game}/metadata/ru-RU", member)).status_code == 204


async def test_another_accounts_game_is_404_everywhere(
    studio: GameStudio, game: str, new_studio: Callable[[], Awaitable[Any]]
) -> None:
    await studio.put(f"/{game}/metadata/ru-RU", FULL)
    other = GameStudio(await new_studio())
    for answer in (
        await other.get(f"/{game}/metadata"),
        await other.get(f"/{game}/metadata/ru-RU"),
        await other.put(f"/{game}/metadata/ru-RU", texts("Захват")),
        await other.delete(f"/{game}/metadata/ru-RU"),
        await other.get(f"/{uuid.uuid4()}/metadata"),
    ):
        assert answer.status_code == 404 and error(answer)["code"] == "RESOURCE_NOT_FOUND"
        assert "Поезд" not in answer.text
    assert len(await studio.events(game, METADATA_UPDATED)) == 1


@pytest.mark.parametrize(
    ("document", "pointer"),
    [
        (texts(""), f"{A}/title"),
        (texts("   "), f"{A}/title"),
        (texts("x" * 256), f"{A}/title"),
        (texts(short_description="x" * 1001), f"{A}/short_description"),
        (texts(tags=["x" * 65]), f"{A}/tags/0"),
        (texts(tags=[f"t{i}" for i in range(21)]), f"{A}/tags"),
        (texts(genres=[""]), f"{A}/genres/0"),
        (
            texts(system_requirements={"amiga": {"minimum": "A500"}}),
            f"{A}/system_requirements/amiga",
        ),
        (
            texts(system_requirements={"linux_x64": {"recommended": "x"}}),
            f"{A}/system_requirements/linux_x64/minimum",
        ),
        (
            texts(system_requirements={"linux_x64": {"minimum": "x" * 4001}}),
            f"{A}/system_requirements/linux_x64/minimum",
        ),
        (texts(title=5), f"{A}/title"),
        ({"data": {"type": "game", "attributes": {"title": "x"}}}, "/data/type"),
        (texts(colour="red"), f"{A}/colour"),
    ],
)
async def test_invalid_texts_are_400_with_a_pointer(
    studio: GameStudio, game: str, document: dict[str, Any], pointer: str
) -> None:
    answer = await studio.put(f"/{game}/metadata/ru-RU", document)
    assert answer.status_code == 400, answer.text
    assert answer.json()["errors"][0]["code"] == "VALIDATION_ERROR"
    assert answer.json()["errors"][0]["source"] == {"pointer": pointer}
    assert await studio.events(game, METADATA_UPDATED) == []


@pytest.mark.parametrize("language", ["russian", "ru_RU", "r-RU", "ru-RUS1", "ru-", "1ru-RU"])
async def test_a_malformed_language_is_400_naming_it(
    studio: GameStudio, game: str, language: str
) -> None:
    for answer in (
        await studio.put(f"/{game}/metadata/{language}", texts()),
        await studio.get(f"/{game}/metadata/{language}"),
        await studio.delete(f"/{game}/metadata/{language}"),
    ):
        assert answer.status_code == 400, answer.text
        assert error(answer)["code"] == "INVALID_LANGUAGE_CODE"
        assert error(answer)["source"] == {"parameter": "language_code"}


async def test_has_metadata_tells_other_contexts_about_a_language(
    studio: GameStudio, game: str
) -> None:
    async def has(language: str) -> bool:
        async with portal_unit_of_work(studio.infrastructure) as uow:
            return await has_metadata(uow, uuid.UUID(game), language)

    assert not await has("ru-RU")
    await studio.put(f"/{game}/metadata/en-US", texts("Train"))
    assert (await has("en-US"), await has("ru-RU")) == (True, False)
    await studio.put(f"/{game}/metadata/ru-RU", texts())
    assert await has("ru-RU")


async def test_concurrent_languages_end_with_the_whole_state_announced(
    studio: GameStudio, game: str
) -> None:
    platforms = ["windows_x64", "linux_x64", "macos_arm64", "macos_x64"]
    languages = ["ru-RU", "en-US", "de-DE", "kk-KZ"]
    answers = await asyncio.gather(
        *(
            studio.put(
                f"/{game}/metadata/{language}",
                texts(f"Игра {language}", system_requirements={platform: {"minimum": "x"}}),
            )
            for language, platform in zip(languages, platforms, strict=True)
        )
    )
    assert [answer.status_code for answer in answers] == [201] * 4
    events = await studio.events(game, METADATA_UPDATED)
    assert len(events) == 4
    # Writes of one game are serialized: the last announcement holds every language's part.
    assert events[-1]["platforms"] == platforms
    assert events[-1]["title"] == "Игра ru-RU"
    assert sorted(len(event["platforms"]) for event in events) == [1, 2, 3, 4]
