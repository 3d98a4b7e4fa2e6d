"""Fraud rules and payment holds: tables and repositories (the caller's session and commit).

Rules are rows an admin switches (seeded by migration 0015 with PRODUCT.md's defaults); a held
payment has one ``payment_holds`` row saying why, where the buyer returns after paying, and
the admin's decision once taken.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    String,
    Table,
    Text,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db.metadata import metadata
from parovoz_payment.domain.fraud import (
    FraudAction,
    FraudRule,
    FraudRuleKind,
    HoldDecision,
    PaymentHold,
)

fraud_rules = Table(
    "fraud_rules",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("kind", String(48), nullable=False, unique=True),
    Column("enabled", Boolean, nullable=False),
    #: The kind's numbers (windows, limits, thresholds), validated by the domain.
    Column("parameters", JSONB, nullable=False),
    Column("action", String(16), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(200), nullable=False),
)

payment_holds = Table(
    "payment_holds",
    metadata,
    Column(
        "payment_id",
        ForeignKey("payments.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    #: [{"rule": kind, "reason": text}] — why the payment waits.
    Column("reasons", JSONB, nullable=False),
    #: Where the buyer returns from the provider's page once the hold is released.
    Column("return_url", Text, nullable=True),
    Column("held_at", DateTime(timezone=True), nullable=False),
    Column("decision", String(8), nullable=True),
    Column("decided_by", String(200), nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("comment", String(1000), nullable=True),
    CheckConstraint("decision IN ('release', 'reject')", name="decision_known"),
)


def _rule(row: Any) -> FraudRule:
    return FraudRule(
        id=row.id,
        kind=FraudRuleKind(row.kind),
        enabled=row.enabled,
        parameters=dict(row.parameters),
        action=FraudAction(row.action),
    )


class SqlFraudRules:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def all(self) -> list[FraudRule]:
        rows = await self._session.execute(select(fraud_rules).order_by(fraud_rules.c.kind))
        return [_rule(row) for row in rows]

    async def get(self, rule_id: uuid.UUID, *, for_update: bool = False) -> FraudRule | None:
        query = select(fraud_rules).where(fraud_rules.c.id == rule_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        return None if row is None else _rule(row)

    async def save(self, rule: FraudRule, updated_by: str, now: datetime) -> None:
        await self._session.execute(
            update(fraud_rules)
            .where(fraud_rules.c.id == rule.id)
            .values(
                enabled=rule.enabled,
                parameters=dict(rule.parameters),
                action=rule.action.value,
                updated_at=now,
                updated_by=updated_by,
            )
        )


def _hold(row: Any) -> PaymentHold:
    return PaymentHold(
        payment_id=row.payment_id,
        reasons=tuple((item["rule"], item["reason"]) for item in row.reasons),
        return_url=row.return_url,
        held_at=row.held_at,
        decision=HoldDecision(row.decision) if row.decision else None,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        comment=row.comment,
    )


class SqlPaymentHolds:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, hold: PaymentHold) -> None:
        await self._session.execute(
            insert(payment_holds).values(
                payment_id=hold.payment_id,
                reasons=[{"rule": rule, "reason": reason} for rule, reason in hold.reasons],
                return_url=hold.return_url,
                held_at=hold.held_at,
            )
        )

    async def get(self, payment_id: uuid.UUID) -> PaymentHold | None:
        query = select(payment_holds).where(payment_holds.c.payment_id == payment_id)
        row = (await self._session.execute(query)).first()
        return None if row is None else _hold(row)

    async def decide(self, hold: PaymentHold) -> None:
        await self._session.execute(
            update(payment_holds)
            .where(payment_holds.c.payment_id == hold.payment_id)
            .values(
                decision=hold.decision.value if hold.decision else None,
                decided_by=hold.decided_by,
                decided_at=hold.decided_at,
                comment=hold.comment,
            )
        )

    async def waiting(self, limit: int) -> list[PaymentHold]:
        """Holds without a decision, oldest first (the queue an admin works through)."""
        query = (
            select(payment_holds)
            .where(payment_holds.c.decision.is_(None))
            .order_by(payment_holds.c.held_at, payment_holds.c.payment_id)
            .limit(limit)
        )
        return [_hold(row) for row in await self._session.execute(query)]
