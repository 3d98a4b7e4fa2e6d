"""Streamer payouts: table and repository (the caller's session; the caller commits).

A row is a payout set aside by the ``streamer-payouts`` job: its money moved from the
streamer's balance to payout clearing in the same transaction. Sending it to a bank is not
done yet (the rows stay ``held``).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import UUID, insert
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db.metadata import metadata
from parovoz_payment.domain.streamer_payouts import StreamerPayout

streamer_payouts = Table(
    "streamer_payouts",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("streamer_id", UUID(as_uuid=True), nullable=False),
    Column("period_key", String(16), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("streamer_id", "period_key", name="uq_streamer_payouts_streamer_period"),
    CheckConstraint("amount_minor > 0", name="amount_positive"),
    CheckConstraint("status IN ('held')", name="status"),
)


async def add_held(session: AsyncSession, payout: StreamerPayout) -> bool:
    """Store the payout; False when this streamer's period already has one."""
    result = await session.execute(
        insert(streamer_payouts)
        .values(
            id=payout.id,
            streamer_id=payout.streamer_id,
            period_key=payout.period_key,
            currency=payout.amount.currency,
            amount_minor=payout.amount.amount_minor,
            status="held",
            created_at=payout.created_at,
        )
        .on_conflict_do_nothing()
        .returning(streamer_payouts.c.id)
    )
    return result.first() is not None
