"""Game prices: tables (on the developer database's metadata) and their repository."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    delete,
    insert,
    select,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.dialects.postgresql import insert as upsert
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_developer_portal.pricing.domain import GamePrices, Price, PriceList, RegionalPrice
from parovoz_developer_portal.tables import games, metadata

#: One row per priced game: free, or a base price in RUB (VAT included, minor units).
game_prices = Table(
    "game_prices",
    metadata,
    Column("game_id", ForeignKey("games.id"), nullable=False),
    Column("is_free", Boolean, nullable=False),
    Column("base_amount_minor", BigInteger, nullable=True),
    Column("base_currency", String(3), nullable=True),
    #: Counts changes; 1 after the first price list.
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by_user_id", UUID(as_uuid=True), nullable=False),
    PrimaryKeyConstraint("game_id"),
    CheckConstraint(
        "(is_free AND base_amount_minor IS NULL AND base_currency IS NULL)"
        " OR (NOT is_free AND base_amount_minor > 0 AND base_currency = 'RUB')",
        name="free_or_base_price",
    ),
)

#: Explicit prices per region (ISO 3166-1 alpha-2), each in its own currency.
game_regional_prices = Table(
    "game_regional_prices",
    metadata,
    Column("game_id", ForeignKey("game_prices.game_id", ondelete="CASCADE"), nullable=False),
    Column("region", String(2), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    PrimaryKeyConstraint("game_id", "region"),
    CheckConstraint("amount_minor > 0", name="amount_positive"),
)


def _prices(game_id: uuid.UUID, row: Any, regional_rows: list[Any]) -> GamePrices:
    if row is None:
        return GamePrices(game_id, None, version=0, updated_at=None, updated_by_user_id=None)
    base = Price(row.base_amount_minor, row.base_currency) if row.base_amount_minor else None
    regional = tuple(
        RegionalPrice(r.region, Price(r.amount_minor, r.currency)) for r in regional_rows
    )
    return GamePrices(
        game_id,
        PriceList(is_free=row.is_free, base_price=base, regional_prices=regional),
        version=row.version,
        updated_at=row.updated_at,
        updated_by_user_id=row.updated_by_user_id,
    )


class SqlGamePrices:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def current(self, game_id: uuid.UUID) -> GamePrices:
        row = (
            await self._session.execute(select(game_prices).where(game_prices.c.game_id == game_id))
        ).first()
        regional_rows = (
            await self._session.execute(
                select(game_regional_prices)
                .where(game_regional_prices.c.game_id == game_id)
                .order_by(game_regional_prices.c.region)
            )
        ).all()
        return _prices(game_id, row, list(regional_rows))

    async def current_for_update(self, game_id: uuid.UUID) -> GamePrices:
        # The game row always exists (prices are set on a known game), unlike its price row:
        # locking it serialises the first price list of a game too.
        await self._session.execute(
            select(games.c.id).where(games.c.id == game_id).with_for_update()
        )
        return await self.current(game_id)

    async def save(self, prices: GamePrices) -> None:
        price_list = prices.price_list
        if price_list is None:
            raise ValueError("nothing to save: no price list")
        base = price_list.base_price
        values = {
            "game_id": prices.game_id,
            "is_free": price_list.is_free,
            "base_amount_minor": base.amount_minor if base else None,
            "base_currency": base.currency if base else None,
            "version": prices.version,
            "updated_at": prices.updated_at,
            "updated_by_user_id": prices.updated_by_user_id,
        }
        statement = upsert(game_prices).values(values)
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[game_prices.c.game_id],
                set_={name: statement.excluded[name] for name in values if name != "game_id"},
            )
        )
        # The list is replaced as a whole (a region left out loses its price).
        await self._session.execute(
            delete(game_regional_prices).where(game_regional_prices.c.game_id == prices.game_id)
        )
        if price_list.regional_prices:
            await self._session.execute(
                insert(game_regional_prices),
                [
                    {
                        "game_id": prices.game_id,
                        "region": regional.region,
                        "amount_minor": regional.price.amount_minor,
                        "currency": regional.price.currency,
                    }
                    for regional in price_list.regional_prices
                ],
            )
