"""The price table in payment's database: read by purchases, written by the price events."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects.postgresql import insert as upsert
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db.price_tables import (
    game_price_discounts,
    game_prices,
    game_regional_prices,
)
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.pricing import GameDiscount, GamePriceList


class SqlGamePrices:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, game_id: uuid.UUID) -> GamePriceList | None:
        query = select(game_prices).where(game_prices.c.game_id == game_id)
        row = (await self._session.execute(query)).first()
        if row is None:
            return None
        regional_rows = await self._session.execute(
            select(game_regional_prices).where(game_regional_prices.c.game_id == game_id)
        )
        discount_rows = await self._session.execute(
            select(game_price_discounts)
            .where(game_price_discounts.c.game_id == game_id)
            .order_by(game_price_discounts.c.starts_at)
        )
        discounts = tuple(
            GameDiscount(d.discount_id, d.percent, d.starts_at, d.ends_at) for d in discount_rows
        )
        base = None
        if row.base_amount_minor is not None:
            base = Money(row.base_amount_minor, row.base_currency)
        return GamePriceList(
            game_id=row.game_id,
            developer_id=row.developer_id,
            is_free=row.is_free,
            base_price=base,
            changed_at=row.changed_at,
            regional_prices={r.region: Money(r.amount_minor, r.currency) for r in regional_rows},
            discounts=discounts,
        )

    async def replace_if_newer(self, prices: GamePriceList, source_event_id: uuid.UUID) -> bool:
        """Store ``prices`` unless the stored list changed at the same time or later; True when
        stored. One statement decides (the upsert locks the row), so racing deliveries of one
        game's events still end with the newest."""
        base = prices.base_price
        values = {
            "game_id": prices.game_id,
            "developer_id": prices.developer_id,
            "is_free": prices.is_free,
            "base_amount_minor": base.amount_minor if base else None,
            "base_currency": base.currency if base else None,
            "changed_at": prices.changed_at,
            "source_event_id": source_event_id,
            "updated_at": datetime.now(UTC),
        }
        statement = upsert(game_prices).values(values)
        statement = statement.on_conflict_do_update(
            index_elements=[game_prices.c.game_id],
            set_={name: statement.excluded[name] for name in values if name != "game_id"},
            where=game_prices.c.changed_at < statement.excluded.changed_at,
        ).returning(game_prices.c.game_id)
        if (await self._session.execute(statement)).first() is None:
            return False  # an older (or the same) change: the stored list stays
        await self._session.execute(
            delete(game_regional_prices).where(game_regional_prices.c.game_id == prices.game_id)
        )
        if prices.regional_prices:
            await self._session.execute(
                insert(game_regional_prices),
                [
                    {
                        "game_id": prices.game_id,
                        "region": region,
                        "amount_minor": price.amount_minor,
                        "currency": price.currency,
                    }
                    for region, price in prices.regional_prices.items()
                ],
            )
        await self._session.execute(
            delete(game_price_discounts).where(game_price_discounts.c.game_id == prices.game_id)
        )
        if prices.discounts:
            await self._session.execute(
                insert(game_price_discounts),
                [
                    {
                        "game_id": prices.game_id,
                        "discount_id": discount.discount_id,
                        "percent": discount.percent,
                        "starts_at": discount.starts_at,
                        "ends_at": discount.ends_at,
                    }
                    for discount in prices.discounts
                ],
            )
        return True
