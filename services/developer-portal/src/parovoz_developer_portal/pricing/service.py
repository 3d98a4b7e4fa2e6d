"""Use cases of game pricing: read a game's prices, set them, add and withdraw discounts (and
tell payment: every change emits the whole price list with its discounts).

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
from parovoz_developer_portal.games.service import game_for_actor
from parovoz_developer_portal.pricing.domain import (
    Discount,
    GamePrices,
    Price,
    PriceList,
    reprice,
)
from parovoz_developer_portal.pricing.domain.discounts import (
    DiscountRequest,
    end_discount,
    plan_discount,
    upcoming,
    with_discounts,
)
from parovoz_developer_portal.pricing.rules import DiscountRules
from parovoz_developer_portal.team.domain import (
    Actor,
    Permission,
    TeamRole,
    require_permission,
)


class GamePriceStore(Protocol):
    async def current(self, game_id: uuid.UUID) -> GamePrices: ...

    async def current_for_update(self, game_id: uuid.UUID) -> GamePrices:
        """Like ``current``, holding a lock on the game until commit: changes of one game's
        prices happen one after another (versions and change times never collide)."""
        ...

    async def save(self, prices: GamePrices) -> None: ...

    async def add_discount(self, discount: Discount) -> None: ...

    async def end_discount(self, discount: Discount) -> None: ...

    async def remove_discount(self, discount_id: uuid.UUID) -> None: ...


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
    await _require_unsuspended(uow, game)
    current = await uow.prices.current_for_update(game_id)
    changed = reprice(current, prices, user_id, now)
    if changed is None:
        return current
    await uow.prices.save(changed)
    uow.emit(price_changed_event(game, changed))
    await uow.commit()
    return changed


async def _require_unsuspended(uow: PortalUnitOfWork, game: Game) -> None:
    account = await uow.accounts.get(game.developer_id)
    if account is None or account.status is DeveloperStatus.SUSPENDED:
        raise BusinessRuleViolation(
            "A suspended developer account cannot change prices.", code="ACCOUNT_SUSPENDED"
        )


async def game_discounts(
    uow: PricingUnitOfWork, actor: Actor, game_id: uuid.UUID
) -> tuple[Discount, ...]:
    """All the game's discounts (past, active, scheduled), sorted by start; any member."""
    await game_for_actor(uow, actor, game_id, Permission.VIEW)
    return (await uow.prices.current(game_id)).discounts


async def add_discount(
    uow: PricingUnitOfWork,
    actor: Actor,
    game_id: uuid.UUID,
    request: DiscountRequest,
    rules: DiscountRules,
    now: datetime,
) -> Discount:
    """Schedule a discount (owner, admin, editor); emits the price event with it."""
    game = await game_for_actor(uow, actor, game_id, Permission.MANAGE_GAMES)
    await _require_unsuspended(uow, game)
    current = await uow.prices.current_for_update(game_id)  # no two overlapping at once
    discount = plan_discount(current, request, rules, actor.user_id, now)
    await uow.prices.add_discount(discount)
    await _announce(
        uow, game, with_discounts(current, (*current.discounts, discount), actor.user_id, now)
    )
    return discount


async def withdraw_discount(
    uow: PricingUnitOfWork,
    actor: Actor,
    game_id: uuid.UUID,
    discount_id: uuid.UUID,
    now: datetime,
) -> None:
    """Withdraw a discount: a scheduled one is deleted, an active one ends now (kept in the
    history); an ended one is DISCOUNT_ENDED. Emits the price event without it."""
    game = await game_for_actor(uow, actor, game_id, Permission.MANAGE_GAMES)
    await _require_unsuspended(uow, game)
    current = await uow.prices.current_for_update(game_id)
    discount = next((d for d in current.discounts if d.id == discount_id), None)
    if discount is None:
        raise NotFound(
            f"Discount {discount_id} of game {game_id} was not found.",
            detail_ru=f"Скидка {discount_id} игры {game_id} не найдена.",
            code="RESOURCE_NOT_FOUND",
        )
    ended = end_discount(discount, now)
    others = [d for d in current.discounts if d.id != discount_id]
    if ended is None:
        await uow.prices.remove_discount(discount_id)
    else:
        await uow.prices.end_discount(ended)
        others.append(ended)
    await _announce(uow, game, with_discounts(current, others, actor.user_id, now))


async def _announce(uow: PricingUnitOfWork, game: Game, changed: GamePrices) -> None:
    await uow.prices.save(changed)
    uow.emit(price_changed_event(game, changed))
    await uow.commit()


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
        discounts=tuple(
            developer_events.PriceDiscount(
                discount_id=discount.id,
                percent=discount.percent,
                starts_at=discount.starts_at,
                ends_at=discount.ends_at,
            )
            for discount in upcoming(prices.discounts, prices.updated_at)
        ),
    )
