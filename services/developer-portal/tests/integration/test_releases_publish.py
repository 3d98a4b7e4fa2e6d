"""publish, rollback and the release history on the real engines: a refusal lists every missing
need at once (one error object each), a publication makes the version live and the game
published, a second version replaces it, a rollback brings the first back; every event in the
outbox valid against its schema; tenants and roles."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from release_support import (
    PUBLISHED,
    ROLLED_BACK,
    SUBMITTED,
    Shelf,
    auth,
    codes,
    errors,
)

Studio = Callable[[], Awaitable[Any]]
ALL_NEEDS = [
    "NO_APPROVED_VERSION",
    "METADATA_LOCALE_MISSING",
    "NOT_ENOUGH_SCREENSHOTS",
    "PRICE_MISSING",
]


@pytest.fixture
async def shelf(studio: Any) -> Shelf:
    made = await Shelf(studio).open()
    await made.go_direct()
    return made


async def test_a_refusal_lists_every_missing_need_until_none_is_left(shelf: Shelf) -> None:
    refused = await shelf.publish()
    assert codes(refused, 422) == ALL_NEEDS
    for error in errors(refused, 422):
        assert error["status"] == "422" and error["detail"]
    screenshots = errors(refused, 422)[2]
    assert "3" in screenshots["detail"]  # the rules' number, in Russian by default
    english = await shelf.client.post(
        f"{shelf.game}/publish", headers={**auth(shelf.owner), "Accept-Language": "en"}
    )
    assert [e["code"] for e in errors(english, 422)] == ALL_NEEDS
    assert "ru-RU" in errors(english, 422)[1]["detail"]

    await shelf.describe()
    assert codes(await shelf.publish(), 422) == [
        "NO_APPROVED_VERSION",
        "NOT_ENOUGH_SCREENSHOTS",
        "PRICE_MISSING",
    ]
    for _ in range(2):
        await shelf.screenshot()
    assert codes(await shelf.publish(), 422) == [
        "NO_APPROVED_VERSION",
        "NOT_ENOUGH_SCREENSHOTS",
        "PRICE_MISSING",
    ]
    await shelf.screenshot()
    await shelf.make_free()
    assert codes(await shelf.publish(), 422) == ["NO_APPROVED_VERSION"]

    ready = await shelf.ready_version()
    assert codes(await shelf.publish(ready), 422) == ["NO_APPROVED_VERSION"]
    assert codes(await shelf.publish(str(uuid.uuid4())), 404) == ["RESOURCE_NOT_FOUND"]
    assert await shelf.events(PUBLISHED) == []
    assert await shelf.game_status() == "draft"


async def test_publish_a_second_version_and_roll_back(shelf: Shelf) -> None:
    await shelf.shop_window()
    first = await shelf.approved_version("1.0.0")
    assert await shelf.game_status() == "draft"  # approved, never published: ready to publish

    published = await shelf.publish()  # the newest approved version, by default
    assert published.status_code == 200, published.text
    release = published.json()["data"]
    assert release["attributes"]["kind"] == "publication"
    assert release["attributes"]["from_version_id"] is None
    assert release["attributes"]["to_version_id"] == first
    assert await shelf.version_status(first) == "live"
    assert await shelf.game_status() == "published"
    [event] = await shelf.events(PUBLISHED)
    assert event["version_id"] == first
    assert event["published_by_user_id"] == str(shelf.owner)
    assert event["first_published_at"] == event["published_at"]

    second = await shelf.ready_version("1.1.0")
    submitted = await shelf.submit(second)
    assert submitted.status_code == 200, submitted.text
    assert await shelf.game_status() == "published"  # a published game stays on sale
    assert len(await shelf.events(SUBMITTED)) == 2
    await shelf.decide(second)
    assert await shelf.game_status() == "published"

    again = await shelf.publish(second)
    assert again.status_code == 200, again.text
    assert again.json()["data"]["attributes"]["from_version_id"] == first
    assert await shelf.version_status(second) == "live"
    assert await shelf.version_status(first) == "deprecated"
    _, republished = await shelf.events(PUBLISHED)
    assert republished["version_id"] == second
    assert republished["first_published_at"] == event["first_published_at"]
    assert republished["published_at"] > event["published_at"]

    rolled = await shelf.rollback(first, reason="  Сохранения не загружаются в 1.1.0 ")
    assert rolled.status_code == 200, rolled.text
    attributes = rolled.json()["data"]["attributes"]
    assert (attributes["kind"], attributes["from_version_id"], attributes["to_version_id"]) == (
        "rollback",
        second,
        first,
    )
    assert attributes["reason"] == "Сохранения не загружаются в 1.1.0"
    assert await shelf.version_status(first) == "live"
    assert await shelf.version_status(second) == "deprecated"
    assert await shelf.game_status() == "published"
    [rollback] = await shelf.events(ROLLED_BACK)
    assert (rollback["version_id"], rollback["rolled_back_from_version_id"]) == (first, second)
    assert rollback["reason"] == "Сохранения не загружаются в 1.1.0"
    assert rollback["rolled_back_by_user_id"] == str(shelf.owner)

    history = await shelf.releases()
    assert history.status_code == 200, history.text
    entries = [r["attributes"] for r in history.json()["data"]]
    assert [(e["kind"], e["from_version_id"], e["to_version_id"]) for e in entries] == [
        ("rollback", second, first),
        ("publication", first, second),
        ("publication", None, first),
    ]
    assert all(e["by_user_id"] == str(shelf.owner) for e in entries)

    # Back to 1.1.0 (it was live), without a reason.
    forth = await shelf.rollback(second)
    assert forth.status_code == 200, forth.text
    assert forth.json()["data"]["attributes"]["reason"] is None
    assert len(await shelf.events(ROLLED_BACK)) == 2


async def test_rollback_refusals(shelf: Shelf) -> None:
    await shelf.shop_window()
    first = await shelf.approved_version("1.0.0")
    assert codes(await shelf.rollback(first), 422) == ["GAME_NOT_PUBLISHED"]
    published = await shelf.publish(first)
    assert published.status_code == 200, published.text
    never_live = await shelf.approved_version("1.1.0")
    assert codes(await shelf.rollback(never_live), 422) == ["ROLLBACK_TARGET_INVALID"]
    assert codes(await shelf.rollback(first), 422) == ["ROLLBACK_TARGET_INVALID"]  # live now
    assert codes(await shelf.rollback(str(uuid.uuid4())), 404) == ["RESOURCE_NOT_FOUND"]
    bad = await shelf.client.post(
        f"{shelf.game}/rollback",
        json={"data": {"type": "gameRollback", "attributes": {"reason": "нет версии"}}},
        headers=auth(shelf.owner),
    )
    assert bad.status_code == 400, bad.text
    assert await shelf.events(ROLLED_BACK) == []
    assert await shelf.version_status(first) == "live"


async def test_roles_and_tenants(shelf: Shelf, new_studio: Studio) -> None:
    await shelf.shop_window()
    version_id = await shelf.approved_version()
    stranger = await Shelf(await new_studio()).open()
    for user in (stranger.owner,):
        assert codes(await shelf.publish(user=user), 404) == ["RESOURCE_NOT_FOUND"]
        assert codes(await shelf.rollback(version_id, user=user), 404) == ["RESOURCE_NOT_FOUND"]
        assert codes(await shelf.releases(user=user), 404) == ["RESOURCE_NOT_FOUND"]
    # Another account's version named under one's own game is unknown there.
    assert codes(await stranger.publish(version_id), 404) == ["RESOURCE_NOT_FOUND"]
    for role in ("viewer", "finance"):
        member = await shelf.member(role)
        assert codes(await shelf.publish(user=member), 403) == ["TEAM_ROLE_FORBIDS"]
        assert codes(await shelf.rollback(version_id, user=member), 403) == ["TEAM_ROLE_FORBIDS"]
        listed = await shelf.releases(user=member)
        assert listed.status_code == 200 and listed.json()["data"] == []
    editor = await shelf.member("editor")
    published = await shelf.publish(user=editor)
    assert published.status_code == 200, published.text
    assert published.json()["data"]["attributes"]["by_user_id"] == str(editor)


async def test_an_unpublished_game_goes_back_on_sale_keeping_its_first_publication(
    shelf: Shelf,
) -> None:
    await shelf.shop_window()
    first = await shelf.approved_version("1.0.0")
    assert (await shelf.publish()).status_code == 200
    down = await shelf.client.post(f"{shelf.game}/unpublish", headers=auth(shelf.owner))
    assert down.status_code == 200, down.text
    assert await shelf.game_status() == "unpublished"

    again = await shelf.publish()  # no approved version: the one still live goes back on sale
    assert again.status_code == 200, again.text
    attributes = again.json()["data"]["attributes"]
    assert (attributes["from_version_id"], attributes["to_version_id"]) == (first, first)
    assert await shelf.game_status() == "published"
    assert await shelf.version_status(first) == "live"
    original, republished = await shelf.events(PUBLISHED)
    assert republished["first_published_at"] == original["first_published_at"]
    assert republished["published_at"] > original["published_at"]


async def test_a_rejected_second_version_leaves_the_approved_one_publishable(
    shelf: Shelf,
) -> None:
    await shelf.shop_window()
    first = await shelf.approved_version("1.0.0")
    second = await shelf.ready_version("1.0.1")
    assert (await shelf.submit(second)).status_code == 200
    assert await shelf.game_status() == "in_review"
    await shelf.decide(second, approved=False, reason="Вылетает при запуске")
    assert await shelf.version_status(second) == "rejected"
    assert await shelf.game_status() == "draft"  # the first is still approved
    published = await shelf.publish()
    assert published.status_code == 200, published.text
    assert published.json()["data"]["attributes"]["to_version_id"] == first
