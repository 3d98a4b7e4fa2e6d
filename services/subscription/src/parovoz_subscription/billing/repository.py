"""Charges of subscription periods:
tables on `parovoz_subscription.tables.metadata`, and their queries.

The database holds the issue's rule: one row per attempt, unique (subscription, period start,
kind, attempt), and at most ONE succeeded first/renewal charge per (subscription, period start)
(a partial unique index): no job, retry or replica can take a period's money twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from parovoz_kit.errors import Conflict
from sqlalchemy import (
    BigInteger,
    Boolean,
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
from sqlalchemy.dialects.postgresql import insert as upsert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_subscription.billing.domain.charges import (
    PERIOD_KINDS,
    Charge,
    ChargeKind,
    ChargeStatus,
)
from parovoz_subscription.tables import metadata

charges = Table(
    "charges",
    metadata,
    Column("id", UUID(as_uuid=True), nullable=False),
    Column("subscription_id", UUID(as_uuid=True), nullable=False),
    Column("user_id", UUID(as_uuid=True), nullable=False),
    #: first | renewal | upgrade | card_check
    Column("kind", String(16), nullable=False),
    #: The period paid (for a card check: the instant it was asked, start = end).
    Column("period_start", DateTime(timezone=True), nullable=False),
    Column("period_end", DateTime(timezone=True), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    #: pending | succeeded | failed | refunded
    Column("status", String(16), nullable=False),
    #: payment's id, once payment has created it.
    Column("payment_id", UUID(as_uuid=True), nullable=True),
    #: payment's cancellation reason of a failed charge (``insufficient_funds``...).
    Column("decline_code", String(64), nullable=True),
    Column("hard_decline", Boolean, nullable=False),
    #: The key sent to payment: one payment per charge, whatever retries.
    Column("idempotency_key", String(64), nullable=False),
    #: Asked back from payment so far (refunds in review, pending or done).
    Column("refunded_minor", BigInteger, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("settled_at", DateTime(timezone=True), nullable=True),
    PrimaryKeyConstraint("id"),
    UniqueConstraint(
        "subscription_id", "period_start", "kind", "attempt", name="uq_charges_attempt"
    ),
    UniqueConstraint("idempotency_key", name="uq_charges_idempotency_key"),
    CheckConstraint("kind IN ('first', 'renewal', 'upgrade', 'card_check')", name="kind_known"),
    CheckConstraint(
        "status IN ('pending', 'succeeded', 'failed', 'refunded')", name="status_known"
    ),
    CheckConstraint("amount_minor > 0", name="amount_positive"),
    CheckConstraint("attempt >= 1", name="attempt_positive"),
    CheckConstraint(
        "refunded_minor >= 0 AND refunded_minor <= amount_minor", name="refund_within_amount"
    ),
    CheckConstraint("period_end >= period_start", name="period_ordered"),
)

#: The issue's database rule: one succeeded charge per subscription period.
Index(
    "uq_charges_one_paid_per_period",
    charges.c.subscription_id,
    charges.c.period_start,
    unique=True,
    postgresql_where=text("status = 'succeeded' AND kind IN ('first', 'renewal')"),
)
Index("ix_charges_payment_id", charges.c.payment_id)
Index("ix_charges_subscription_id_created_at", charges.c.subscription_id, charges.c.created_at)


def _row(charge: Charge) -> dict[str, Any]:
    return {
        "id": charge.id,
        "subscription_id": charge.subscription_id,
        "user_id": charge.user_id,
        "kind": charge.kind.value,
        "period_start": charge.period_start,
        "period_end": charge.period_end,
        "attempt": charge.attempt,
        "amount_minor": charge.amount_minor,
        "currency": charge.currency,
        "status": charge.status.value,
        "payment_id": charge.payment_id,
        "decline_code": charge.decline_code,
        "hard_decline": charge.hard_decline,
        "idempotency_key": charge.idempotency_key,
        "refunded_minor": charge.refunded_minor,
        "created_at": charge.created_at,
        "settled_at": charge.settled_at,
    }


def _charge(row: Any) -> Charge:
    return Charge(
        id=row.id,
        subscription_id=row.subscription_id,
        user_id=row.user_id,
        kind=ChargeKind(row.kind),
        period_start=row.period_start,
        period_end=row.period_end,
        attempt=row.attempt,
        amount_minor=row.amount_minor,
        currency=row.currency,
        status=ChargeStatus(row.status),
        payment_id=row.payment_id,
        decline_code=row.decline_code,
        hard_decline=row.hard_decline,
        idempotency_key=row.idempotency_key,
        refunded_minor=row.refunded_minor,
        created_at=row.created_at,
        settled_at=row.settled_at,
    )


def _period_already_paid() -> Conflict:
    return Conflict(
        "This subscription period is already paid.",
        code="PERIOD_ALREADY_PAID",
        detail_ru="Этот период подписки уже оплачен.",
    )


class SqlCharges:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, charge: Charge) -> None:
        """Store a new charge; the same attempt of the same period again is a Conflict."""
        try:
            async with self._session.begin_nested():
                await self._session.execute(insert(charges).values(_row(charge)))
        except IntegrityError:
            raise Conflict(
                "This charge attempt already exists.",
                code="CHARGE_ALREADY_EXISTS",
                detail_ru="Эта попытка списания уже существует.",
            ) from None

    async def add_once(self, charge: Charge) -> Charge:
        """Store ``charge`` unless its (subscription, period start, kind, attempt) exists;
        answers the stored one (a job run twice finds the first run's charge)."""
        statement = (
            upsert(charges)
            .values(_row(charge))
            .on_conflict_do_nothing(constraint="uq_charges_attempt")
            .returning(charges.c.id)
        )
        inserted = (await self._session.execute(statement)).first()
        if inserted is not None:
            return charge
        stored = await self.attempt(
            charge.subscription_id, charge.period_start, charge.kind, charge.attempt
        )
        assert stored is not None  # the conflict was on this very key
        return stored

    async def save(self, charge: Charge) -> None:
        """Write a charge's settlement; a second succeeded charge of a period is refused by
        the database and answered 409 ``PERIOD_ALREADY_PAID``."""
        values = _row(charge)
        for key in ("id", "subscription_id", "user_id", "kind", "period_start", "attempt"):
            values.pop(key)
        try:
            async with self._session.begin_nested():
                await self._session.execute(
                    update(charges).where(charges.c.id == charge.id).values(values)
                )
        except IntegrityError:
            raise _period_already_paid() from None

    async def get(self, charge_id: uuid.UUID) -> Charge | None:
        row = (
            await self._session.execute(select(charges).where(charges.c.id == charge_id))
        ).first()
        return _charge(row) if row else None

    async def get_for_update(self, charge_id: uuid.UUID) -> Charge | None:
        statement = select(charges).where(charges.c.id == charge_id).with_for_update()
        row = (await self._session.execute(statement)).first()
        return _charge(row) if row else None

    async def by_payment(self, payment_id: uuid.UUID) -> Charge | None:
        statement = select(charges).where(charges.c.payment_id == payment_id).with_for_update()
        row = (await self._session.execute(statement)).first()
        return _charge(row) if row else None

    async def attempt(
        self, subscription_id: uuid.UUID, period_start: datetime, kind: ChargeKind, attempt: int
    ) -> Charge | None:
        statement = select(charges).where(
            charges.c.subscription_id == subscription_id,
            charges.c.period_start == period_start,
            charges.c.kind == kind.value,
            charges.c.attempt == attempt,
        )
        row = (await self._session.execute(statement)).first()
        return _charge(row) if row else None

    async def for_period(
        self, subscription_id: uuid.UUID, period_start: datetime, kind: ChargeKind | None = None
    ) -> list[Charge]:
        """The charges of one period (of ``kind``, or all), first attempt first."""
        statement = select(charges).where(
            charges.c.subscription_id == subscription_id, charges.c.period_start == period_start
        )
        if kind is not None:
            statement = statement.where(charges.c.kind == kind.value)
        statement = statement.order_by(charges.c.attempt, charges.c.created_at)
        return [_charge(row) for row in await self._session.execute(statement)]

    async def of_subscription(
        self, subscription_id: uuid.UUID, kinds: Sequence[ChargeKind] = ()
    ) -> list[Charge]:
        """A subscription's charges, newest first."""
        statement = select(charges).where(charges.c.subscription_id == subscription_id)
        if kinds:
            statement = statement.where(charges.c.kind.in_([kind.value for kind in kinds]))
        statement = statement.order_by(charges.c.created_at.desc(), charges.c.id)
        return [_charge(row) for row in await self._session.execute(statement)]

    async def first_payment(self, subscription_id: uuid.UUID) -> Charge | None:
        """The subscription's first paid period charge (its first payment, or the conversion of
        its trial), succeeded or since refunded; None while nothing was paid. Locked."""
        statement = (
            select(charges)
            .where(
                charges.c.subscription_id == subscription_id,
                charges.c.kind.in_([kind.value for kind in PERIOD_KINDS]),
                charges.c.status.in_([ChargeStatus.SUCCEEDED.value, ChargeStatus.REFUNDED.value]),
            )
            .order_by(charges.c.period_start, charges.c.created_at)
            .limit(1)
            .with_for_update()
        )
        row = (await self._session.execute(statement)).first()
        return _charge(row) if row else None
