"""Chargebacks (payment disputes): table and repository (the caller's session and transaction;
the caller commits). Migration 0017 creates the table.

One row per dispute, unique by the provider's dispute id: whatever order or how many times its
notifications arrive, the row decides whether the opening and the outcome were applied. The
postings are named by key (``chargeback:{id}:opened`` / ``:won``), reference = the row's id.
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
    String,
    Table,
    UniqueConstraint,
    exists,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db.metadata import metadata
from parovoz_payment.domain.chargebacks import Chargeback, ChargebackStatus
from parovoz_payment.domain.methods import Provider
from parovoz_payment.domain.money import Money

chargebacks = Table(
    "chargebacks",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("provider", String(16), nullable=False),
    Column("provider_chargeback_id", String(64), nullable=False),
    Column("payment_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("user_id", UUID(as_uuid=True), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    #: A disputed top-up: taken from the wallet, and left owed (user_receivable).
    Column("wallet_debited_minor", BigInteger, nullable=True),
    Column("user_owed_minor", BigInteger, nullable=True),
    Column("reason", String(255), nullable=True),
    #: opened | won | lost
    Column("status", String(8), nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("resolved_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint(
        "provider", "provider_chargeback_id", name="uq_chargebacks_provider_chargeback"
    ),
    CheckConstraint("amount_minor > 0", name="amount_positive"),
    CheckConstraint("status IN ('opened', 'won', 'lost')", name="status"),
    CheckConstraint("(status = 'opened') = (resolved_at IS NULL)", name="resolution"),
    CheckConstraint(
        "(wallet_debited_minor IS NULL) = (user_owed_minor IS NULL)"
        " AND coalesce(wallet_debited_minor, 0) >= 0 AND coalesce(user_owed_minor, 0) >= 0"
        " AND coalesce(wallet_debited_minor + user_owed_minor, amount_minor) = amount_minor",
        name="top_up_parts",
    ),
    # The wallet lock: "does this user have an open dispute?"
    Index("ix_chargebacks_open_user", "user_id", postgresql_where=text("status = 'opened'")),
)


def _values(chargeback: Chargeback) -> dict[str, Any]:
    def minor(money: Money | None) -> int | None:
        return None if money is None else money.amount_minor

    return {
        "status": chargeback.status.value,
        "resolved_at": chargeback.resolved_at,
        "wallet_debited_minor": minor(chargeback.wallet_debited),
        "user_owed_minor": minor(chargeback.user_owed),
    }


def _chargeback(row: Row[Any]) -> Chargeback:
    def money(minor: int | None) -> Money | None:
        return None if minor is None else Money(minor, row.currency)

    return Chargeback(
        id=row.id,
        provider=Provider(row.provider),
        provider_chargeback_id=row.provider_chargeback_id,
        payment_id=row.payment_id,
        user_id=row.user_id,
        amount=Money(row.amount_minor, row.currency),
        status=ChargebackStatus(row.status),
        opened_at=row.opened_at,
        reason=row.reason,
        resolved_at=row.resolved_at,
        wallet_debited=money(row.wallet_debited_minor),
        user_owed=money(row.user_owed_minor),
    )


class SqlChargebacks:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, chargeback: Chargeback) -> None:
        await self._session.execute(
            insert(chargebacks).values(
                id=chargeback.id,
                provider=chargeback.provider.value,
                provider_chargeback_id=chargeback.provider_chargeback_id,
                payment_id=chargeback.payment_id,
                user_id=chargeback.user_id,
                currency=chargeback.amount.currency,
                amount_minor=chargeback.amount.amount_minor,
                reason=chargeback.reason,
                opened_at=chargeback.opened_at,
                **_values(chargeback),
            )
        )

    async def save(self, chargeback: Chargeback) -> None:
        await self._session.execute(
            update(chargebacks).where(chargebacks.c.id == chargeback.id).values(_values(chargeback))
        )

    async def find(
        self, provider: Provider, provider_chargeback_id: str, *, for_update: bool = False
    ) -> Chargeback | None:
        query = select(chargebacks).where(
            chargebacks.c.provider == provider.value,
            chargebacks.c.provider_chargeback_id == provider_chargeback_id,
        )
        if for_update:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        return None if row is None else _chargeback(row)

    async def of_payment(self, payment_id: uuid.UUID) -> list[Chargeback]:
        query = (
            select(chargebacks)
            .where(chargebacks.c.payment_id == payment_id)
            .order_by(chargebacks.c.opened_at, chargebacks.c.id)
        )
        return [_chargeback(row) for row in await self._session.execute(query)]


async def has_open_dispute(session: AsyncSession, user_id: uuid.UUID) -> bool:
    """Whether the user's wallet is locked: any of their disputes still open."""
    query = select(
        exists().where(
            chargebacks.c.user_id == user_id,
            chargebacks.c.status == ChargebackStatus.OPENED.value,
        )
    )
    return bool((await session.execute(query)).scalar())
