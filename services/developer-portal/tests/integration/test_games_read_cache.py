"""The game routes' read cache (parovoz_kit.read_cache) on the real engines: it is on in the
service, a client reads its own writes at once, and a change made by anyone else — another
replica, an operator's SQL — reaches the next reads within moments (the database's triggers)."""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from parovoz_developer_portal.unit_of_work import read_cache
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

sys.path.insert(0, str(Path(__file__).parent))
from game_routes_support import GameStudio, texts

OTHER_REPLICA = "postgresql+psycopg://developer:developer-dev-password@127.0.0.1:55432/developer"


@pytest.fixture
async def studio(new_studio: Callable[[], Awaitable[Any]]) -> GameStudio:
    return GameStudio(await new_studio())


async def _eventually_title(studio: GameStudio, game: str, title: str) -> None:
    for _ in range(200):
        shown = (await studio.get(f"/{game}")).json()["data"]["attributes"]["title"]
        if shown == title:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"still {shown!r}, not {title!r}")


async def test_the_cache_is_on_and_keeps_reads(studio: GameStudio) -> None:
    cache = read_cache(studio.infrastructure)
    assert cache is not None and await cache.started()
    game = await studio.draft("Кэш")
    key = ("game_view", uuid.UUID(game), studio.owner)
    for _ in range(100):  # the draft's own notification may drop the first reading
        assert (await studio.get(f"/{game}")).status_code == 200
        if cache.get(key) is not None:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("a game read is never kept")


async def test_a_client_reads_its_own_writes_at_once(studio: GameStudio) -> None:
    cache = read_cache(studio.infrastructure)
    assert cache is not None and await cache.started()
    game = await studio.draft("Своё")
    await studio.get(f"/{game}")  # kept now
    await studio.put(f"/{game}/metadata/en-US", texts("Own"))
    shown = (await studio.get(f"/{game}")).json()["data"]["attributes"]
    assert shown["locales"] == ["en-US"]
    listed = (await studio.get("")).json()["data"]
    assert [item["id"] for item in listed] == [game]


async def test_a_change_made_elsewhere_reaches_the_next_reads(studio: GameStudio) -> None:
    cache = read_cache(studio.infrastructure)
    assert cache is not None and await cache.started()
    game = await studio.draft("До")
    await studio.get(f"/{game}")
    await studio.get("")
    replica = create_async_engine(OTHER_REPLICA)
    try:
        async with replica.connect() as connection:  # no session: nothing local to notice
            await connection.execute(
                text("UPDATE games SET title = 'После' WHERE id = :id"), {"id": game}
            )
            await connection.commit()
    finally:
        await replica.dispose()
    await _eventually_title(studio, game, "После")
    listed = (await studio.get("")).json()["data"]
    assert listed[0]["attributes"]["title"] == "После"


async def test_a_member_removed_elsewhere_loses_the_game(studio: GameStudio) -> None:
    cache = read_cache(studio.infrastructure)
    assert cache is not None and await cache.started()
    game = await studio.draft("Участник")
    viewer = await studio.member("viewer")
    assert (await studio.get(f"/{game}", user_id=viewer)).status_code == 200
    replica = create_async_engine(OTHER_REPLICA)
    try:
        async with replica.connect() as connection:
            await connection.execute(
                text("DELETE FROM team_members WHERE user_id = :user"), {"user": viewer}
            )
            await connection.commit()
    finally:
        await replica.dispose()
    for _ in range(200):
        if (await studio.get(f"/{game}", user_id=viewer)).status_code == 404:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("a removed member still reads the game")
