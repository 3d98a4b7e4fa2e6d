"""Use cases of game pricing: read a game's prices, set them (and tell payment).

Tenant isolation as for games: someone outside the game's developer account gets NOT_FOUND,
never the prices; inside it, reading needs VIEW and changing needs MANAGE_GAMES (owner, admin,
editor), so viewer and finance get PERMISSION_DENIED.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Protocol

from parovoz_events import developer as developer_events
from parovoz_events.money import Money
from parovoz_kit.errors import BusinessRuleViolation, NotFound

from parovoz_developer_portal.accounts.domain import DeveloperStatus
from parovoz_developer_portal.accounts.ports import PortalUnitOfWork
from parovoz_developer_portal.games.domain import Game
from parovoz_developer_portal.pricing.domain import GamePrices, Price, PriceList, reprice
from parovoz_developer_portal.team.domain import Permission, TeamRole, require_permission


class GamePriceStore(Protocol):
    async def current(self, game_id: uuid.UUID) -> GamePrices: ...

    async def current_for_update(self, game_id: uuid.UUID) -> GamePrices:
        """Like ``current``, holding a lock on the game until commit: changes of one game's
        prices happen one after another (versions and change times never collide)."""
        ...

    async def save(self, prices: GamePrices) -> None: ...


class PricingUnitOfWork(PortalUnitOfWork, Protocol):
    prices: GamePriceStore


async def _members_game(
    uow: PortalUnitOfWork, user_id: uuid.UUID, game_id: uuid.UUID, permission: Permission
) -> Game:
    game = await uow.games.get(game_id)
    role: TeamRole | None = None
    if game is not None:
        role = await uow.accounts.role_of(game.developer_id, user_id)
    if game is None or role is None:
        # Same answer whether the game does not exist or belongs to someone else.
        raise NotFound(
            f"Game {game_id} was not found.",
            detail_ru=f"Игра {game_id} не найдена.",
            code="RESOURCE_NOT_FOUND",
        )
    require_permission(role, permission)
    return game


async def game_prices_for_member(
    uow: PricingUnitOfWork, user_id: uuid.UUID, game_id: uuid.UUID
) -> GamePrices:
    await _members_game(uow, user_id, game_id, Permission.VIEW)
    return await uow.prices.current(game_id)


async def set_game_prices(
    uow: PricingUnitOfWork,
    user_id: uuid.UUID,
    game_id: uuid.UUID,
    prices: PriceList,
    now: datetime,
) -> GamePrices:
    """Replace the game's price list; emits ``developer.game.price.changed.v1`` in the same
    transaction. An unchanged list is answered as stored, with no new version and no event."""
    game = await _members_game(uow, user_id, game_id, Permission.MANAGE_GAMES)
    account = await uow.accounts.get(game.developer_id)
    if account is None or account.status is DeveloperStatus.SUSPENDED:
        raise BusinessRuleViolation(
            "A suspended developer account cannot change prices.", code="ACCOUNT_SUSPENDED"
        )
    current = await uow.prices.current_for_update(game_id)
    changed = reprice(current, prices, user_id, now)
    if changed is None:
        return current
    await uow.prices.save(changed)
    uow.emit(price_changed_event(game, changed))
    await uow.commit()
    return changed


def _money(price: Price) -> Money:
    return Money(amount_minor=price.amount_minor, currency=price.currency)  # type: ignore[arg-type]


def price_changed_event(game: Game, prices: GamePrices) -> developer_events.GamePriceChanged:
    price_list = prices.price_list
    if price_list is None or prices.updated_at is None or prices.updated_by_user_id is None:
        raise ValueError("only a stored price list is announced")
    return developer_events.GamePriceChanged(
        developer_id=game.developer_id,
        game_id=game.id,
        is_free=price_list.is_free,
        base_price=_money(price_list.base_price) if price_list.base_price else None,
        regional_prices=tuple(
            developer_events.RegionalPrice(region=regional.region, price=_money(regional.price))
            for regional in price_list.regional_prices
        ),
        changed_at=prices.updated_at,
        changed_by_user_id=prices.updated_by_user_id,
    )
