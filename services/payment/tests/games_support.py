"""Test helpers for games on sale: a game priced in payment's price table and published in the
store through developer-portal's events (``developer.game.published.v1`` handled by payment's
consumer), as a game purchase needs; unpublished the same way."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from parovoz_events.developer import GamePublished, GameUnpublished
from parovoz_kit.events import Event
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.db.game_owners import SqlGameOwners
from parovoz_payment.db.prices import SqlGamePrices
from parovoz_payment.domain.games import GameOwner
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.pricing import GamePriceList
from parovoz_payment.events.developer_events import developer_event_handlers

DEVELOPER_PORTAL = "/parovoz/developer-portal"


async def deliver(infrastructure: Infrastructure, data: GamePublished | GameUnpublished) -> None:
    """Feed payment's consumer handler as the consumer does: in one transaction."""
    handler = developer_event_handlers(infrastructure)[data.event_type]
    async with infrastructure.session_factory.begin() as session:
        await handler(session, data, Event.from_data(data, DEVELOPER_PORTAL))


async def publish(
    infrastructure: Infrastructure,
    game_id: uuid.UUID,
    developer_id: uuid.UUID | None = None,
    at: datetime | None = None,
) -> None:
    """developer-portal publishes the game (``at``, default now)."""
    moment = at or datetime.now(UTC)
    await deliver(
        infrastructure,
        GamePublished(
            developer_id=developer_id or uuid.uuid4(),
            game_id=game_id,
            version_id=uuid.uuid4(),
            published_at=moment,
            published_by_user_id=None,
            first_published_at=moment,
        ),
    )


async def unpublish(
    infrastructure: Infrastructure,
    game_id: uuid.UUID,
    developer_id: uuid.UUID | None = None,
    at: datetime | None = None,
) -> None:
    await deliver(
        infrastructure,
        GameUnpublished(
            developer_id=developer_id or uuid.uuid4(),
            game_id=game_id,
            reason=None,
            unpublished_at=at or datetime.now(UTC),
            unpublished_by_user_id=None,
        ),
    )


async def priced_game(
    infrastructure: Infrastructure,
    base_minor: int,
    *,
    published: bool = True,
    game_id: uuid.UUID | None = None,
    developer_id: uuid.UUID | None = None,
    **regional: Money,
) -> uuid.UUID:
    """A game with its RUB base price (and regional prices) in payment's price table, and
    published in the store unless ``published`` is False: what a game purchase needs."""
    prices = GamePriceList(
        game_id=game_id or uuid.uuid4(),
        developer_id=developer_id or uuid.uuid4(),
        is_free=False,
        base_price=Money(base_minor, "RUB"),
        changed_at=datetime.now(UTC),
        regional_prices=regional,
    )
    async with infrastructure.session_factory.begin() as session:
        await SqlGamePrices(session).replace_if_newer(prices, uuid.uuid4())
    if published:
        await publish(infrastructure, prices.game_id, prices.developer_id)
    return prices.game_id


async def announced_game(
    infrastructure: Infrastructure, price_minor: int, *, title: str = "Анонс"
) -> tuple[uuid.UUID, uuid.UUID]:
    """A game developer-portal announced, as its events leave it in payment: its owner and RUB
    base price known, not published (a preorder's game). Returns (game_id, developer_id)."""
    game_id, developer_id = uuid.uuid4(), uuid.uuid4()
    async with infrastructure.session_factory.begin() as session:
        await SqlGameOwners(session).remember(
            GameOwner(game_id, developer_id, title, "game"), learned_from="event"
        )
        await SqlGamePrices(session).replace_if_newer(
            GamePriceList(
                game_id=game_id,
                developer_id=developer_id,
                is_free=False,
                base_price=Money(price_minor, "RUB"),
                changed_at=datetime.now(UTC),
            ),
            uuid.uuid4(),
        )
    return game_id, developer_id
