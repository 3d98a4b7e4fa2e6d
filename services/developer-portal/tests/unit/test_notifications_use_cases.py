"""notifications' use cases over an in-memory inbox (no engines): one notification per source
event, pages newest first with the unread count, read and read-all, another account's
notification unseen, a moderation decision review ignored makes none."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from parovoz_developer_portal.builds.domain import GameVersion, VersionStatus
from parovoz_developer_portal.games.domain import Game, GameStatus, ProductType
from parovoz_developer_portal.notifications import service as use_cases
from parovoz_developer_portal.notifications.domain import (
    Notification,
    NotificationDraft,
    NotificationKind,
    game_published,
    payout_status_changed,
    place,
    team_invitation,
)
from parovoz_developer_portal.notifications.rules import NotificationRules
from parovoz_developer_portal.team.domain import Actor, TeamRole
from parovoz_kit.errors import NotFound

NOW = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)
RULES = NotificationRules(
    default_page_size=20,
    max_page_size=100,
    heartbeat_seconds=15,
    stream_max_seconds=900,
    batch_size=2,
    poll_seconds=30,
)


@dataclass
class FakeInbox:
    rows: list[Notification] = field(default_factory=list)
    last: dict[uuid.UUID, int] = field(default_factory=dict)

    async def add(self, draft: NotificationDraft, now: datetime) -> Notification | None:
        sequence = self.last.get(draft.developer_id, 0) + 1
        self.last[draft.developer_id] = sequence
        if any(
            n.developer_id == draft.developer_id and n.source_event_id == draft.source_event_id
            for n in self.rows
        ):
            return None
        added = place(draft, uuid.uuid4(), sequence, now)
        self.rows.append(added)
        return added

    async def get(
        self, developer_id: uuid.UUID, notification_id: uuid.UUID, kinds: frozenset[str]
    ) -> Any:
        return next((n for n in self._of(developer_id, kinds) if n.id == notification_id), None)

    def _of(self, developer_id: uuid.UUID, kinds: frozenset[str]) -> list[Notification]:
        return [n for n in self.rows if n.developer_id == developer_id and n.kind in kinds]

    async def page(
        self,
        developer_id: uuid.UUID,
        kinds: frozenset[str],
        *,
        read: bool | None,
        before_sequence: int | None,
        limit: int,
    ) -> list[Notification]:
        found = [
            n
            for n in self._of(developer_id, kinds)
            if (read is None or (not n.unread) == read)
            and (before_sequence is None or n.sequence < before_sequence)
        ]
        return sorted(found, key=lambda n: -n.sequence)[:limit]

    async def after(
        self, developer_id: uuid.UUID, kinds: frozenset[str], after: int, limit: int
    ) -> list[Notification]:
        found = [n for n in self._of(developer_id, kinds) if n.sequence > after]
        return sorted(found, key=lambda n: n.sequence)[:limit]

    async def last_sequence(self, developer_id: uuid.UUID) -> int:
        return self.last.get(developer_id, 0)

    async def unread_count(self, developer_id: uuid.UUID, kinds: frozenset[str]) -> int:
        return sum(1 for n in self._of(developer_id, kinds) if n.unread)

    async def save_read(self, notification: Notification) -> None:
        self.rows = [notification if n.id == notification.id else n for n in self.rows]

    async def mark_all_read(
        self, developer_id: uuid.UUID, kinds: frozenset[str], up_to: int, now: datetime
    ) -> int:
        marked = 0
        for index, n in enumerate(self.rows):
            if n in self._of(developer_id, kinds) and n.unread and n.sequence <= up_to:
                self.rows[index] = n.read(now)
                marked += 1
        return marked


@dataclass
class FakeGames:
    games: dict[uuid.UUID, Game] = field(default_factory=dict)

    async def get(self, game_id: uuid.UUID) -> Game | None:
        return self.games.get(game_id)


@dataclass
class FakeVersions:
    versions: dict[uuid.UUID, GameVersion] = field(default_factory=dict)

    async def versions_of_game(self, game_id: uuid.UUID) -> list[GameVersion]:
        return [v for v in self.versions.values() if v.game_id == game_id]


class FakeUnitOfWork:
    def __init__(self) -> None:
        self.notifications = FakeInbox()
        self.games = FakeGames()
        self.builds = FakeVersions()
        self.commits = 0

    async def commit(self) -> None:
        self.commits += 1


def _actor(developer_id: uuid.UUID, role: TeamRole = TeamRole.VIEWER) -> Actor:
    return Actor(developer_id=developer_id, user_id=uuid.uuid4(), role=role)


def _draft(developer_id: uuid.UUID, source: uuid.UUID | None = None) -> NotificationDraft:
    return game_published(
        developer_id=developer_id,
        game_id=uuid.uuid4(),
        game_title="Поезд",
        republished=False,
        source_event_id=source or uuid.uuid4(),
    )


async def test_one_source_event_makes_one_notification_in_an_account() -> None:
    uow = FakeUnitOfWork()
    developer, source = uuid.uuid4(), uuid.uuid4()
    first = await use_cases.notify(uow, _draft(developer, source), NOW)  # type: ignore[arg-type]
    again = await use_cases.notify(uow, _draft(developer, source), NOW)  # type: ignore[arg-type]
    assert first is not None and again is None
    assert len(uow.notifications.rows) == 1
    assert uow.commits == 0  # the caller's transaction commits


async def test_pages_are_newest_first_with_the_unread_count_and_a_cursor() -> None:
    uow = FakeUnitOfWork()
    developer = uuid.uuid4()
    for _ in range(5):
        await use_cases.notify(uow, _draft(developer), NOW)  # type: ignore[arg-type]
    await use_cases.notify(uow, _draft(uuid.uuid4()), NOW)  # type: ignore[arg-type]  # another's
    actor = _actor(developer)
    first = await use_cases.inbox_page(uow, actor, read=None, cursor=None, size=3)  # type: ignore[arg-type]
    assert [n.sequence for n in first.notifications] == [5, 4, 3]
    assert first.unread == 5 and first.next_cursor == 3
    rest = await use_cases.inbox_page(uow, actor, read=None, cursor=3, size=3)  # type: ignore[arg-type]
    assert [n.sequence for n in rest.notifications] == [2, 1] and rest.next_cursor is None


async def test_reading_one_and_then_all() -> None:
    uow = FakeUnitOfWork()
    developer = uuid.uuid4()
    made = [await use_cases.notify(uow, _draft(developer), NOW) for _ in range(3)]  # type: ignore[arg-type]
    actor = _actor(developer)
    target = made[0]
    assert target is not None
    read = await use_cases.mark_read(uow, actor, target.id, NOW + timedelta(minutes=1))  # type: ignore[arg-type]
    assert read.read_at == NOW + timedelta(minutes=1)
    again = await use_cases.mark_read(uow, actor, target.id, NOW + timedelta(hours=1))  # type: ignore[arg-type]
    assert again.read_at == NOW + timedelta(minutes=1)
    unread = await use_cases.inbox_page(uow, actor, read=False, cursor=None, size=10)  # type: ignore[arg-type]
    assert len(unread.notifications) == 2 and unread.unread == 2
    assert await use_cases.mark_all_read(uow, actor, NOW) == 2  # type: ignore[arg-type]
    assert await use_cases.mark_all_read(uow, actor, NOW) == 0  # type: ignore[arg-type]
    read_only = await use_cases.inbox_page(uow, actor, read=True, cursor=None, size=10)  # type: ignore[arg-type]
    assert len(read_only.notifications) == 3 and read_only.unread == 0


async def test_another_accounts_notification_is_not_found() -> None:
    uow = FakeUnitOfWork()
    theirs = await use_cases.notify(uow, _draft(uuid.uuid4()), NOW)  # type: ignore[arg-type]
    assert theirs is not None
    with pytest.raises(NotFound) as refused:
        await use_cases.mark_read(uow, _actor(uuid.uuid4()), theirs.id, NOW)  # type: ignore[arg-type]
    assert refused.value.code == "NOTIFICATION_NOT_FOUND"
    assert theirs.unread


async def test_the_stream_starts_after_the_newest_or_after_last_event_id_in_batches() -> None:
    uow = FakeUnitOfWork()
    developer = uuid.uuid4()
    for _ in range(5):
        await use_cases.notify(uow, _draft(developer), NOW)  # type: ignore[arg-type]
    actor = _actor(developer)
    assert await use_cases.stream_start(uow, actor, None) == 5  # type: ignore[arg-type]
    assert await use_cases.stream_start(uow, actor, 2) == 2  # type: ignore[arg-type]
    # An id the account never sent (another account's, or made up) skips nothing to come.
    assert await use_cases.stream_start(uow, actor, 999) == 5  # type: ignore[arg-type]
    batch = await use_cases.stream_batch(uow, actor, 2, RULES)  # type: ignore[arg-type]
    assert [n.sequence for n in batch] == [3, 4]  # RULES.batch_size at a time, oldest first


def _game(developer: uuid.UUID) -> Game:
    return Game(
        id=uuid.uuid4(),
        developer_id=developer,
        title="Поезд в тайгу",
        product_type=ProductType.GAME,
        parent_game_id=None,
        status=GameStatus.DRAFT,
        created_by_user_id=uuid.uuid4(),
        created_at=NOW,
        updated_at=NOW,
    )


def _version(game: Game, status: VersionStatus) -> GameVersion:
    return GameVersion(
        id=uuid.uuid4(),
        game_id=game.id,
        developer_id=game.developer_id,
        version_name="1.0.0",
        changelog={},
        status=status,
        created_at=NOW,
        updated_at=NOW,
        created_by_user_id=uuid.uuid4(),
    )


@pytest.mark.parametrize(
    ("status", "approved", "made"),
    [
        (VersionStatus.APPROVED, True, True),
        (VersionStatus.REJECTED, False, True),
        (VersionStatus.IN_REVIEW, True, False),  # review ignored the decision
        (VersionStatus.APPROVED, False, False),
    ],
)
async def test_a_moderation_decision_is_told_only_when_review_applied_it(
    status: VersionStatus, approved: bool, made: bool
) -> None:
    uow = FakeUnitOfWork()
    developer = uuid.uuid4()
    game = _game(developer)
    version = _version(game, status)
    uow.games.games[game.id] = game
    uow.builds.versions[version.id] = version
    told = await use_cases.on_moderation_decision(
        uow,  # type: ignore[arg-type]
        game_id=game.id,
        version_id=version.id,
        approved=approved,
        note="Причина",
        now=NOW,
    )
    assert (told is not None) is made
    if told is not None:
        assert told.developer_id == developer
        assert told.kind in (
            NotificationKind.MODERATION_APPROVED,
            NotificationKind.MODERATION_REJECTED,
        )
    unknown = await use_cases.on_moderation_decision(
        uow,  # type: ignore[arg-type]
        game_id=uuid.uuid4(),
        version_id=version.id,
        approved=approved,
        note=None,
        now=NOW,
    )
    assert unknown is None
    if made:  # another decision event about the same version tells nothing more
        again = await use_cases.on_moderation_decision(
            uow,  # type: ignore[arg-type]
            game_id=game.id,
            version_id=version.id,
            approved=approved,
            note=None,
            now=NOW,
        )
        assert again is None and len(uow.notifications.rows) == 1


async def test_each_role_sees_the_kinds_its_rights_cover() -> None:
    uow = FakeUnitOfWork()
    developer = uuid.uuid4()
    payout = payout_status_changed(
        developer_id=developer,
        payout_request_id=uuid.uuid4(),
        amount_minor=100_000,
        currency="RUB",
        new_status="completed",
        failure=None,
        source_event_id=uuid.uuid4(),
    )
    invitation = team_invitation(
        developer_id=developer,
        invitation_id=uuid.uuid4(),
        role="editor",
        invitee_user_id=None,
        expires_at=NOW,
        source_event_id=uuid.uuid4(),
    )
    made = {}
    for draft in (payout, invitation, _draft(developer)):
        added = await use_cases.notify(uow, draft, NOW)  # type: ignore[arg-type]
        assert added is not None
        made[added.kind.value] = added
    seen = {
        role: [
            n.kind.value
            for n in (
                await use_cases.inbox_page(
                    uow,  # type: ignore[arg-type]
                    _actor(developer, role),
                    read=None,
                    cursor=None,
                    size=10,
                )
            ).notifications
        ]
        for role in TeamRole
    }
    assert (
        seen[TeamRole.OWNER]
        == seen[TeamRole.ADMIN]
        == [
            "game_published",
            "team_invitation",
            "payout_status_changed",
        ]
    )
    assert seen[TeamRole.FINANCE] == ["game_published", "payout_status_changed"]
    assert seen[TeamRole.EDITOR] == seen[TeamRole.VIEWER] == ["game_published"]
    viewer = _actor(developer, TeamRole.VIEWER)
    with pytest.raises(NotFound):
        await use_cases.mark_read(uow, viewer, made["payout_status_changed"].id, NOW)  # type: ignore[arg-type]
    assert await use_cases.mark_all_read(uow, viewer, NOW) == 1  # type: ignore[arg-type]
    assert made["payout_status_changed"].unread  # still unread for those who see it
    finance = await use_cases.inbox_page(
        uow,
        _actor(developer, TeamRole.FINANCE),
        read=False,
        cursor=None,
        size=10,  # type: ignore[arg-type]
    )
    assert finance.unread == 1
