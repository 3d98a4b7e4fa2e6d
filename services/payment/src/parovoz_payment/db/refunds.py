"""Refunds: table and repository (the caller's session; the caller commits)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db.metadata import metadata
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.refunds import (
    Refund,
    RefundDestination,
    RefundReason,
    RefundStatus,
    ReviewDecision,
)

refunds = Table(
    "refunds",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("payment_id", UUID(as_uuid=True), ForeignKey("payments.id"), nullable=False),
    Column("user_id", UUID(as_uuid=True), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("to_method_minor", BigInteger, nullable=False),
    Column("to_wallet_minor", BigInteger, nullable=False),
    Column("reason", String(32), nullable=False),
    Column("status", String(24), nullable=False),
    Column("destination", String(24), nullable=False),
    Column("requested_destination", String(24), nullable=False),
    Column("requested_by", String(200), nullable=True),
    Column("comment", Text, nullable=True),
    Column("review_decision", String(16), nullable=True),
    Column("decided_by", String(200), nullable=True),
    Column("failure_reason", Text, nullable=True),
    #: The provider's refund object, once the original method was asked for the money.
    Column("provider_refund_id", String(128), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("succeeded_at", DateTime(timezone=True), nullable=True),
    CheckConstraint(
        "amount_minor > 0 AND to_method_minor >= 0 AND to_wallet_minor >= 0 "
        "AND to_method_minor + to_wallet_minor = amount_minor",
        name="amounts",
    ),
    Index("ix_refunds_payment_id", "payment_id", "created_at"),
    Index("ix_refunds_status", "status", "created_at"),
    Index("ix_refunds_provider_refund_id", "provider_refund_id"),
)

#: Promised but not yet paid out: they count against what is left to refund.
IN_FLIGHT = (RefundStatus.REQUIRES_REVIEW.value, RefundStatus.PENDING.value)


def _values(refund: Refund) -> dict[str, Any]:
    return {
        "payment_id": refund.payment_id,
        "user_id": refund.user_id,
        "currency": refund.amount.currency,
        "amount_minor": refund.amount.amount_minor,
        "to_method_minor": refund.to_method.amount_minor,
        "to_wallet_minor": refund.to_wallet.amount_minor,
        "reason": refund.reason.value,
        "status": refund.status.value,
        "destination": refund.destination.value,
        "requested_destination": refund.requested_destination.value,
        "requested_by": refund.requested_by,
        "comment": refund.comment,
        "review_decision": refund.review_decision.value if refund.review_decision else None,
        "decided_by": refund.decided_by,
        "failure_reason": refund.failure_reason,
        "created_at": refund.created_at,
        "updated_at": refund.updated_at,
        "succeeded_at": refund.succeeded_at,
    }


def _refund(row: Row[Any]) -> Refund:
    def money(minor: int) -> Money:
        return Money(minor, row.currency)

    return Refund(
        id=row.id,
        payment_id=row.payment_id,
        user_id=row.user_id,
        amount=money(row.amount_minor),
        reason=RefundReason(row.reason),
        status=RefundStatus(row.status),
        destination=RefundDestination(row.destination),
        requested_destination=RefundDestination(row.requested_destination),
        to_method=money(row.to_method_minor),
        to_wallet=money(row.to_wallet_minor),
        created_at=row.created_at,
        updated_at=row.updated_at,
        requested_by=row.requested_by,
        comment=row.comment,
        review_decision=ReviewDecision(row.review_decision) if row.review_decision else None,
        decided_by=row.decided_by,
        failure_reason=row.failure_reason,
        succeeded_at=row.succeeded_at,
    )


class SqlRefunds:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, refund: Refund) -> None:
        await self._session.execute(insert(refunds).values(_values(refund) | {"id": refund.id}))

    async def save(self, refund: Refund, provider_refund_id: str | None = None) -> None:
        values = _values(refund)
        if provider_refund_id is not None:
            values["provider_refund_id"] = provider_refund_id
        await self._session.execute(update(refunds).where(refunds.c.id == refund.id).values(values))

    async def get(self, refund_id: uuid.UUID, *, for_update: bool = False) -> Refund | None:
        query = select(refunds).where(refunds.c.id == refund_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        return None if row is None else _refund(row)

    async def of_payment(self, payment_id: uuid.UUID) -> list[Refund]:
        query = (
            select(refunds)
            .where(refunds.c.payment_id == payment_id)
            .order_by(refunds.c.created_at, refunds.c.id)
        )
        return [_refund(row) for row in (await self._session.execute(query)).all()]

    async def in_flight(self, payment_id: uuid.UUID, currency: str) -> Money:
        """The sum of the payment's refunds still in review or pending."""
        query = select(func.coalesce(func.sum(refunds.c.amount_minor), 0)).where(
            refunds.c.payment_id == payment_id, refunds.c.status.in_(IN_FLIGHT)
        )
        return Money(int((await self._session.execute(query)).scalar_one()), currency)

    async def provider_refund_id_of(self, refund_id: uuid.UUID) -> str | None:
        query = select(refunds.c.provider_refund_id).where(refunds.c.id == refund_id)
        return (await self._session.execute(query)).scalar_one_or_none()

    async def find_by_provider_refund(self, provider_refund_id: str) -> Refund | None:
        query = select(refunds).where(refunds.c.provider_refund_id == provider_refund_id)
        row = (await self._session.execute(query)).first()
        return None if row is None else _refund(row)

    async def pending_since(
        self, before: datetime, limit: int
    ) -> list[tuple[uuid.UUID, str | None]]:
        """Refunds still pending (the provider was down, or has not answered yet), oldest
        first, with the provider's refund id when it has one: the follow-up job's work list."""
        query = (
            select(refunds.c.id, refunds.c.provider_refund_id)
            .where(refunds.c.status == RefundStatus.PENDING.value, refunds.c.updated_at < before)
            .order_by(refunds.c.updated_at)
            .limit(limit)
        )
        return [(row.id, row.provider_refund_id) for row in await self._session.execute(query)]
