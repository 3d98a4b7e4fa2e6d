"""releases: use cases, one function per action, over the unit of work.

- :func:`publish_game`: an approved version goes live once the game has all PRODUCT.md asks
  (the refusal lists every missing need); the live one before it is ``deprecated``;
- :func:`roll_back_game`: an earlier live (``deprecated``) version is live again;
- :func:`release_history`: who changed the live version, when, from which to which.

Tenant isolation first (``game_for_actor``: another account's game is RESOURCE_NOT_FOUND), then
the role: publishing and rolling back need MANAGE_GAMES, reading the history VIEW.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Protocol

from parovoz_events.developer import GamePublished, GameRolledBack

from parovoz_developer_portal.builds import service as builds
from parovoz_developer_portal.builds.domain import VersionStatus
from parovoz_developer_portal.builds.ports import BuildsUnitOfWork
from parovoz_developer_portal.games import service as games
from parovoz_developer_portal.games.domain import Game
from parovoz_developer_portal.media.ports import MediaUnitOfWork
from parovoz_developer_portal.media.service import screenshot_count
from parovoz_developer_portal.pricing.service import PricingUnitOfWork
from parovoz_developer_portal.releases.domain import (
    PublicationFacts,
    Release,
    ReleaseKind,
    first_published_at,
    game_status_on_publication,
    live_version,
    release,
    require_publishable,
    require_rollback,
    rollback_reason,
    version_to_publish,
)
from parovoz_developer_portal.releases.rules import PublicationRules
from parovoz_developer_portal.team.domain import Actor, Permission


class ReleaseStore(Protocol):
    async def lock_game(self, game_id: uuid.UUID) -> None:
        """Serialize review and release steps of one game until commit."""
        ...

    async def add(self, release: Release) -> None: ...
    async def of_game(self, game_id: uuid.UUID) -> list[Release]:
        """Oldest first."""
        ...


class ReleasesUnitOfWork(BuildsUnitOfWork, MediaUnitOfWork, PricingUnitOfWork, Protocol):
    releases: ReleaseStore


async def publication_facts(
    uow: ReleasesUnitOfWork,
    game: Game,
    version_id: uuid.UUID | None,
    rules: PublicationRules,
) -> PublicationFacts:
    """What the game has of PRODUCT.md's publication needs (the version asked for, or the
    newest approved one)."""
    version = version_to_publish(await builds.versions_of_game(uow, game.id), version_id, game)
    platforms = await builds.verified_platforms(uow, version.id) if version else ()
    prices = await uow.prices.current(game.id)
    return PublicationFacts(
        version=version,
        verified_platforms=frozenset(platforms),
        has_required_metadata=await games.has_metadata(uow, game.id, rules.required_locale),
        screenshots=await screenshot_count(uow, game.id),
        priced=prices.price_list is not None,
        game_status=game.status,
    )


async def publish_game(
    uow: ReleasesUnitOfWork,
    actor: Actor,
    game_id: uuid.UUID,
    version_id: uuid.UUID | None,
    rules: PublicationRules,
    now: datetime,
) -> Release:
    """Make an approved version live and the game published (an unpublished game may go back
    on sale with the version still live); emits ``developer.game.published.v1``
    (``first_published_at`` kept across re-publications)."""
    await uow.releases.lock_game(game_id)
    game = await games.game_for_actor(uow, actor, game_id, Permission.MANAGE_GAMES)
    target_status = game_status_on_publication(game)
    version = require_publishable(await publication_facts(uow, game, version_id, rules), rules)
    previous = live_version(await builds.versions_of_game(uow, game_id))
    live = version
    if version.status is not VersionStatus.LIVE:
        if previous is not None:
            await builds.save_version_status(uow, previous, VersionStatus.DEPRECATED, now)
        live = await builds.save_version_status(uow, version, VersionStatus.LIVE, now)
    if target_status is not None:
        game = await games.change_game_status(uow, game, target_status, now)
    history = await uow.releases.of_game(game_id)
    entry = release(
        game, ReleaseKind.PUBLICATION, previous, live, actor.user_id, actor.api_key_id, None, now
    )
    await uow.releases.add(entry)
    uow.emit(
        GamePublished(
            developer_id=game.developer_id,
            game_id=game.id,
            version_id=live.id,
            published_at=now,
            published_by_user_id=actor.user_id,
            first_published_at=first_published_at(history, now),
        )
    )
    await uow.commit()
    return entry


async def roll_back_game(
    uow: ReleasesUnitOfWork,
    actor: Actor,
    game_id: uuid.UUID,
    version_id: uuid.UUID,
    reason: str | None,
    now: datetime,
) -> Release:
    """Make an earlier live (``deprecated``) version live again and deprecate the current one;
    the game stays published. Emits ``developer.game.rolled_back.v1``."""
    await uow.releases.lock_game(game_id)
    game = await games.game_for_actor(uow, actor, game_id, Permission.MANAGE_GAMES)
    versions = await builds.versions_of_game(uow, game_id)
    asked = next((v for v in versions if v.id == version_id), None)
    target, current = require_rollback(game, asked, version_id, live_version(versions))
    reason = rollback_reason(reason)
    await builds.save_version_status(uow, current, VersionStatus.DEPRECATED, now)
    live = await builds.save_version_status(uow, target, VersionStatus.LIVE, now)
    entry = release(
        game, ReleaseKind.ROLLBACK, current, live, actor.user_id, actor.api_key_id, reason, now
    )
    await uow.releases.add(entry)
    uow.emit(
        GameRolledBack(
            developer_id=game.developer_id,
            game_id=game.id,
            version_id=live.id,
            rolled_back_from_version_id=current.id,
            reason=reason,
            rolled_back_at=now,
            rolled_back_by_user_id=actor.user_id,
        )
    )
    await uow.commit()
    return entry


async def release_history(
    uow: ReleasesUnitOfWork, actor: Actor, game_id: uuid.UUID
) -> list[Release]:
    """The game's publications and rollbacks, newest first."""
    await games.game_for_actor(uow, actor, game_id, Permission.VIEW)
    return list(reversed(await uow.releases.of_game(game_id)))
