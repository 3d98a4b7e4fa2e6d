"""Coupons and their uses: tables and repository (the caller's session; the caller commits).

A use is ``reserved`` by a pending payment, ``consumed`` when it succeeds, ``released`` when it
is cancelled; reserved and consumed uses count against the limits. Every change of a coupon's
uses happens under its row lock (``lock_by_codes``), so two payments racing for the last use
queue there and the second one sees the first's use.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db.metadata import metadata
from parovoz_payment.domain.coupons import Coupon, CouponKind


class UseStatus(StrEnum):
    RESERVED = "reserved"
    CONSUMED = "consumed"
    RELEASED = "released"


coupons = Table(
    "coupons",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("code", String(32), nullable=False, unique=True),
    Column("kind", String(8), nullable=False),
    Column("percent_off", Integer, nullable=True),
    Column("amount_off_minor", BigInteger, nullable=True),
    Column("currency", String(3), nullable=True),
    Column("min_order_minor", BigInteger, nullable=True),
    Column("starts_at", DateTime(timezone=True), nullable=True),
    Column("expires_at", DateTime(timezone=True), nullable=True),
    Column("max_uses", Integer, nullable=True),
    Column("max_uses_per_user", Integer, nullable=True),
    Column("created_by", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("disabled_at", DateTime(timezone=True), nullable=True),
    CheckConstraint(
        "(kind = 'percent' AND percent_off BETWEEN 1 AND 100 AND amount_off_minor IS NULL)"
        " OR (kind = 'fixed' AND amount_off_minor > 0 AND percent_off IS NULL"
        " AND currency IS NOT NULL)",
        name="discount",
    ),
)

coupon_uses = Table(
    "coupon_uses",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("coupon_id", UUID(as_uuid=True), ForeignKey("coupons.id"), nullable=False),
    Column("user_id", UUID(as_uuid=True), nullable=False),
    #: One coupon per order: a payment has at most one use.
    Column("payment_id", UUID(as_uuid=True), nullable=False, unique=True),
    Column("discount_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("status", String(8), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("status IN ('reserved', 'consumed', 'released')", name="status"),
    Index("ix_coupon_uses_coupon_id", "coupon_id", "user_id"),
)

_COUNTED = (UseStatus.RESERVED.value, UseStatus.CONSUMED.value)


def _coupon(row: Row[Any]) -> Coupon:
    return Coupon(
        id=row.id,
        code=row.code,
        kind=CouponKind(row.kind),
        percent_off=row.percent_off,
        amount_off_minor=row.amount_off_minor,
        currency=row.currency,
        min_order_minor=row.min_order_minor,
        starts_at=row.starts_at,
        expires_at=row.expires_at,
        max_uses=row.max_uses,
        max_uses_per_user=row.max_uses_per_user,
        created_at=row.created_at,
        disabled_at=row.disabled_at,
    )


class SqlCoupons:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, coupon: Coupon, created_by: str) -> bool:
        """Store a new coupon; False when its code is taken."""
        result = await self._session.execute(
            pg_insert(coupons)
            .values(
                id=coupon.id,
                code=coupon.code,
                kind=coupon.kind.value,
                percent_off=coupon.percent_off,
                amount_off_minor=coupon.amount_off_minor,
                currency=coupon.currency,
                min_order_minor=coupon.min_order_minor,
                starts_at=coupon.starts_at,
                expires_at=coupon.expires_at,
                max_uses=coupon.max_uses,
                max_uses_per_user=coupon.max_uses_per_user,
                created_by=created_by,
                created_at=coupon.created_at,
            )
            .on_conflict_do_nothing(index_elements=["code"])
            .returning(coupons.c.id)
        )
        return result.first() is not None

    async def get(self, coupon_id: uuid.UUID) -> Coupon | None:
        query = select(coupons).where(coupons.c.id == coupon_id)
        row = (await self._session.execute(query)).first()
        return None if row is None else _coupon(row)

    async def page(self, after: datetime | None, size: int) -> list[Coupon]:
        """Newest first; ``after`` is the creation time of the previous page's last coupon."""
        query = select(coupons).order_by(coupons.c.created_at.desc(), coupons.c.id).limit(size)
        if after is not None:
            query = query.where(coupons.c.created_at < after)
        return [_coupon(row) for row in await self._session.execute(query)]

    async def disable(self, coupon_id: uuid.UUID, now: datetime) -> Coupon | None:
        await self._session.execute(
            update(coupons)
            .where(coupons.c.id == coupon_id, coupons.c.disabled_at.is_(None))
            .values(disabled_at=now)
        )
        return await self.get(coupon_id)

    async def lock_by_codes(self, codes: Sequence[str]) -> dict[str, Coupon]:
        """The coupons with these codes, locked until the transaction ends (in id order, the
        same for everybody, so two orders offering the same coupons never deadlock)."""
        rows = await self._session.execute(
            select(coupons)
            .where(coupons.c.code.in_(codes))
            .order_by(coupons.c.id)
            .with_for_update()
        )
        return {row.code: _coupon(row) for row in rows}

    async def uses(self, coupon_id: uuid.UUID, user_id: uuid.UUID) -> tuple[int, int]:
        """(uses counted against the global limit, those of ``user_id``)."""
        row = (
            await self._session.execute(
                select(
                    func.count(),
                    func.count().filter(coupon_uses.c.user_id == user_id),
                ).where(coupon_uses.c.coupon_id == coupon_id, coupon_uses.c.status.in_(_COUNTED))
            )
        ).one()
        return int(row[0]), int(row[1])

    async def reserve(
        self,
        coupon: Coupon,
        user_id: uuid.UUID,
        payment_id: uuid.UUID,
        discount_minor: int,
        currency: str,
        now: datetime,
    ) -> None:
        await self._session.execute(
            insert(coupon_uses).values(
                id=uuid.uuid4(),
                coupon_id=coupon.id,
                user_id=user_id,
                payment_id=payment_id,
                discount_minor=discount_minor,
                currency=currency,
                status=UseStatus.RESERVED.value,
                created_at=now,
                updated_at=now,
            )
        )

    async def finish(self, payment_id: uuid.UUID, status: UseStatus, now: datetime) -> bool:
        """The payment's reserved use becomes ``status``; False when it had none reserved (a
        repeated call changes nothing)."""
        result = await self._session.execute(
            update(coupon_uses)
            .where(
                coupon_uses.c.payment_id == payment_id,
                coupon_uses.c.status == UseStatus.RESERVED.value,
            )
            .values(status=status.value, updated_at=now)
            .returning(coupon_uses.c.id)
        )
        return result.first() is not None
