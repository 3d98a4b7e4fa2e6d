"""Donations: table and repository (the caller's session; the caller commits).

A row is the donor's intent (streamer, amount, message); the money moves with the payment
whose ``reference`` names the row (``donation:<id>``), when that payment settles.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    String,
    Table,
    select,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db.ledger import locked_account
from parovoz_payment.db.metadata import metadata
from parovoz_payment.domain.donations import MESSAGE_MAX_LENGTH, Donation
from parovoz_payment.domain.ledger import Account, AccountPurpose, OwnerType
from parovoz_payment.domain.money import Money

donations = Table(
    "donations",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("user_id", UUID(as_uuid=True), nullable=False),
    Column("streamer_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("currency", String(3), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("message", String(MESSAGE_MAX_LENGTH), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("amount_minor > 0", name="amount_positive"),
)


class SqlDonations:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, donation: Donation) -> None:
        await self._session.execute(
            donations.insert().values(
                id=donation.id,
                user_id=donation.user_id,
                streamer_id=donation.streamer_id,
                currency=donation.amount.currency,
                amount_minor=donation.amount.amount_minor,
                message=donation.message,
                created_at=donation.created_at,
            )
        )

    async def get(self, donation_id: uuid.UUID) -> Donation | None:
        row = (
            await self._session.execute(select(donations).where(donations.c.id == donation_id))
        ).first()
        return None if row is None else _donation(row)


def _donation(row: Row[Any]) -> Donation:
    return Donation(
        id=row.id,
        user_id=row.user_id,
        streamer_id=row.streamer_id,
        amount=Money(row.amount_minor, row.currency),
        message=row.message,
        created_at=row.created_at,
    )


async def lock_streamer_balances(
    session: AsyncSession, streamer_id: uuid.UUID, currency: str
) -> tuple[Account, Account]:
    """The streamer's receivable (what they owe) and balance, locked in this order before any
    other ledger account: a donation settling (which repays a debt first) and a refund taking
    a share back queue here, so neither reads a balance the other is changing."""
    owed = await locked_account(
        session, OwnerType.STREAMER, streamer_id, AccountPurpose.STREAMER_RECEIVABLE, currency
    )
    balance = await locked_account(
        session, OwnerType.STREAMER, streamer_id, AccountPurpose.STREAMER_BALANCE, currency
    )
    return owed, balance
