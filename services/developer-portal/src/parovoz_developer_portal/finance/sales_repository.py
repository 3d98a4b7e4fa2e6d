"""The sales analytics read model in storage."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_developer_portal.finance.domain.sales import (
    RecordedSale,
    ReportPeriod,
    SalesDay,
    day_delta,
)
from parovoz_developer_portal.finance.tables import recorded_sales, sales_days


class SqlSales:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, sale: RecordedSale) -> bool:
        first_time = (
            await self._session.execute(
                insert(recorded_sales)
                .values(
                    sale_id=sale.sale_id,
                    developer_id=sale.developer_id,
                    game_id=sale.game_id,
                    kind=sale.kind,
                    recorded_at=sale.recorded_at,
                )
                .on_conflict_do_nothing()
                .returning(recorded_sales.c.sale_id)
            )
        ).first() is not None
        if not first_time:
            return False
        delta = day_delta(sale)
        statement = insert(sales_days).values(
            developer_id=delta.developer_id,
            game_id=delta.game_id,
            day=delta.day,
            currency=delta.currency,
            region=delta.region,
            units_sold=delta.units_sold,
            units_refunded=delta.units_refunded,
            gross_minor=delta.gross_minor,
            net_minor=delta.net_minor,
        )
        added = statement.excluded
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[
                    sales_days.c.game_id,
                    sales_days.c.day,
                    sales_days.c.currency,
                    sales_days.c.region,
                ],
                set_={
                    "units_sold": sales_days.c.units_sold + added.units_sold,
                    "units_refunded": sales_days.c.units_refunded + added.units_refunded,
                    "gross_minor": sales_days.c.gross_minor + added.gross_minor,
                    "net_minor": sales_days.c.net_minor + added.net_minor,
                },
            )
        )
        return True

    async def days(
        self, developer_id: uuid.UUID, period: ReportPeriod, game_id: uuid.UUID | None
    ) -> Sequence[SalesDay]:
        query = (
            select(sales_days)
            .where(
                sales_days.c.developer_id == developer_id,
                sales_days.c.day >= period.first,
                sales_days.c.day <= period.last,
            )
            .order_by(
                sales_days.c.day,
                sales_days.c.game_id,
                sales_days.c.currency,
                sales_days.c.region,
            )
        )
        if game_id is not None:
            query = query.where(sales_days.c.game_id == game_id)
        return [
            SalesDay(
                game_id=row.game_id,
                day=row.day,
                currency=row.currency,
                region=row.region,
                units_sold=row.units_sold,
                units_refunded=row.units_refunded,
                gross_minor=row.gross_minor,
                net_minor=row.net_minor,
            )
            for row in await self._session.execute(query)
        ]
