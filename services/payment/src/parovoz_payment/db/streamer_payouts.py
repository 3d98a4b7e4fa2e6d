"""Streamer payouts and payout destinations: tables and repository (the caller's session; the
caller commits).

A payout row is set aside by the ``streamer-payouts`` job: its money moved from the streamer's
balance to their payout clearing account (the hold) in the same transaction. The
``streamer-payouts-execute`` job then sends it through the provider; ``next_attempt_at`` is
both its schedule and its row lease (``db/payout_sending.py``), as for developer payouts.

A destination is where a streamer's payouts go: a YooMoney wallet, its number sealed
(``parovoz_kit.sealing``, the streamer's id as associated data); only its last four digits are
kept in clear. No card number is ever stored.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Index,
    LargeBinary,
    String,
    Table,
    UniqueConstraint,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import UUID, insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db import payout_sending
from parovoz_payment.db.metadata import metadata
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payouts import PayoutFailure, PayoutStatus
from parovoz_payment.domain.streamer_payouts import (
    SealedDestination,
    StreamerPayout,
    StreamerPayoutState,
)

streamer_payouts = Table(
    "streamer_payouts",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("streamer_id", UUID(as_uuid=True), nullable=False),
    Column("period_key", String(16), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    #: ``destination``: masked, the wallet's last four digits, never the number.
    *payout_sending.provider_columns(),
    #: Null once final.
    Column("next_attempt_at", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("streamer_id", "period_key", name="uq_streamer_payouts_streamer_period"),
    CheckConstraint("amount_minor > 0", name="amount_positive"),
    CheckConstraint("status IN ('processing', 'completed', 'failed')", name="status"),
    Index("ix_streamer_payouts_due", "status", "next_attempt_at"),
)

streamer_payout_destinations = Table(
    "streamer_payout_destinations",
    metadata,
    Column("streamer_id", UUID(as_uuid=True), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("key_id", String(32), nullable=False),
    Column("ciphertext", LargeBinary, nullable=False),
    Column("account_last4", String(4), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("kind IN ('yoo_money')", name="kind"),
)


async def add_held(session: AsyncSession, payout: StreamerPayout) -> bool:
    """Store the payout, due at once; False when this streamer's period already has one."""
    result = await session.execute(
        insert(streamer_payouts)
        .values(
            id=payout.id,
            streamer_id=payout.streamer_id,
            period_key=payout.period_key,
            currency=payout.amount.currency,
            amount_minor=payout.amount.amount_minor,
            status=PayoutStatus.PROCESSING.value,
            next_attempt_at=payout.created_at,
            created_at=payout.created_at,
            updated_at=payout.created_at,
        )
        .on_conflict_do_nothing()
        .returning(streamer_payouts.c.id)
    )
    return result.first() is not None


def _state(row: Row[Any]) -> StreamerPayoutState:
    return StreamerPayoutState(
        payout=StreamerPayout(
            row.id,
            row.streamer_id,
            row.period_key,
            Money(row.amount_minor, row.currency),
            row.created_at,
        ),
        status=PayoutStatus(row.status),
        provider_payout_id=row.provider_payout_id,
        failure=PayoutFailure(row.failure_reason_code) if row.failure_reason_code else None,
        failure_message=row.failure_reason_message,
        destination_last4=(row.destination or {}).get("account_last4"),
    )


class SqlStreamerPayouts:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(
        self, payout_id: uuid.UUID, *, for_update: bool = False
    ) -> StreamerPayoutState | None:
        row = await payout_sending.payout_row(
            self._session, streamer_payouts, payout_id, for_update=for_update
        )
        return None if row is None else _state(row)

    async def save(
        self, state: StreamerPayoutState, now: datetime, next_attempt_at: datetime | None
    ) -> None:
        await self._session.execute(
            update(streamer_payouts)
            .where(streamer_payouts.c.id == state.payout.id)
            .values(
                status=state.status.value,
                provider="yookassa" if state.provider_payout_id else None,
                provider_payout_id=state.provider_payout_id,
                failure_reason_code=state.failure.value if state.failure else None,
                failure_reason_message=state.failure_message,
                destination=(
                    {"type": "yoo_money", "account_last4": state.destination_last4}
                    if state.destination_last4
                    else None
                ),
                next_attempt_at=None if state.is_final else next_attempt_at,
                updated_at=now,
            )
        )

    async def claim_due(
        self, now: datetime, lease: timedelta, limit: int
    ) -> list[StreamerPayoutState]:
        """Due processing payouts, oldest first, leased to the caller until ``now + lease``."""
        rows = await payout_sending.claim_due(self._session, streamer_payouts, now, lease, limit)
        return [_state(row) for row in rows]

    async def set_destination(
        self, streamer_id: uuid.UUID, sealed: SealedDestination, now: datetime
    ) -> None:
        values = {
            "kind": sealed.kind,
            "key_id": sealed.key_id,
            "ciphertext": sealed.ciphertext,
            "account_last4": sealed.account_last4,
            "updated_at": now,
        }
        await self._session.execute(
            insert(streamer_payout_destinations)
            .values(streamer_id=streamer_id, **values)
            .on_conflict_do_update(index_elements=["streamer_id"], set_=values)
        )

    async def destination(self, streamer_id: uuid.UUID) -> SealedDestination | None:
        row = (
            await self._session.execute(
                select(streamer_payout_destinations).where(
                    streamer_payout_destinations.c.streamer_id == streamer_id
                )
            )
        ).first()
        if row is None:
            return None
        return SealedDestination(row.kind, row.key_id, bytes(row.ciphertext), row.account_last4)
