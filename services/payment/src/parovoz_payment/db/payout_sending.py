"""What every payout table sent through the provider's payouts API shares (developer and
streamer payouts): the provider's columns, and the row lease of the jobs that send them.

``next_attempt_at`` is both the schedule and the row lease: a runner claims due rows with
``FOR UPDATE SKIP LOCKED`` and pushes their ``next_attempt_at`` past its lease in the same
statement, so another runner neither waits for nor sees them until the lease has passed (a
runner that died mid-way is retried then — with the same provider Idempotence-Key, so still
paid once).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Column, Integer, String, Table, Text, select, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.domain.payouts import PayoutStatus


def provider_columns() -> list[Column[Any]]:
    """Why it failed, the provider's payout, where it went (masked: never an account number)
    and how often it was tried; fresh columns for each table."""
    return [
        Column("failure_reason_code", String(40), nullable=True),
        Column("failure_reason_message", Text, nullable=True),
        Column("provider", String(16), nullable=True),
        Column("provider_payout_id", String(64), nullable=True, unique=True),
        Column("destination", JSONB, nullable=True),
        Column("attempts", Integer, nullable=False, server_default="0"),
    ]


async def payout_row(
    session: AsyncSession, table: Table, payout_id: uuid.UUID, *, for_update: bool = False
) -> Row[Any] | None:
    query = select(table).where(table.c.id == payout_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).first()


async def claim_due(
    session: AsyncSession, table: Table, now: datetime, lease: timedelta, limit: int
) -> list[Row[Any]]:
    """Processing payouts whose time has come, oldest first, leased to the caller until
    ``now + lease``; rows another runner holds are skipped, not waited for."""
    due = (
        select(table.c.id)
        .where(
            table.c.status == PayoutStatus.PROCESSING.value,
            table.c.next_attempt_at <= now,
        )
        .order_by(table.c.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    rows = await session.execute(
        update(table)
        .where(table.c.id.in_(due))
        .values(next_attempt_at=now + lease, attempts=table.c.attempts + 1)
        .returning(*table.c)
    )
    return sorted(rows, key=lambda row: row.created_at)
