"""review's consumers on the real broker and database: the schemas' example events (with this
test's ids) are produced to a private topic and consumed by the service's own handlers through
the kit's IdempotentConsumer. A moderation decision moves the version and the game and is kept;
a redelivery has no second effect; a decision naming an unknown game, another game's version or
a version not in review changes nothing; greenlight's approval clears the greenlight track."""

from __future__ import annotations

import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from parovoz_developer_portal.review.events import (
    admin_moderation_handlers,
    greenlight_event_handlers,
)
from parovoz_events.admin import GameModerationApproved, GameModerationRejected
from parovoz_events.greenlight import SubmissionApproved
from parovoz_kit.infrastructure import Infrastructure
from parovoz_testing.consumers import consuming, private_group, private_topic

sys.path.insert(0, str(Path(__file__).parent))
from release_support import Shelf, codes, event, eventually, produce

ADMIN = "/standins/admin"


@pytest.fixture(scope="module")
def group() -> str:
    return private_group("developer-portal.review")


@pytest.fixture(scope="module")
def topic(infrastructure: Infrastructure, group: str) -> Iterator[str]:
    with private_topic(infrastructure, group) as name:
        yield name


@pytest.fixture(scope="module")
async def consumer(infrastructure: Infrastructure, group: str, topic: str) -> AsyncIterator[str]:
    async with consuming(
        infrastructure,
        group,
        topic,
        {**admin_moderation_handlers(infrastructure), **greenlight_event_handlers(infrastructure)},
    ):
        yield group


@pytest.fixture
async def shelf(studio: Any) -> Shelf:
    made = await Shelf(studio).open()
    await made.go_direct()
    return made


async def in_review(shelf: Shelf) -> str:
    version_id = await shelf.ready_version()
    answer = await shelf.submit(version_id)
    assert answer.status_code == 200, answer.text
    return version_id


async def decisions(shelf: Shelf, version_id: str) -> list[dict[str, Any]]:
    answer = await shelf.review(version_id)
    assert answer.status_code == 200, answer.text
    return [s["decision"] for s in answer.json()["data"]["attributes"]["submissions"]]


async def reaches(shelf: Shelf, version_id: str, status: str) -> None:
    async def check() -> bool:
        return await shelf.version_status(version_id) == status

    await eventually(check)


async def test_an_approval_is_applied_once(
    shelf: Shelf, infrastructure: Infrastructure, topic: str, consumer: str
) -> None:
    version_id = await in_review(shelf)
    approval = event(
        GameModerationApproved,
        ADMIN,
        game_id=shelf.game_id,
        version_id=version_id,
        comment="Всё в порядке",
    )
    produce(infrastructure, topic, approval, approval)  # delivered twice
    await reaches(shelf, version_id, "approved")
    assert await shelf.game_status() == "draft"
    # A second approval (another event id) finds the version no longer in review.
    produce(
        infrastructure,
        topic,
        event(GameModerationApproved, ADMIN, game_id=shelf.game_id, version_id=version_id),
    )
    sentinel = await in_review(shelf)
    produce(
        infrastructure,
        topic,
        event(GameModerationApproved, ADMIN, game_id=shelf.game_id, version_id=sentinel),
    )
    await reaches(shelf, sentinel, "approved")
    [decision] = await decisions(shelf, version_id)
    assert decision["outcome"] == "approved" and decision["note"] == "Всё в порядке"
    assert decision["moderator_id"] == GameModerationApproved.example_data["moderator_id"]
    assert decision["decided_at"].startswith("2025-03-15T18:00:00")


async def test_a_rejection_keeps_the_reason_and_rejects_the_game(
    shelf: Shelf, infrastructure: Infrastructure, topic: str, consumer: str
) -> None:
    version_id = await in_review(shelf)
    reason = "Нет возрастного рейтинга"
    produce(
        infrastructure,
        topic,
        event(
            GameModerationRejected,
            ADMIN,
            game_id=shelf.game_id,
            version_id=version_id,
            reason=reason,
        ),
    )
    await reaches(shelf, version_id, "rejected")
    assert await shelf.game_status() == "rejected"
    review = (await shelf.review(version_id)).json()["data"]["attributes"]
    assert review["status_reason"] == reason
    [decision] = [s["decision"] for s in review["submissions"]]
    assert (decision["outcome"], decision["note"]) == ("rejected", reason)
    # A rejected version is never submitted again; a new one is.
    assert codes(await shelf.submit(version_id), 422) == ["VERSION_STATE_CONFLICT"]
    await in_review(shelf)
    assert await shelf.game_status() == "in_review"


async def test_decisions_that_name_the_wrong_thing_change_nothing(
    shelf: Shelf, infrastructure: Infrastructure, topic: str, consumer: str, new_studio: Any
) -> None:
    waiting = await in_review(shelf)
    ready = await shelf.ready_version()  # not submitted
    other = await Shelf(await new_studio()).open()
    await other.go_direct()
    theirs = await in_review(other)
    produce(
        infrastructure,
        topic,
        # unknown game
        event(GameModerationApproved, ADMIN, game_id=str(uuid.uuid4()), version_id=waiting),
        # another game's version named under this game, and this game's under another
        event(GameModerationApproved, ADMIN, game_id=shelf.game_id, version_id=theirs),
        event(GameModerationRejected, ADMIN, game_id=other.game_id, version_id=waiting),
        # a version that is not in review
        event(GameModerationApproved, ADMIN, game_id=shelf.game_id, version_id=ready),
        # unknown version
        event(GameModerationApproved, ADMIN, game_id=shelf.game_id, version_id=str(uuid.uuid4())),
    )
    sentinel = await in_review(shelf)
    produce(
        infrastructure,
        topic,
        event(GameModerationApproved, ADMIN, game_id=shelf.game_id, version_id=sentinel),
    )
    await reaches(shelf, sentinel, "approved")  # everything before it was handled
    assert await shelf.version_status(waiting) == "in_review"
    assert await shelf.version_status(ready) == "ready_for_review"
    assert await other.version_status(theirs) == "in_review"
    assert await other.game_status() == "in_review"
    assert await decisions(shelf, waiting) == [None]
    assert await decisions(other, theirs) == [None]


async def test_greenlights_approval_over_the_broker_clears_the_greenlight_track(
    studio: Any, infrastructure: Infrastructure, topic: str, consumer: str
) -> None:
    shelf = await Shelf(studio).open()  # a new account: the greenlight track
    version_id = await shelf.ready_version()
    assert codes(await shelf.submit(version_id), 422) == ["GREENLIGHT_APPROVAL_REQUIRED"]
    approval = event(
        SubmissionApproved,
        "/parovoz/greenlight",
        submission_id=str(uuid.uuid4()),
        game_id=shelf.game_id,
        developer_id=str(shelf.developer_id),
    )
    produce(infrastructure, topic, approval, approval)

    async def cleared() -> bool:
        answer = await shelf.submit(version_id)
        return answer.status_code == 200

    await eventually(cleared)
    assert await shelf.version_status(version_id) == "in_review"
