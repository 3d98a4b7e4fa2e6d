"""Subscriptions: the ``subscriptions`` table on `parovoz_subscription.tables.metadata`, and its
queries returning :class:`~parovoz_subscription.subscriptions.domain.Subscription`.

One LIVE subscription per (user, plan type) is a database rule (a partial unique index), so two
concurrent creations cannot both win. ``save`` is optimistic: the row must still have the
version read, and the version is bumped; a lost race is 409 ``SUBSCRIPTION_CHANGED_CONCURRENTLY``.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from parovoz_kit.db import execute_refusing
from parovoz_kit.errors import Conflict
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    insert,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_subscription.subscriptions.domain import (
    LIVE,
    BillingPeriod,
    PlanType,
    Position,
    Subscription,
    SubscriptionStatus,
    subscription_already_exists,
)
from parovoz_subscription.tables import metadata

#: Column sizes (= the request schemas' bounds where a client sends the value).
TIME_ZONE_COLUMN = 64
REASON_COLUMN = 500
METHOD_COLUMN = 128


def _quoted(values: Collection[str]) -> str:
    return ", ".join(f"'{value}'" for value in sorted(values))


#: The SQL condition of the statuses that hold a user's place (domain.LIVE).
LIVE_CONDITION = f"status IN ({_quoted(status.value for status in LIVE)})"
UNIQUE_LIVE_INDEX = "uq_subscriptions_live_user_plan_type"

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("user_id", UUID(as_uuid=True), nullable=False),
    Column("plan_id", UUID(as_uuid=True), nullable=False),
    Column("plan_type", String(16), nullable=False),
    Column("billing_period", String(16), nullable=False),
    Column("region", String(2), nullable=False),
    Column("currency", String(3), nullable=False),
    #: One period's price in minor units (kopecks), VAT included.
    Column("price_minor", BigInteger, nullable=False),
    Column("status", String(24), nullable=False),
    Column("auto_renew", Boolean, nullable=False),
    Column("time_zone", String(TIME_ZONE_COLUMN), nullable=False),
    Column("anchor_at", DateTime(timezone=True), nullable=False),
    Column("current_period_start", DateTime(timezone=True), nullable=False),
    Column("current_period_end", DateTime(timezone=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("trial_end_at", DateTime(timezone=True), nullable=True),
    Column("grace_until", DateTime(timezone=True), nullable=True),
    Column("suspended_at", DateTime(timezone=True), nullable=True),
    Column("cancelled_at", DateTime(timezone=True), nullable=True),
    Column("cancellation_reason", String(REASON_COLUMN), nullable=True),
    Column("ended_at", DateTime(timezone=True), nullable=True),
    Column("saved_method_id", String(METHOD_COLUMN), nullable=True),
    Column("scheduled_plan_id", UUID(as_uuid=True), nullable=True),
    Column("scheduled_billing_period", String(16), nullable=True),
    Column("version", Integer, nullable=False),
    CheckConstraint(
        f"status IN ({_quoted(status.value for status in SubscriptionStatus)})",
        name="status",
    ),
    CheckConstraint(
        f"plan_type IN ({_quoted(plan_type.value for plan_type in PlanType)})",
        name="plan_type",
    ),
    CheckConstraint(
        f"billing_period IN ({_quoted(period.value for period in BillingPeriod)})",
        name="billing_period",
    ),
    CheckConstraint("price_minor >= 0", name="price_not_negative"),
    CheckConstraint("current_period_end >= current_period_start", name="period_forward"),
    # One LIVE subscription per user and plan type: concurrent creations cannot both win.
    Index(
        UNIQUE_LIVE_INDEX,
        "user_id",
        "plan_type",
        unique=True,
        postgresql_where=text(LIVE_CONDITION),
    ),
    # A user's list, newest first (keyset paging).
    Index("ix_subscriptions_user_id_created_at", "user_id", "created_at", "id"),
    # The jobs' scans: what is due by a time in a status.
    Index("ix_subscriptions_status_current_period_end", "status", "current_period_end"),
)

_COLUMNS = tuple(column.name for column in subscriptions.columns)


def subscription_of_row(row: Any) -> Subscription:
    """A row of ``subscriptions`` (all its columns) as the domain's Subscription."""
    values = dict(row._mapping)
    values["plan_type"] = PlanType(values["plan_type"])
    values["billing_period"] = BillingPeriod(values["billing_period"])
    values["status"] = SubscriptionStatus(values["status"])
    if values["scheduled_billing_period"] is not None:
        values["scheduled_billing_period"] = BillingPeriod(values["scheduled_billing_period"])
    return Subscription(**{name: values[name] for name in _COLUMNS})


def row_of_subscription(subscription: Subscription) -> dict[str, Any]:
    values = {name: getattr(subscription, name) for name in _COLUMNS}
    for name in ("plan_type", "billing_period", "status", "scheduled_billing_period"):
        if values[name] is not None:
            values[name] = values[name].value
    return values


def _changed_concurrently(subscription_id: uuid.UUID) -> Conflict:
    return Conflict(
        f"Subscription {subscription_id} was changed by someone else; read it again.",
        detail_ru=f"Подписку {subscription_id} одновременно изменил кто-то другой; "
        "прочитайте её заново.",
        code="SUBSCRIPTION_CHANGED_CONCURRENTLY",
    )


class SqlSubscriptions:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, subscription_id: uuid.UUID) -> Subscription | None:
        row = (
            await self._session.execute(
                select(subscriptions).where(subscriptions.c.id == subscription_id)
            )
        ).first()
        return subscription_of_row(row) if row else None

    async def get_for_update(self, subscription_id: uuid.UUID) -> Subscription | None:
        """The subscription, its row locked until the transaction ends (SELECT ... FOR UPDATE)."""
        row = (
            await self._session.execute(
                select(subscriptions).where(subscriptions.c.id == subscription_id).with_for_update()
            )
        ).first()
        return subscription_of_row(row) if row else None

    async def add(self, subscription: Subscription) -> None:
        """Insert a new subscription; a second LIVE one of the user's plan type is 409
        ``SUBSCRIPTION_ALREADY_EXISTS`` (the database's rule; the transaction is then over)."""
        await execute_refusing(
            self._session,
            insert(subscriptions).values(row_of_subscription(subscription)),
            {UNIQUE_LIVE_INDEX: lambda: subscription_already_exists(subscription.plan_type)},
        )

    async def save(self, subscription: Subscription) -> None:
        """Write every field back if the row still has ``subscription.version``; bumps it (also
        on the object). A lost race: 409 ``SUBSCRIPTION_CHANGED_CONCURRENTLY``."""
        values = row_of_subscription(subscription)
        del values["id"]
        values["version"] = subscription.version + 1
        result = await execute_refusing(
            self._session,
            update(subscriptions)
            .where(
                subscriptions.c.id == subscription.id,
                subscriptions.c.version == subscription.version,
            )
            .values(values),
            {UNIQUE_LIVE_INDEX: lambda: subscription_already_exists(subscription.plan_type)},
        )
        if result.rowcount != 1:
            raise _changed_concurrently(subscription.id)
        subscription.version += 1

    async def of_user(
        self,
        user_id: uuid.UUID,
        *,
        statuses: Collection[SubscriptionStatus] = (),
        after: Position | None = None,
        limit: int = 20,
    ) -> list[Subscription]:
        """The user's own subscriptions, newest first (created_at, then id), at most ``limit``,
        those after ``after`` only; ``statuses`` empty means any."""
        query = select(subscriptions).where(subscriptions.c.user_id == user_id)
        if statuses:
            query = query.where(subscriptions.c.status.in_([s.value for s in statuses]))
        if after is not None:
            query = query.where(
                tuple_(subscriptions.c.created_at, subscriptions.c.id)
                < tuple_(after.created_at, after.subscription_id)
            )
        query = query.order_by(subscriptions.c.created_at.desc(), subscriptions.c.id.desc())
        rows = (await self._session.execute(query.limit(limit))).all()
        return [subscription_of_row(row) for row in rows]

    async def live_of_user(self, user_id: uuid.UUID) -> list[Subscription]:
        """The user's LIVE subscriptions (at most one per plan type), newest first."""
        rows = (
            await self._session.execute(
                select(subscriptions)
                .where(
                    subscriptions.c.user_id == user_id,
                    subscriptions.c.status.in_([status.value for status in LIVE]),
                )
                .order_by(subscriptions.c.created_at.desc(), subscriptions.c.id.desc())
            )
        ).all()
        return [subscription_of_row(row) for row in rows]
