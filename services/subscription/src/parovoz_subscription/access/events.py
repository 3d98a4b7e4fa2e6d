"""Consumer of developer.events.v1: the games read model (age rating, regions, published,
release date).

Each handler runs in the consumer's inbox transaction (the kit's IdempotentConsumer: a
redelivered event has no second effect) and writes the game's row only when the event is newer
than what the row holds for that part (metadata or publication state), so an event delivered
late never overwrites a newer state. A change names the game with ``access_changed``; the
cached access answers of those games are forgotten once the consumer's transaction has
committed (never before: a reader in between would cache the old state again).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

from parovoz_events.developer import (
    GameCreated,
    GameMetadataUpdated,
    GamePublished,
    GameRolledBack,
    GameUnpublished,
)
from parovoz_kit.clock import Clock
from parovoz_kit.events import Event, Handler
from parovoz_kit.infrastructure import Infrastructure
from sqlalchemy import event as orm_event
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_subscription.access.cache import AccessCache
from parovoz_subscription.access.ports import access_cache
from parovoz_subscription.access.read_models import SqlReadModels

log = logging.getLogger(__name__)

#: Invalidations started after a commit, kept referenced until they finish.
_RUNNING: set[asyncio.Task[None]] = set()


class ReadModelInbox:
    """The read models over the consumer's session, and ``access_changed`` whose cache
    invalidation runs after that session commits (the consumer commits, with the inbox row)."""

    def __init__(self, session: AsyncSession, cache: AccessCache, clock: Clock) -> None:
        self.read_models = SqlReadModels(session)
        self.clock = clock
        self._session = session
        self._cache = cache
        self._games: set[uuid.UUID] = set()

    def access_changed(self, *, games: Iterable[uuid.UUID] = ()) -> None:
        new = set(games) - self._games
        if not new:
            return
        if not self._games:
            orm_event.listen(self._session.sync_session, "after_commit", self._forget, once=True)
        self._games |= new

    def _forget(self, _session: Any) -> None:
        games, self._games = frozenset(self._games), set()
        task = asyncio.get_running_loop().create_task(_invalidate(self._cache, games))
        _RUNNING.add(task)
        task.add_done_callback(_RUNNING.discard)


async def _invalidate(cache: AccessCache, games: frozenset[uuid.UUID]) -> None:
    try:
        await cache.invalidate(games=games)
    except Exception:  # Redis down: answers then come from PostgreSQL (and expire anyway)
        log.warning("access cache not invalidated", extra={"games": sorted(map(str, games))})


async def settled() -> None:
    """Wait for the invalidations started so far (tests)."""
    if _RUNNING:
        await asyncio.gather(*list(_RUNNING), return_exceptions=True)


Apply = Callable[[ReadModelInbox, Any, Event], Awaitable[bool]]


async def _created(uow: ReadModelInbox, data: GameCreated, _event: Event) -> bool:
    return await uow.read_models.game_created(
        data.game_id,
        developer_id=data.developer_id,
        product_type=data.product_type,
        parent_game_id=data.parent_game_id,
        now=uow.clock.now(),
    )


async def _metadata(uow: ReadModelInbox, data: GameMetadataUpdated, _event: Event) -> bool:
    return await uow.read_models.game_metadata(
        data.game_id,
        developer_id=data.developer_id,
        age_rating=data.age_rating,
        regions=data.regions,
        release_date=data.release_date,
        at=data.updated_at,
        now=uow.clock.now(),
    )


async def _published(uow: ReadModelInbox, data: GamePublished, _event: Event) -> bool:
    return await uow.read_models.game_listing(
        data.game_id,
        developer_id=data.developer_id,
        published=True,
        at=data.published_at,
        now=uow.clock.now(),
    )


async def _rolled_back(uow: ReadModelInbox, data: GameRolledBack, _event: Event) -> bool:
    # A rollback keeps the game published (another version is served).
    return await uow.read_models.game_listing(
        data.game_id,
        developer_id=data.developer_id,
        published=True,
        at=data.rolled_back_at,
        now=uow.clock.now(),
    )


async def _unpublished(uow: ReadModelInbox, data: GameUnpublished, _event: Event) -> bool:
    return await uow.read_models.game_listing(
        data.game_id,
        developer_id=data.developer_id,
        published=False,
        at=data.unpublished_at,
        now=uow.clock.now(),
    )


APPLY: dict[str, Apply] = {
    GameCreated.event_type: _created,
    GameMetadataUpdated.event_type: _metadata,
    GamePublished.event_type: _published,
    GameRolledBack.event_type: _rolled_back,
    GameUnpublished.event_type: _unpublished,
}


def developer_event_handlers(infrastructure: Infrastructure) -> Mapping[str, Handler]:
    clock = infrastructure.clock
    cache = access_cache(infrastructure)

    def handler(apply: Apply) -> Handler:
        async def handle(session: AsyncSession, data: Any, event: Event) -> None:
            uow = ReadModelInbox(session, cache, clock)
            if await apply(uow, data, event):
                uow.access_changed(games=[data.game_id])
            else:
                log.info(
                    "game event older than the state held: ignored",
                    extra={"game_id": str(data.game_id), "event_id": str(event.id)},
                )

        return handle

    return {event_type: handler(apply) for event_type, apply in APPLY.items()}
