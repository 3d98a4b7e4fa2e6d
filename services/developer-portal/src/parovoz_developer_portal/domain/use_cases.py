"""Use cases of the proving slice: open an account, read it, draft a game, read a game.

Each is one function taking the unit of work; tenant isolation lives here: a game is only
ever returned to a member of its developer account (others get NOT_FOUND, never its data).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from parovoz_events.developer import DeveloperAccountCreated, GameCreated
from parovoz_kit.errors import Conflict, NotFound

from parovoz_developer_portal.domain.accounts import (
    AccountApplication,
    DeveloperAccount,
    open_account,
)
from parovoz_developer_portal.domain.games import (
    Game,
    ProductType,
    draft_game,
    invalid_parent_game,
    require_parent_only_for_dlc,
)
from parovoz_developer_portal.domain.ports import Membership, PortalUnitOfWork
from parovoz_developer_portal.domain.team import Permission, TeamRole, require_permission

_ALREADY_A_MEMBER_RU = "Пользователь уже состоит в аккаунте разработчика."


@dataclass(frozen=True)
class MemberView:
    account: DeveloperAccount
    role: TeamRole


async def register_account(
    uow: PortalUnitOfWork, application: AccountApplication, user_id: uuid.UUID, now: datetime
) -> MemberView:
    if await uow.accounts.membership_of(user_id) is not None:
        raise Conflict(
            "This user already belongs to a developer account.",
            detail_ru=_ALREADY_A_MEMBER_RU,
            code="RESOURCE_ALREADY_EXISTS",
        )
    account = open_account(application, user_id, now)
    await uow.accounts.add(account)
    await uow.accounts.add_member(account.id, user_id, TeamRole.OWNER, now)
    uow.emit(
        DeveloperAccountCreated(
            developer_id=account.id,
            owner_user_id=user_id,
            display_name=account.display_name,
            legal_entity_type=account.legal_entity_type.value,
            country_code=account.country_code,
            status=account.status.value,
            publishing_track=account.publishing_track.value,
            created_at=account.created_at,
        )
    )
    await uow.commit()
    return MemberView(account, TeamRole.OWNER)


async def my_membership(uow: PortalUnitOfWork, user_id: uuid.UUID) -> Membership:
    membership = await uow.accounts.membership_of(user_id)
    if membership is None:
        raise NotFound(
            "You are not a member of any developer account yet.",
            detail_ru="Вы пока не состоите ни в одном аккаунте разработчика.",
            code="RESOURCE_NOT_FOUND",
        )
    return membership


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
