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
    Index,
    Integer,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.dialects.postgresql import insert as upsert
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_developer_portal.pricing.domain import (
    Discount,
    GamePrices,
    Price,
    PriceList,
    RegionalPrice,
)
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

#: Discounts and promo periods (half-open [starts_at, ends_at)); ended ones stay as history.
#: That periods of a game never overlap is checked under the game's row lock (pricing/service).
game_discounts = Table(
    "game_discounts",
    metadata,
    Column("id", UUID(as_uuid=True), nullable=False),
    Column("game_id", ForeignKey("games.id"), nullable=False),
    Column("percent", SmallInteger, nullable=False),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("ends_at", DateTime(timezone=True), nullable=False),
    Column("name", String(100), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by_user_id", UUID(as_uuid=True), nullable=False),
    PrimaryKeyConstraint("id"),
    CheckConstraint("percent BETWEEN 1 AND 99", name="percent_range"),
    CheckConstraint("starts_at < ends_at", name="period_order"),
    Index("ix_game_discounts_game_id_starts_at", "game_id", "starts_at"),
)


def _discount(row: Any) -> Discount:
    return Discount(
        id=row.id,
        game_id=row.game_id,
        percent=row.percent,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        name=row.name,
        created_at=row.created_at,
        created_by_user_id=row.created_by_user_id,
    )


def _prices(
    game_id: uuid.UUID, row: Any, regional_rows: list[Any], discounts: tuple[Discount, ...] = ()
) -> GamePrices:
    if row is None:
        return GamePrices(
            game_id, None, version=0, updated_at=None, updated_by_user_id=None, discounts=discounts
        )
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
        discounts=discounts,
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
        discount_rows = (
            await self._session.execute(
                select(game_discounts)
                .where(game_discounts.c.game_id == game_id)
                .order_by(game_discounts.c.starts_at)
            )
        ).all()
        discounts = tuple(_discount(discount) for discount in discount_rows)
        return _prices(game_id, row, list(regional_rows), discounts)

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

    async def add_discount(self, discount: Discount) -> None:
        await self._session.execute(insert(game_discounts).values(**discount.__dict__))

    async def end_discount(self, discount: Discount) -> None:
        """Store a withdrawn active discount's new end."""
        await self._session.execute(
            update(game_discounts)
            .where(game_discounts.c.id == discount.id)
            .values(ends_at=discount.ends_at)
        )

    async def remove_discount(self, discount_id: uuid.UUID) -> None:
        await self._session.execute(
            delete(game_discounts).where(game_discounts.c.id == discount_id)
        )
