"""Use cases of games: draft a game (or a DLC of one), read a game.

Tenant isolation lives here: a game is only ever returned to a member of its developer account
(others get NOT_FOUND, never its data).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from parovoz_events.developer import GameCreated
from parovoz_kit.errors import NotFound

from parovoz_developer_portal.accounts.ports import PortalUnitOfWork
from parovoz_developer_portal.accounts.service import my_membership
from parovoz_developer_portal.games.domain import (
    Game,
    GameStatus,
    ProductType,
    draft_game,
    invalid_parent_game,
    move_game,
    require_parent_only_for_dlc,
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


async def game_for_member(uow: PortalUnitOfWork, user_id: uuid.UUID, game_id: uuid.UUID) -> Game:
    game = await uow.games.get(game_id)
    role = await uow.accounts.role_of(game.developer_id, user_id) if game else None
    if game is None or role is None:
        # Same answer whether the game does not exist or belongs to someone else.
        raise NotFound(
            f"Game {game_id} was not found.",
            detail_ru=f"Игра {game_id} не найдена.",
            code="RESOURCE_NOT_FOUND",
        )
    require_permission(role, Permission.VIEW)
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
