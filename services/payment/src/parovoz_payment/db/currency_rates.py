"""Exchange rates: table and repository (the caller's session; the caller commits).

Every update is a new row (history kept): the current rate of a currency is its newest row
already valid, so a rate set ahead of time (``valid_from`` tomorrow) takes over by itself.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Table,
    select,
)
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.dialects.postgresql import insert as upsert
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db.metadata import metadata
from parovoz_payment.domain.currency_rates import ExchangeRate, ExchangeRates

currency_rates = Table(
    "currency_rates",
    metadata,
    Column("currency", String(3), nullable=False),
    Column("valid_from", DateTime(timezone=True), nullable=False),
    #: Roubles for one unit of the currency: an exact decimal (never a float).
    Column("rub_per_unit", Numeric(20, 10), nullable=False),
    #: Who set it: an admin's uuid or ``job:<name>``.
    Column("set_by", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("currency", "valid_from"),
    CheckConstraint("rub_per_unit > 0", name="rate_positive"),
    CheckConstraint("currency IN ('KZT', 'BYN', 'UAH', 'USD', 'EUR')", name="rated_currency"),
)


_REPLACED = ("rub_per_unit", "set_by", "created_at")


def _rate(row: object) -> ExchangeRate:
    return ExchangeRate(row.currency, row.rub_per_unit, row.valid_from)  # type: ignore[attr-defined]


class SqlCurrencyRates:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def current(self, now: datetime) -> ExchangeRates:
        """The newest rate of each currency already valid at ``now``."""
        query = (
            select(currency_rates)
            .where(currency_rates.c.valid_from <= now)
            .ext(distinct_on(currency_rates.c.currency))
            .order_by(currency_rates.c.currency, currency_rates.c.valid_from.desc())
        )
        rows = await self._session.execute(query)
        return ExchangeRates({row.currency: _rate(row) for row in rows})

    async def set(self, rate: ExchangeRate, set_by: str, now: datetime) -> None:
        """Store ``rate``; the same currency and ``valid_from`` again replaces that row (PUT)."""
        values = {
            "currency": rate.currency,
            "valid_from": rate.valid_from,
            "rub_per_unit": rate.rub_per_unit,
            "set_by": set_by,
            "created_at": now,
        }
        statement = upsert(currency_rates).values(values)
        statement = statement.on_conflict_do_update(
            index_elements=[currency_rates.c.currency, currency_rates.c.valid_from],
            set_={name: statement.excluded[name] for name in _REPLACED},
        )
        await self._session.execute(statement)
