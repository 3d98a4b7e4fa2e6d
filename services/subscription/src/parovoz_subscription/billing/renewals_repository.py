"""The billing jobs' queries: which subscriptions are due (each one locked with ``FOR UPDATE
SKIP LOCKED``, so concurrent runners never take the same one), the ``renewal_notices`` table
that makes the upcoming-renewal notice once per (subscription, charge time), and
``renewal_attempts``: the saved method each renewal charge used, so a card bound since the last
attempt (a method never charged for the subscription) is charged at once.

Tables on `parovoz_subscription.tables.metadata` (revision 0010)."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import (
    Column,
    ColumnElement,
    DateTime,
    Index,
    PrimaryKeyConstraint,
    String,
    Table,
    and_,
    case,
    false,
    func,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.dialects.postgresql import insert as upsert
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_subscription.billing.domain.charges import ChargeKind, ChargeStatus
from parovoz_subscription.billing.renewal_rules import RenewalRules
from parovoz_subscription.billing.repository import charges
from parovoz_subscription.billing.service.renewal_ports import DueKind
from parovoz_subscription.subscriptions.domain import Subscription, SubscriptionStatus
from parovoz_subscription.subscriptions.repository import (
    METHOD_COLUMN,
    subscription_of_row,
    subscriptions,
)
from parovoz_subscription.tables import metadata

S = SubscriptionStatus

renewal_notices = Table(
    "renewal_notices",
    metadata,
    Column("subscription_id", UUID(as_uuid=True), nullable=False),
    #: The charge the notice announced (the period end): one notice per charge time.
    Column("renews_at", DateTime(timezone=True), nullable=False),
    Column("notified_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("subscription_id", "renews_at"),
)

renewal_attempts = Table(
    "renewal_attempts",
    metadata,
    #: The renewal charge (charges.id).
    Column("charge_id", UUID(as_uuid=True), nullable=False),
    Column("subscription_id", UUID(as_uuid=True), nullable=False),
    #: payment's saved method charged (null: none was saved).
    Column("saved_method_id", String(METHOD_COLUMN), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("charge_id"),
    Index(
        "ix_renewal_attempts_subscription_id_saved_method_id", "subscription_id", "saved_method_id"
    ),
)


def _method_untried() -> ColumnElement[bool]:
    """The subscription's saved method was never charged by a renewal attempt."""
    c = subscriptions.c
    return and_(
        c.saved_method_id.is_not(None),
        ~select(renewal_attempts.c.charge_id)
        .where(
            renewal_attempts.c.subscription_id == c.id,
            renewal_attempts.c.saved_method_id == c.saved_method_id,
        )
        .exists(),
    )


def _pending_payment_due(rules: RenewalRules, now: datetime) -> ColumnElement[bool]:
    """A ``pending_payment`` subscription something is due for: its grace ended, its next retry
    time (after the failed attempts of the unpaid period) came, a card was bound since, or a
    charge of it is still pending at payment."""
    c, k = subscriptions.c, charges.c
    of_period = and_(
        k.subscription_id == c.id,
        k.period_start == c.current_period_end,
        k.kind == ChargeKind.RENEWAL.value,
    )
    failed = (
        select(func.count())
        .select_from(charges)
        .where(of_period, k.status == ChargeStatus.FAILED.value)
        .scalar_subquery()
    )
    last_hard = (
        select(k.hard_decline)
        .where(of_period, k.status == ChargeStatus.FAILED.value)
        .order_by(k.attempt.desc())
        .limit(1)
        .scalar_subquery()
    )
    pending = select(k.id).where(of_period, k.status == ChargeStatus.PENDING.value).exists()
    waits = [(failed == n, timedelta(days=days)) for n, days in enumerate(rules.retry_days, 1)]
    retry_due: ColumnElement[bool] = false()
    if waits:
        retry_due = and_(
            func.coalesce(last_hard, False).is_(False),
            c.current_period_end + case(*waits, else_=None) <= now,
        )
    return and_(
        c.status == S.PENDING_PAYMENT.value,
        or_(
            c.grace_until.is_(None),
            c.grace_until <= now,
            retry_due,
            _method_untried(),
            pending,
        ),
    )


def _due(
    kind: DueKind, rules: RenewalRules, now: datetime, *, notice_until: datetime | None
) -> ColumnElement[bool]:
    c = subscriptions.c
    if kind is DueKind.RENEWAL:
        return or_(
            and_(c.status == S.ACTIVE.value, c.auto_renew, c.current_period_end <= now),
            and_(
                c.status == S.TRIAL.value,
                c.auto_renew,
                c.saved_method_id.is_not(None),
                c.current_period_end <= now,
            ),
            _pending_payment_due(rules, now),
            # A card bound after the suspension: restored by a payment.
            and_(c.status == S.SUSPENDED.value, _method_untried(), c.suspended_at <= now),
        )
    if kind is DueKind.EXPIRY:
        return or_(
            and_(
                c.status == S.TRIAL.value,
                c.current_period_end <= now,
                or_(c.saved_method_id.is_(None), c.auto_renew.is_(False)),
            ),
            and_(c.status == S.CANCELLED.value, c.current_period_end <= now),
            and_(c.status == S.SUSPENDED.value, c.suspended_at <= now - rules.suspended_expiry),
        )
    assert notice_until is not None
    return and_(
        c.status.in_([S.ACTIVE.value, S.TRIAL.value]),
        c.auto_renew,
        c.current_period_end > now,
        c.current_period_end <= notice_until,
        ~select(renewal_notices.c.subscription_id)
        .where(
            renewal_notices.c.subscription_id == c.id,
            renewal_notices.c.renews_at == c.current_period_end,
        )
        .exists(),
    )


class SqlRenewals:
    """The jobs' queries; ``rules`` say when a retry or an expiry is due."""

    def __init__(self, session: AsyncSession, rules: RenewalRules) -> None:
        self._session, self._rules = session, rules

    async def next_due(
        self,
        kind: DueKind,
        now: datetime,
        *,
        skip: Collection[uuid.UUID] = (),
        only: Collection[uuid.UUID] | None = None,
        notice_until: datetime | None = None,
    ) -> Subscription | None:
        """One subscription due for ``kind`` that no other transaction holds, locked until this
        one ends (``FOR UPDATE SKIP LOCKED``); none of ``skip``; among ``only`` when given."""
        query = select(subscriptions).where(_due(kind, self._rules, now, notice_until=notice_until))
        if skip:
            query = query.where(subscriptions.c.id.not_in(list(skip)))
        if only is not None:
            query = query.where(subscriptions.c.id.in_(list(only)))
        query = (
            query.order_by(subscriptions.c.current_period_end, subscriptions.c.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        row = (await self._session.execute(query)).first()
        return subscription_of_row(row) if row else None

    async def method_untried(self, subscription_id: uuid.UUID, saved_method_id: str) -> bool:
        query = select(renewal_attempts.c.charge_id).where(
            renewal_attempts.c.subscription_id == subscription_id,
            renewal_attempts.c.saved_method_id == saved_method_id,
        )
        return (await self._session.execute(query.limit(1))).first() is None

    async def record_attempt(
        self,
        charge_id: uuid.UUID,
        subscription_id: uuid.UUID,
        saved_method_id: str | None,
        now: datetime,
    ) -> None:
        statement = (
            upsert(renewal_attempts)
            .values(
                charge_id=charge_id,
                subscription_id=subscription_id,
                saved_method_id=saved_method_id,
                created_at=now,
            )
            .on_conflict_do_nothing()
        )
        await self._session.execute(statement)

    async def mark_notified(
        self, subscription_id: uuid.UUID, renews_at: datetime, now: datetime
    ) -> bool:
        """Record the notice of the charge at ``renews_at``; False when it was sent already."""
        statement = (
            upsert(renewal_notices)
            .values(subscription_id=subscription_id, renews_at=renews_at, notified_at=now)
            .on_conflict_do_nothing()
            .returning(renewal_notices.c.subscription_id)
        )
        return (await self._session.execute(statement)).first() is not None
