"""payment's consumer of ``developer.events.v1`` (group ``payment.developer.events.v1``)."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from parovoz_events.developer import GameCreated, GamePriceChanged, GamePublished, GameUnpublished
from parovoz_kit.events import Event, Handler
from parovoz_kit.infrastructure import Infrastructure
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db.game_listings import SqlGameListings
from parovoz_payment.db.game_owners import SqlGameOwners
from parovoz_payment.db.prices import SqlGamePrices
from parovoz_payment.domain.games import GameOwner
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.pricing import GameDiscount, GamePriceList
from parovoz_payment.events.payout_requests import payout_request_handlers
from parovoz_payment.events.preorder_events import preorder_event_handlers

log = logging.getLogger(__name__)


async def on_game_created(session: AsyncSession, data: GameCreated, _event: Event) -> None:
    owner = GameOwner(data.game_id, data.developer_id, data.title, data.product_type)
    await SqlGameOwners(session).remember(owner, learned_from="event")


async def on_game_price_changed(
    session: AsyncSession, data: GamePriceChanged, event: Event
) -> None:
    base = data.base_price
    prices = GamePriceList(
        game_id=data.game_id,
        developer_id=data.developer_id,
        is_free=data.is_free,
        base_price=Money(base.amount_minor, base.currency) if base else None,
        changed_at=data.changed_at,
        regional_prices={
            regional.region: Money(regional.price.amount_minor, regional.price.currency)
            for regional in data.regional_prices
        },
        discounts=tuple(
            GameDiscount(d.discount_id, d.percent, d.starts_at, d.ends_at)
            for d in sorted(data.discounts, key=lambda d: d.starts_at)
        ),
    )
    if not await SqlGamePrices(session).replace_if_newer(prices, event.id):
        # Out-of-order delivery: a newer price list is already stored and stays.
        log.info(
            "stale price event ignored",
            extra={"game_id": str(data.game_id), "event_id": str(event.id)},
        )


def listing_handlers(
    infrastructure: Infrastructure, preorders: Mapping[str, Handler]
) -> Mapping[str, Handler]:
    """Published/unpublished: payment's read model of the games on sale (a game purchase needs
    a published one), then what the preorders do with the same event."""
    clock = infrastructure.clock
    preorder_published = preorders[GamePublished.event_type]
    preorder_unpublished = preorders[GameUnpublished.event_type]

    async def on_game_published(session: AsyncSession, data: GamePublished, event: Event) -> None:
        listings = SqlGameListings(session)
        await listings.record(
            data.game_id, published=True, changed_at=data.published_at, now=clock.now()
        )
        await preorder_published(session, data, event)

    async def on_game_unpublished(
        session: AsyncSession, data: GameUnpublished, event: Event
    ) -> None:
        listings = SqlGameListings(session)
        await listings.record(
            data.game_id, published=False, changed_at=data.unpublished_at, now=clock.now()
        )
        await preorder_unpublished(session, data, event)

    return {
        GamePublished.event_type: on_game_published,
        GameUnpublished.event_type: on_game_unpublished,
    }


def developer_event_handlers(infrastructure: Infrastructure) -> Mapping[str, Handler]:
    preorders = preorder_event_handlers(infrastructure)
    return {
        GameCreated.event_type: on_game_created,
        GamePriceChanged.event_type: on_game_price_changed,
        **payout_request_handlers(infrastructure),
        **preorders,
        **listing_handlers(infrastructure, preorders),
    }
