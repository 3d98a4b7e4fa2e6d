"""notifications: use cases over the unit of work.

- Other contexts and the consumers put a line in an account's inbox: :func:`notify` (a draft
  the caller rendered), or one of the ``on_*`` functions that look up what the event does not
  carry (the game's title, the version's name) and check the account exists. None of them
  commits: they run inside the caller's transaction (a consumer's inbox transaction, the builds
  job's verdict), so the notification exists exactly when the change it reports does.
- Members read the inbox: :func:`inbox_page` (newest first, by read state, with the unread
  count), :func:`mark_read`, :func:`mark_all_read`, and the stream's reads
  (:func:`stream_start`, :func:`stream_batch`).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from parovoz_developer_portal.accounts.ports import PortalUnitOfWork
from parovoz_developer_portal.builds import service as builds
from parovoz_developer_portal.builds.ports import BuildsUnitOfWork
from parovoz_developer_portal.notifications.domain import (
    Notification,
    NotificationDraft,
    NotificationKind,
    build_checked,
    game_published,
    game_rolled_back,
    game_unpublished,
    greenlight_decided,
    moderation_decided,
    notification_not_found,
    payout_status_changed,
)
from parovoz_developer_portal.notifications.rules import NotificationRules
from parovoz_developer_portal.team.domain import ROLE_PERMISSIONS, Actor, Permission

log = logging.getLogger(__name__)


class NotificationStore(Protocol):
    async def add(self, draft: NotificationDraft, now: datetime) -> Notification | None: ...
    async def get(
        self, developer_id: uuid.UUID, notification_id: uuid.UUID, kinds: frozenset[str]
    ) -> Notification | None: ...
    async def page(
        self,
        developer_id: uuid.UUID,
        kinds: frozenset[str],
        *,
        read: bool | None,
        before_sequence: int | None,
        limit: int,
    ) -> list[Notification]: ...
    async def after(
        self, developer_id: uuid.UUID, kinds: frozenset[str], after_sequence: int, limit: int
    ) -> list[Notification]: ...
    async def last_sequence(self, developer_id: uuid.UUID) -> int: ...
    async def unread_count(self, developer_id: uuid.UUID, kinds: frozenset[str]) -> int: ...
    async def save_read(self, notification: Notification) -> None: ...
    async def mark_all_read(
        self, developer_id: uuid.UUID, kinds: frozenset[str], up_to_sequence: int, now: datetime
    ) -> int: ...


class InboxUnitOfWork(Protocol):
    notifications: NotificationStore

    async def commit(self) -> None: ...


class NotifyingUnitOfWork(PortalUnitOfWork, Protocol):
    notifications: NotificationStore


class EventNotifyingUnitOfWork(BuildsUnitOfWork, Protocol):
    notifications: NotificationStore


# --- writing: other contexts and the consumers ---------------------------------------------
async def notify(
    uow: InboxUnitOfWork, draft: NotificationDraft, now: datetime
) -> Notification | None:
    """Put ``draft`` in its account's inbox (the caller commits); None when its source event
    already made a notification there."""
    added = await uow.notifications.add(draft, now)
    if added is None:
        log.info(
            "notification already made",
            extra={"source_event_id": str(draft.source_event_id), "kind": draft.kind.value},
        )
    return added


async def _account_exists(uow: NotifyingUnitOfWork, developer_id: uuid.UUID) -> bool:
    if await uow.accounts.get(developer_id) is not None:
        return True
    log.warning("notification for an unknown account skipped", extra={"id": str(developer_id)})
    return False


async def on_moderation_decision(
    uow: EventNotifyingUnitOfWork,
    *,
    game_id: uuid.UUID,
    version_id: uuid.UUID,
    approved: bool,
    note: str | None,
    now: datetime,
) -> Notification | None:
    """After review applied the decision (same transaction): tell the game's account, if the
    version now carries this decision (a decision review ignored makes no notification). Told
    once per version: the notification's source is the version's decision, not the event."""
    game = await uow.games.get(game_id)
    if game is None:
        return None
    versions = await builds.versions_of_game(uow, game_id)
    version = next((v for v in versions if v.id == version_id), None)
    expected = "approved" if approved else "rejected"
    if version is None or version.status.value != expected:
        return None
    draft = moderation_decided(
        developer_id=game.developer_id,
        game_id=game.id,
        game_title=game.title,
        version_id=version.id,
        version_name=version.version_name,
        approved=approved,
        note=note,
    )
    return await notify(uow, draft, now)


async def on_greenlight_decision(
    uow: NotifyingUnitOfWork,
    *,
    developer_id: uuid.UUID,
    game_id: uuid.UUID,
    approved: bool,
    detail: str | None,
    source_event_id: uuid.UUID,
    now: datetime,
) -> Notification | None:
    if not await _account_exists(uow, developer_id):
        return None
    game = await uow.games.get(game_id)
    title = game.title if game is not None and game.developer_id == developer_id else None
    draft = greenlight_decided(
        developer_id=developer_id,
        game_id=game_id,
        game_title=title,
        approved=approved,
        detail=detail,
        source_event_id=source_event_id,
    )
    return await notify(uow, draft, now)


async def on_payout_status(
    uow: NotifyingUnitOfWork,
    *,
    developer_id: uuid.UUID,
    payout_request_id: uuid.UUID,
    amount_minor: int,
    currency: str,
    new_status: str,
    failure: str | None,
    source_event_id: uuid.UUID,
    now: datetime,
) -> Notification | None:
    if not await _account_exists(uow, developer_id):
        return None
    draft = payout_status_changed(
        developer_id=developer_id,
        payout_request_id=payout_request_id,
        amount_minor=amount_minor,
        currency=currency,
        new_status=new_status,
        failure=failure,
        source_event_id=source_event_id,
    )
    return await notify(uow, draft, now)


@dataclass(frozen=True)
class GameChange:
    """What developer-portal's own game events say (``developer.events.v1``)."""

    developer_id: uuid.UUID
    game_id: uuid.UUID
    #: ``published``, ``republished``, ``rolled_back`` or ``unpublished``.
    change: str
    reason: str | None
    source_event_id: uuid.UUID


async def on_game_change(
    uow: NotifyingUnitOfWork, change: GameChange, now: datetime
) -> Notification | None:
    game = await uow.games.get(change.game_id)
    if game is None or game.developer_id != change.developer_id:
        return None
    if change.change in ("published", "republished"):
        draft = game_published(
            developer_id=game.developer_id,
            game_id=game.id,
            game_title=game.title,
            republished=change.change == "republished",
            source_event_id=change.source_event_id,
        )
    else:
        render = game_rolled_back if change.change == "rolled_back" else game_unpublished
        draft = render(
            developer_id=game.developer_id,
            game_id=game.id,
            game_title=game.title,
            reason=change.reason,
            source_event_id=change.source_event_id,
        )
    return await notify(uow, draft, now)


async def on_team_change(
    uow: NotifyingUnitOfWork, draft: NotificationDraft, now: datetime
) -> Notification | None:
    """A team event (rendered by the caller from its facts) in its account's inbox."""
    if not await _account_exists(uow, draft.developer_id):
        return None
    return await notify(uow, draft, now)


async def on_build_checked(
    uow: InboxUnitOfWork,
    *,
    developer_id: uuid.UUID,
    game_id: uuid.UUID,
    version_id: uuid.UUID,
    build_id: uuid.UUID,
    file_name: str,
    platform: str,
    verified: bool,
    failure: str | None,
    now: datetime,
) -> Notification | None:
    """The builds job's verdict on one build, in the job's transaction."""
    draft = build_checked(
        developer_id=developer_id,
        game_id=game_id,
        version_id=version_id,
        build_id=build_id,
        file_name=file_name,
        platform=platform,
        verified=verified,
        failure=failure,
    )
    return await notify(uow, draft, now)


# --- reading: the account's members ----------------------------------------------------------
#: The right a member needs to see a kind (PRODUCT.md's rights): a payout is the money side
#: (owner, admin, finance), an invitation the team's managers' (owner, admin, as
#: ``GET /team/invitations``); every other kind any member sees.
AUDIENCE: dict[NotificationKind, Permission] = {
    NotificationKind.PAYOUT_STATUS_CHANGED: Permission.MANAGE_FINANCE,
    NotificationKind.TEAM_INVITATION: Permission.MANAGE_TEAM,
}


def visible_kinds(actor: Actor) -> frozenset[str]:
    """The kinds of notification ``actor``'s role may see."""
    granted = ROLE_PERMISSIONS[actor.role]
    return frozenset(
        kind.value for kind in NotificationKind if AUDIENCE.get(kind, Permission.VIEW) in granted
    )


@dataclass(frozen=True)
class InboxPage:
    notifications: list[Notification]
    unread: int
    #: The cursor of the next (older) page; None on the last.
    next_cursor: int | None


async def inbox_page(
    uow: InboxUnitOfWork,
    actor: Actor,
    *,
    read: bool | None,
    cursor: int | None,
    size: int,
) -> InboxPage:
    actor.require(Permission.VIEW)
    kinds = visible_kinds(actor)
    found = await uow.notifications.page(
        actor.developer_id, kinds, read=read, before_sequence=cursor, limit=size + 1
    )
    unread = await uow.notifications.unread_count(actor.developer_id, kinds)
    page = found[:size]
    next_cursor = page[-1].sequence if len(found) > size else None
    return InboxPage(page, unread, next_cursor)


async def mark_read(
    uow: InboxUnitOfWork, actor: Actor, notification_id: uuid.UUID, now: datetime
) -> Notification:
    """The notification read (reading it again changes nothing); another account's, or one the
    caller's role does not see, is 404."""
    found = await uow.notifications.get(actor.developer_id, notification_id, visible_kinds(actor))
    if found is None:
        raise notification_not_found(notification_id)
    actor.require(Permission.VIEW)
    read = found.read(now)
    if read is not found:
        await uow.notifications.save_read(read)
        await uow.commit()
    return read


async def mark_all_read(uow: InboxUnitOfWork, actor: Actor, now: datetime) -> int:
    """Every notification of the account the caller sees, so far, read: how many were unread."""
    actor.require(Permission.VIEW)
    last = await uow.notifications.last_sequence(actor.developer_id)
    kinds = visible_kinds(actor)
    marked = await uow.notifications.mark_all_read(actor.developer_id, kinds, last, now)
    await uow.commit()
    return marked


async def stream_start(uow: InboxUnitOfWork, actor: Actor, last_event_id: int | None) -> int:
    """Where the caller's stream starts: after ``Last-Event-ID`` (a reconnection replays what
    came since), else after the newest notification (only what comes next). An id beyond the
    account's newest (not one of its events) starts at the newest: nothing new is skipped."""
    actor.require(Permission.VIEW)
    newest = await uow.notifications.last_sequence(actor.developer_id)
    return newest if last_event_id is None else min(last_event_id, newest)


async def stream_batch(
    uow: InboxUnitOfWork, actor: Actor, after_sequence: int, rules: NotificationRules
) -> list[Notification]:
    """The account's next notifications the caller sees after ``after_sequence``, oldest
    first."""
    return await uow.notifications.after(
        actor.developer_id, visible_kinds(actor), after_sequence, rules.batch_size
    )
