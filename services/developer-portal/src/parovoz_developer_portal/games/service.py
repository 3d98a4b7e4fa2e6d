"""Use cases of games: draft a game (or a DLC of one), read and list them, their store
attributes and localized metadata, unpublish and archive.

Tenant isolation lives here: a game is only ever returned to a member of its developer account
(others get RESOURCE_NOT_FOUND, never its data), checked before the caller's role. A game's
reads take one query (the game and the caller's role together).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from parovoz_events.developer import GameCreated, GameMetadataUpdated, GameUnpublished
from parovoz_kit.errors import NotFound
from parovoz_kit.regions import ISO_3166_ALPHA_2

from parovoz_developer_portal.accounts.ports import PortalUnitOfWork
from parovoz_developer_portal.accounts.service import my_membership
from parovoz_developer_portal.games.domain import (
    UNCHANGED,
    AgeRating,
    Game,
    GameFilter,
    GameStatus,
    LocalizedMetadata,
    Platform,
    Position,
    ProductType,
    SystemRequirements,
    Unchanged,
    archive_game,
    change_attributes,
    draft_game,
    invalid_parent_game,
    leaves_the_store,
    move_game,
    require_parent_only_for_dlc,
    require_removable,
    store_metadata,
    unpublish_game,
    write_metadata,
)
from parovoz_developer_portal.team.domain import Actor, Permission, require_permission


async def create_game(
    uow: PortalUnitOfWork,
    user_id: uuid.UUID,
    title: str,
    product_type: ProductType,
    parent_game_id: uuid.UUID | None,
    now: datetime,
) -> Game:
    membership = await my_membership(uow, user_id)
    require_permission(membership.role, Permission.MANAGE_GAMES)
    require_parent_only_for_dlc(product_type, parent_game_id is not None)
    parent = None
    if parent_game_id is not None:
        parent = await uow.games.get(parent_game_id)
        if parent is None or parent.developer_id != membership.account.id:
            # Another developer's game is answered like an unknown id (never "not yours").
            raise invalid_parent_game()
    game = draft_game(membership.account, title, product_type, parent, user_id, now)
    await uow.games.add(game)  # a duplicate title raises Conflict from the repository
    uow.emit(
        GameCreated(
            developer_id=game.developer_id,
            game_id=game.id,
            title=game.title,
            product_type=game.product_type.value,
            parent_game_id=game.parent_game_id,
            status="draft",
            created_at=game.created_at,
            created_by_user_id=user_id,
        )
    )
    await uow.commit()
    return game


def game_not_found(game_id: uuid.UUID) -> NotFound:
    return NotFound(
        f"Game {game_id} was not found.",
        detail_ru=f"Игра {game_id} не найдена.",
        code="RESOURCE_NOT_FOUND",
    )


async def game_for_actor(
    uow: PortalUnitOfWork,
    actor: Actor,
    game_id: uuid.UUID,
    permission: Permission = Permission.VIEW,
) -> Game:
    """One of the actor's account's games, if the actor's role allows ``permission`` on it.
    Another account's game, or none, is RESOURCE_NOT_FOUND (checked before the role, so a
    tenant never learns which ids exist)."""
    game = await uow.games.get(game_id)
    if game is None or game.developer_id != actor.developer_id:
        raise game_not_found(game_id)
    actor.require(permission)
    return game


async def change_game_status(
    uow: PortalUnitOfWork, game: Game, target: GameStatus, now: datetime
) -> Game:
    """Move the game along its state machine (GAME_STATE_CONFLICT when illegal) and store it.
    The caller emits the event of the move and commits."""
    moved = move_game(game, target, now)
    await uow.games.save_status(moved)
    return moved


async def has_metadata(uow: PortalUnitOfWork, game_id: uuid.UUID, locale: str) -> bool:
    """Whether the game has its texts in ``locale`` (releases asks for ru-RU before
    publishing)."""
    return await uow.games.has_locale(game_id, locale)


async def _game_of_user(
    uow: PortalUnitOfWork,
    user_id: uuid.UUID,
    game_id: uuid.UUID,
    permission: Permission,
    *,
    lock: bool = False,
) -> tuple[Game, Actor]:
    """The game and the caller as an actor of its account, in one query (404 before 403)."""
    found = await uow.games.game_of_member(game_id, user_id, lock=lock)
    if found is None:
        raise game_not_found(game_id)
    game, role = found
    actor = Actor(developer_id=game.developer_id, user_id=user_id, role=role)
    actor.require(permission)
    return game, actor


# --- reads --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GameView:
    """A game as ``GET /games/{id}`` shows it: with the languages it has texts in."""

    game: Game
    locales: tuple[str, ...]


@dataclass(frozen=True)
class GamePage:
    games: list[Game]
    #: Cursor of the next page; None on the last one.
    next_cursor: str | None


async def view_game(uow: PortalUnitOfWork, user_id: uuid.UUID, game_id: uuid.UUID) -> GameView:
    found = await uow.games.game_view(game_id, user_id)
    if found is None:
        raise game_not_found(game_id)
    game, role, locales = found
    require_permission(role, Permission.VIEW)
    return GameView(game, locales)


async def list_games(
    uow: PortalUnitOfWork,
    user_id: uuid.UUID,
    game_filter: GameFilter,
    cursor: str | None,
    page_size: int,
) -> GamePage:
    """The caller's account's games, newest first, ``page_size`` a page."""
    after = Position.of_cursor(cursor) if cursor else None
    found = await uow.games.page_of_member(user_id, game_filter, after, page_size + 1)
    if found is None:
        await my_membership(uow, user_id)  # the caller belongs to no account: its 404
        return GamePage([], None)
    role, games = found
    require_permission(role, Permission.VIEW)
    page = games[:page_size]
    more = len(games) > page_size
    return GamePage(page, Position.after(page[-1]).cursor() if more else None)


async def metadata_of_game(
    uow: PortalUnitOfWork, user_id: uuid.UUID, game_id: uuid.UUID
) -> list[LocalizedMetadata]:
    await _game_of_user(uow, user_id, game_id, Permission.VIEW)
    return await uow.games.locales(game_id)


async def metadata_in(
    uow: PortalUnitOfWork, user_id: uuid.UUID, game_id: uuid.UUID, language: str
) -> LocalizedMetadata:
    await _game_of_user(uow, user_id, game_id, Permission.VIEW)
    locale = await uow.games.locale(game_id, language)
    if locale is None:
        raise _no_locale(game_id, language)
    return locale


def _no_locale(game_id: uuid.UUID, language: str) -> NotFound:
    return NotFound(
        f"Game {game_id} has no metadata in {language}.",
        detail_ru=f"У игры {game_id} нет метаданных на языке {language}.",
        code="RESOURCE_NOT_FOUND",
    )


# --- changes ------------------------------------------------------------------------------------
def _announce_metadata(
    uow: PortalUnitOfWork,
    game: Game,
    locales: Sequence[LocalizedMetadata],
    by: uuid.UUID,
    now: datetime,
) -> None:
    """Emit the game's full store metadata (``developer.game.metadata.updated.v1``) as its
    ``locales`` now stand."""
    state = store_metadata(game, locales)
    uow.emit(
        GameMetadataUpdated(
            developer_id=game.developer_id,
            game_id=game.id,
            title=state.title,
            age_rating=state.age_rating.value if state.age_rating else None,
            regions=state.regions,
            platforms=tuple(platform.value for platform in state.platforms),
            release_date=state.release_date,
            updated_at=now,
            updated_by_user_id=by,
        )
    )


async def change_game_attributes(
    uow: PortalUnitOfWork,
    user_id: uuid.UUID,
    game_id: uuid.UUID,
    *,
    title: str | Unchanged = UNCHANGED,
    age_rating: AgeRating | Unchanged | None = UNCHANGED,
    regions: Sequence[str] | Unchanged = UNCHANGED,
    release_date: date | Unchanged | None = UNCHANGED,
    now: datetime,
) -> GameView:
    """Set the game's title and store attributes; a change is announced, a no-op is not."""
    game, _ = await _game_of_user(uow, user_id, game_id, Permission.MANAGE_GAMES, lock=True)
    changed = change_attributes(
        game,
        title=title,
        age_rating=age_rating,
        regions=regions if isinstance(regions, Unchanged) else tuple(regions),
        release_date=release_date,
        known_regions=ISO_3166_ALPHA_2,
        now=now,
    )
    if changed == game:
        return GameView(game, await uow.games.languages(game.id))
    await uow.games.save_attributes(changed)  # a title in use raises Conflict
    locales = await uow.games.locales(game_id)
    _announce_metadata(uow, changed, locales, user_id, now)
    await uow.commit()
    return GameView(changed, tuple(locale.language_code for locale in locales))


async def put_metadata(
    uow: PortalUnitOfWork,
    user_id: uuid.UUID,
    game_id: uuid.UUID,
    language: str,
    *,
    title: str,
    short_description: str | None,
    full_description: str | None,
    tags: Sequence[str],
    genres: Sequence[str],
    system_requirements: Mapping[Platform, SystemRequirements],
    now: datetime,
) -> tuple[LocalizedMetadata, bool]:
    """Create or replace the game's texts in ``language``; whether they are new. The same
    texts again change nothing and announce nothing: that is answered from one read, with no
    transaction; a change is written under the game's lock (the announced state is then the
    whole current one, whatever other languages change at the same time)."""

    def texts_of(game: Game) -> LocalizedMetadata:
        return write_metadata(
            game,
            language,
            title=title,
            short_description=short_description,
            full_description=full_description,
            tags=tags,
            genres=genres,
            system_requirements=system_requirements,
            by=user_id,
            now=now,
        )

    found = await uow.games.game_with_locale(game_id, user_id, language)
    if found is None:
        raise game_not_found(game_id)
    game, role, current = found
    require_permission(role, Permission.MANAGE_GAMES)
    written = texts_of(game)
    if current is not None and current.content() == written.content():
        return current, False
    game, _ = await _game_of_user(uow, user_id, game_id, Permission.MANAGE_GAMES, lock=True)
    written = texts_of(game)  # the game as locked: archived meanwhile is refused
    locales = await uow.games.locales(game_id)
    before = next((locale for locale in locales if locale.language_code == language), None)
    if before is not None and before.content() == written.content():
        return before, False
    await uow.games.put_locale(written)
    others = [locale for locale in locales if locale.language_code != language]
    _announce_metadata(uow, game, [*others, written], user_id, now)
    await uow.commit()
    return written, before is None


async def remove_metadata(
    uow: PortalUnitOfWork, user_id: uuid.UUID, game_id: uuid.UUID, language: str, now: datetime
) -> None:
    game, _ = await _game_of_user(uow, user_id, game_id, Permission.MANAGE_GAMES, lock=True)
    locales = await uow.games.locales(game_id)
    if all(locale.language_code != language for locale in locales):
        raise _no_locale(game_id, language)
    require_removable(game, language)
    await uow.games.delete_locale(game_id, language)
    others = [locale for locale in locales if locale.language_code != language]
    _announce_metadata(uow, game, others, user_id, now)
    await uow.commit()


async def _take_off(
    uow: PortalUnitOfWork,
    user_id: uuid.UUID,
    game_id: uuid.UUID,
    target: GameStatus,
    reason: str | None,
    now: datetime,
) -> GameView:
    game, _ = await _game_of_user(uow, user_id, game_id, Permission.MANAGE_GAMES, lock=True)
    moved = (
        unpublish_game(game, now) if target is GameStatus.UNPUBLISHED else archive_game(game, now)
    )
    await uow.games.save_status(moved)
    if leaves_the_store(game):
        uow.emit(
            GameUnpublished(
                developer_id=game.developer_id,
                game_id=game.id,
                reason=reason,
                unpublished_at=now,
                unpublished_by_user_id=user_id,
            )
        )
    locales = await uow.games.languages(game_id)
    await uow.commit()
    return GameView(moved, locales)


async def unpublish(
    uow: PortalUnitOfWork, user_id: uuid.UUID, game_id: uuid.UUID, reason: str | None, now: datetime
) -> GameView:
    """Take a published game off the store (it can be published again)."""
    return await _take_off(uow, user_id, game_id, GameStatus.UNPUBLISHED, reason, now)


async def archive(
    uow: PortalUnitOfWork, user_id: uuid.UUID, game_id: uuid.UUID, now: datetime
) -> GameView:
    """Archive a game for good; a published one leaves the store."""
    return await _take_off(uow, user_id, game_id, GameStatus.ARCHIVED, None, now)
