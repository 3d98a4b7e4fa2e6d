"""Payout schedules in storage (one row per account that chose one)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_developer_portal.finance.domain.payout_schedule import (
    PayoutSchedule,
    PayoutScheduleMode,
)
from parovoz_developer_portal.finance.tables import payout_schedules


def _schedule(row: Any) -> PayoutSchedule:
    return PayoutSchedule(
        developer_id=row.developer_id,
        mode=PayoutScheduleMode(row.mode),
        payout_method_id=row.payout_method_id,
        updated_by_user_id=row.updated_by_user_id,
        updated_at=row.updated_at,
    )


class SqlPayoutSchedules:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, developer_id: uuid.UUID) -> PayoutSchedule | None:
        query = select(payout_schedules).where(payout_schedules.c.developer_id == developer_id)
        row = (await self._session.execute(query)).first()
        return _schedule(row) if row else None

    async def save(self, schedule: PayoutSchedule) -> None:
        values = {
            "mode": schedule.mode.value,
            "payout_method_id": schedule.payout_method_id,
            "updated_by_user_id": schedule.updated_by_user_id,
            "updated_at": schedule.updated_at,
        }
        await self._session.execute(
            insert(payout_schedules)
            .values(developer_id=schedule.developer_id, **values)
            .on_conflict_do_update(index_elements=["developer_id"], set_=values)
        )

    async def monthly_accounts(self) -> Sequence[uuid.UUID]:
        query = (
            select(payout_schedules.c.developer_id)
            .where(payout_schedules.c.mode == PayoutScheduleMode.MONTHLY.value)
            .order_by(payout_schedules.c.developer_id)
        )
        return list((await self._session.execute(query)).scalars())
