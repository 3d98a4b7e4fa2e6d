"""Submission fees (one payment per attempt) (tables on
`parovoz_greenlight.tables.metadata`, and their queries).

The database holds the rule: one row per attempt, unique (submission, attempt), and at most ONE
paid fee per submission (a partial unique index): no retry or replica takes the fee twice.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    UniqueConstraint,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_greenlight.fees.domain import Fee, FeeStatus
from parovoz_greenlight.tables import metadata

fees = Table(
    "fees",
    metadata,
    Column("id", UUID(as_uuid=True), nullable=False),
    Column("submission_id", UUID(as_uuid=True), nullable=False),
    #: The payer: the member who submitted.
    Column("user_id", UUID(as_uuid=True), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    #: awaiting_payment | paid | payment_cancelled | refund_pending | refunded | refund_failed
    Column("status", String(24), nullable=False),
    #: payment's id, once payment created it.
    Column("payment_id", UUID(as_uuid=True), nullable=True),
    #: The provider's page to pay at, while awaiting payment.
    Column("confirmation_url", String(2000), nullable=True),
    Column("refund_id", UUID(as_uuid=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("id"),
    UniqueConstraint("submission_id", "attempt", name="uq_fees_submission_attempt"),
    CheckConstraint(
        "status IN ('awaiting_payment', 'paid', 'payment_cancelled', 'refund_pending', "
        "'refunded', 'refund_failed')",
        name="status_known",
    ),
    CheckConstraint("amount_minor > 0", name="amount_positive"),
    CheckConstraint("attempt >= 1", name="attempt_positive"),
)

#: One paid fee per submission.
Index(
    "uq_fees_one_paid_per_submission",
    fees.c.submission_id,
    unique=True,
    postgresql_where=text("status = 'paid'"),
)
Index("ix_fees_payment_id", fees.c.payment_id)


def _row(fee: Fee) -> dict[str, Any]:
    return {
        "id": fee.id,
        "submission_id": fee.submission_id,
        "user_id": fee.user_id,
        "attempt": fee.attempt,
        "amount_minor": fee.amount_minor,
        "currency": fee.currency,
        "status": fee.status.value,
        "payment_id": fee.payment_id,
        "confirmation_url": fee.confirmation_url,
        "refund_id": fee.refund_id,
        "created_at": fee.created_at,
        "updated_at": fee.updated_at,
    }


def _fee(row: Any) -> Fee:
    return Fee(
        id=row.id,
        submission_id=row.submission_id,
        user_id=row.user_id,
        attempt=row.attempt,
        amount_minor=row.amount_minor,
        currency=row.currency,
        status=FeeStatus(row.status),
        payment_id=row.payment_id,
        confirmation_url=row.confirmation_url,
        refund_id=row.refund_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class SqlFees:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, fee: Fee) -> None:
        await self._session.execute(insert(fees).values(**_row(fee)))

    async def save(self, fee: Fee) -> None:
        values = _row(fee)
        del values["id"]
        await self._session.execute(update(fees).where(fees.c.id == fee.id).values(**values))

    async def get(self, fee_id: uuid.UUID) -> Fee | None:
        row = (await self._session.execute(select(fees).where(fees.c.id == fee_id))).first()
        return _fee(row) if row is not None else None

    async def get_for_update(self, fee_id: uuid.UUID) -> Fee | None:
        statement = select(fees).where(fees.c.id == fee_id).with_for_update()
        row = (await self._session.execute(statement)).first()
        return _fee(row) if row is not None else None

    async def of_submission(self, submission_id: uuid.UUID) -> list[Fee]:
        statement = (
            select(fees).where(fees.c.submission_id == submission_id).order_by(fees.c.attempt)
        )
        return [_fee(row) for row in await self._session.execute(statement)]
