"""The notification inbox on the real engines: the admin's moderation decision, produced to a
private topic and consumed with the service's merged handlers (review's, then notifications'),
becomes ONE notification even delivered twice; the builds worker's verdict is one too; a
decision review ignores makes none; members page, filter, read and read all; a stranger's
reads are 404; payment's payout status, greenlight's decision and the team's invitation land in
the right inbox."""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from parovoz_developer_portal.finance.events import payment_event_handlers
from parovoz_developer_portal.notifications.domain import game_published
from parovoz_developer_portal.notifications.events import (
    admin_notification_handlers,
    developer_notification_handlers,
    greenlight_notification_handlers,
    payment_notification_handlers,
)
from parovoz_developer_portal.notifications.repository import SqlNotifications
from parovoz_developer_portal.review.events import (
    admin_moderation_handlers,
    greenlight_event_handlers,
)
from parovoz_events.admin import GameModerationApproved, GameModerationRejected
from parovoz_events.developer import GamePublished, TeamInvitationCreated
from parovoz_events.greenlight import SubmissionRejected
from parovoz_events.payment import PayoutStatusChanged
from parovoz_kit.events import merge_handlers
from parovoz_kit.infrastructure import Infrastructure
from parovoz_testing.consumers import consuming, handled, private_group, private_topic

sys.path.insert(0, str(Path(__file__).parent))
from release_support import PREFIX, Shelf, auth, codes, event, produce

ADMIN = "/standins/admin"
INBOX = f"{PREFIX}/notifications"


@pytest.fixture(scope="module")
def group() -> str:
    return private_group("developer-portal.notifications")


@pytest.fixture(scope="module")
def topic(infrastructure: Infrastructure, group: str) -> Iterator[str]:
    with private_topic(infrastructure, group) as name:
        yield name


@pytest.fixture(scope="module")
async def consumer(infrastructure: Infrastructure, group: str, topic: str) -> AsyncIterator[str]:
    handlers = merge_handlers(
        admin_moderation_handlers(infrastructure),
        admin_notification_handlers(infrastructure),
        greenlight_event_handlers(infrastructure),
        greenlight_notification_handlers(infrastructure),
        payment_event_handlers(infrastructure),
        payment_notification_handlers(infrastructure),
        developer_notification_handlers(infrastructure),
    )
    async with consuming(infrastructure, group, topic, handlers):
        yield group


@pytest.fixture
async def shelf(studio: Any) -> Shelf:
    made = await Shelf(studio).open()
    await made.go_direct()
    return made


async def inbox(client: httpx.AsyncClient, user: uuid.UUID, **params: str) -> dict[str, Any]:
    answer = await client.get(INBOX, headers=auth(user), params=params)
    assert answer.status_code == 200, answer.text
    document: dict[str, Any] = answer.json()
    return document


def kinds(document: dict[str, Any]) -> list[str]:
    return [item["attributes"]["kind"] for item in document["data"]]


async def in_review(shelf: Shelf) -> str:
    version_id = await shelf.ready_version()
    answer = await shelf.submit(version_id)
    assert answer.status_code == 200, answer.text
    return version_id


async def test_a_moderation_decision_delivered_twice_makes_one_notification(
    shelf: Shelf, infrastructure: Infrastructure, topic: str, consumer: str
) -> None:
    version_id = await in_review(shelf)
    before = await inbox(shelf.client, shelf.owner)
    # The builds worker's verdict is in the inbox already, linking to the build.
    assert kinds(before) == ["build_verified"]
    assert "/builds/" in before["data"][0]["links"]["related"]
    approval = event(
        GameModerationApproved,
        ADMIN,
        game_id=shelf.game_id,
        version_id=version_id,
        comment="Всё в порядке",
    )
    produce(infrastructure, topic, approval, approval)  # delivered twice
    await handled(infrastructure, consumer, [approval])
    after = await inbox(shelf.client, shelf.owner)
    assert kinds(after) == ["moderation_approved", "build_verified"]
    told = after["data"][0]
    assert told["attributes"]["title"].startswith("Версия ")
    assert "Всё в порядке" in told["attributes"]["body"]
    assert told["attributes"]["resource_type"] == "gameVersion"
    assert told["attributes"]["resource_id"] == version_id
    assert told["links"]["related"] == f"{shelf.game}/versions/{version_id}/review"
    assert after["meta"]["unread"] == 2
    # The link is a real route of the member.
    linked = await shelf.client.get(told["links"]["related"], headers=auth(shelf.owner))
    assert linked.status_code == 200, linked.text
    # The same event again (another producer retry), or another decision event about the
    # version already decided, changes nothing either.
    produce(infrastructure, topic, approval)
    produce(
        infrastructure,
        topic,
        event(GameModerationApproved, ADMIN, game_id=shelf.game_id, version_id=version_id),
    )
    sentinel = event(
        GameModerationRejected, ADMIN, game_id=shelf.game_id, version_id=str(uuid.uuid4())
    )
    produce(infrastructure, topic, sentinel)
    await handled(infrastructure, consumer, [sentinel])
    # A decision review ignored (an unknown version) made no notification.
    assert kinds(await inbox(shelf.client, shelf.owner)) == kinds(after)


async def test_members_page_filter_and_read_strangers_get_404(
    shelf: Shelf, infrastructure: Infrastructure, topic: str, consumer: str, new_studio: Any
) -> None:
    version_id = await in_review(shelf)
    rejection = event(
        GameModerationRejected,
        ADMIN,
        game_id=shelf.game_id,
        version_id=version_id,
        reason="Нет возрастного рейтинга",
    )
    produce(infrastructure, topic, rejection)
    await handled(infrastructure, consumer, [rejection])
    viewer = await shelf.member("viewer")
    first = await inbox(shelf.client, viewer, **{"page[size]": "1"})
    assert kinds(first) == ["moderation_rejected"]
    assert "Нет возрастного рейтинга" in first["data"][0]["attributes"]["body"]
    assert first["meta"]["unread"] == 2
    nxt = await shelf.client.get(first["links"]["next"], headers=auth(viewer))
    assert nxt.status_code == 200 and kinds(nxt.json()) == ["build_verified"]
    assert nxt.json()["links"]["next"] is None

    rejected_id = first["data"][0]["id"]
    stranger = await new_studio()
    refused = await shelf.client.post(f"{INBOX}/{rejected_id}/read", headers=auth(stranger.owner))
    assert codes(refused, 404) == ["NOTIFICATION_NOT_FOUND"]
    assert (await inbox(shelf.client, stranger.owner))["data"] == []

    read = await shelf.client.post(f"{INBOX}/{rejected_id}/read", headers=auth(viewer))
    assert read.status_code == 200, read.text
    assert read.json()["data"]["attributes"]["read"] is True
    unread = await inbox(shelf.client, shelf.owner, **{"filter[read]": "false"})
    assert kinds(unread) == ["build_verified"] and unread["meta"]["unread"] == 1
    done = await shelf.client.post(f"{INBOX}/read-all", headers=auth(viewer))
    assert done.status_code == 200, done.text
    assert done.json()["meta"] == {"marked_read": 1, "unread": 0}
    read_ones = await inbox(shelf.client, shelf.owner, **{"filter[read]": "true"})
    assert len(read_ones["data"]) == 2 and read_ones["meta"]["unread"] == 0


async def test_malformed_filters_and_cursors_are_400(shelf: Shelf) -> None:
    for params in ({"filter[read]": "maybe"}, {"page[cursor]": "x"}, {"page[size]": "0"}):
        answer = await shelf.client.get(INBOX, headers=auth(shelf.owner), params=params)
        assert codes(answer, 400) == ["VALIDATION_ERROR"], params


async def test_payouts_greenlight_publication_and_team_reach_the_accounts_inbox(
    shelf: Shelf, infrastructure: Infrastructure, topic: str, consumer: str
) -> None:
    payout = event(
        PayoutStatusChanged,
        "/parovoz/payment",
        developer_id=str(shelf.developer_id),
        payout_request_id=str(uuid.uuid4()),
        amount={"amount_minor": 1_234_500, "currency": "RUB"},
        new_status="completed",
    )
    refused = event(
        SubmissionRejected,
        "/parovoz/greenlight",
        developer_id=str(shelf.developer_id),
        game_id=shelf.game_id,
        submission_id=str(uuid.uuid4()),
        comment="Мало голосов",
    )
    published = event(
        GamePublished,
        "/parovoz/developer-portal",
        developer_id=str(shelf.developer_id),
        game_id=shelf.game_id,
    )
    invited = event(
        TeamInvitationCreated,
        "/parovoz/developer-portal",
        developer_id=str(shelf.developer_id),
        invitation_id=str(uuid.uuid4()),
        role="finance",
        invitee_user_id=None,
        by_email=True,
    )
    # An event naming an account that does not exist is skipped, not dead-lettered.
    nobody = event(
        PayoutStatusChanged,
        "/parovoz/payment",
        developer_id=str(uuid.uuid4()),
        payout_request_id=str(uuid.uuid4()),
    )
    produce(infrastructure, topic, payout, refused, published, invited, nobody)
    await handled(infrastructure, consumer, [payout, refused, published, invited, nobody])
    found = await inbox(shelf.client, shelf.owner)
    assert kinds(found) == [
        "team_invitation",
        "game_published",
        "greenlight_rejected",
        "payout_status_changed",
    ]
    by_kind = {item["attributes"]["kind"]: item for item in found["data"]}
    assert by_kind["payout_status_changed"]["attributes"]["title"] == (
        "Выплата 12\u00a0345,00 RUB: выполнена"
    )
    assert by_kind["greenlight_rejected"]["attributes"]["body"] == "Мало голосов"
    assert by_kind["game_published"]["links"]["related"] == shelf.game
    assert by_kind["team_invitation"]["attributes"]["title"] == (
        "Приглашение в команду на роль «финансы»"
    )
    assert by_kind["team_invitation"]["links"]["related"] == f"{PREFIX}/team/invitations"
    # The money side and the invitations are not every member's (PRODUCT.md's rights).
    viewer = await shelf.member("viewer")
    assert kinds(await inbox(shelf.client, viewer)) == ["game_published", "greenlight_rejected"]
    finance = await shelf.member("finance")
    assert "payout_status_changed" in kinds(await inbox(shelf.client, finance))
    hidden = by_kind["payout_status_changed"]["id"]
    refused = await shelf.client.post(f"{INBOX}/{hidden}/read", headers=auth(viewer))
    assert codes(refused, 404) == ["NOTIFICATION_NOT_FOUND"]


async def test_an_accounts_notifications_commit_in_the_order_of_their_numbers(
    studio: Any, infrastructure: Infrastructure
) -> None:
    """The second of two concurrent notifications waits for the first's commit (its account's
    counter row stays locked), so a stream that saw number n never misses a smaller one."""

    def draft() -> Any:
        return game_published(
            developer_id=studio.developer_id,
            game_id=uuid.uuid4(),
            game_title="Поезд",
            republished=False,
            source_event_id=uuid.uuid4(),
        )

    now = infrastructure.clock.now()
    async with infrastructure.session_factory() as first:
        await first.begin()
        earlier = await SqlNotifications(first).add(draft(), now)
        assert earlier is not None

        async def second_add() -> int:
            async with infrastructure.session_factory.begin() as second:
                later = await SqlNotifications(second).add(draft(), now)
                assert later is not None
                return later.sequence

        waiting = asyncio.create_task(second_add())
        await asyncio.sleep(0.5)
        assert not waiting.done()  # held by the first transaction's counter row
        await first.commit()
    assert await asyncio.wait_for(waiting, 10) == earlier.sequence + 1
