"""Preorders and the games' releases: tables and repository (the caller's session and commit).

Migration 0018 creates them. ``game_releases`` is payment's read model of developer-portal's
``developer.game.published.v1``: a row means the game has been released (first published),
which closes it to new preorders and makes its open preorders due (``preorders-release``).
A preorder's payments name it in their ``reference`` (the preorder id).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

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
    and_,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import UUID, insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db.metadata import metadata
from parovoz_payment.db.payments import payments
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose, PaymentStatus
from parovoz_payment.domain.preorders import (
    OPEN_STATUSES,
    Preorder,
    PreorderCancelReason,
    PreorderStatus,
    PrepaymentKind,
)

#: A preorder whose prepayment was never even created (the process stopped in between) is
#: given up after this long, like a pending payment.
ABANDONED_AFTER = timedelta(hours=1)

preorders = Table(
    "preorders",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("user_id", UUID(as_uuid=True), nullable=False),
    Column("game_id", UUID(as_uuid=True), nullable=False),
    Column("region", String(2), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("price_minor", BigInteger, nullable=False),
    #: full | partial
    Column("kind", String(8), nullable=False),
    Column("prepayment_minor", BigInteger, nullable=False),
    Column("status", String(24), nullable=False),
    Column("prepayment_payment_id", UUID(as_uuid=True), nullable=True),
    #: The latest attempt at the remainder (each attempt is its own payment).
    Column("remainder_payment_id", UUID(as_uuid=True), nullable=True),
    Column("saved_method_id", UUID(as_uuid=True), nullable=True),
    Column("remainder_attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=True),
    Column("cancel_reason", String(24), nullable=True),
    #: Cancelled with money still to return (the release job refunds it).
    Column("refund_due", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("completed_at", DateTime(timezone=True), nullable=True),
    Column("cancelled_at", DateTime(timezone=True), nullable=True),
    CheckConstraint(
        "0 < prepayment_minor AND prepayment_minor <= price_minor", name="prepayment_in_price"
    ),
    CheckConstraint("kind IN ('full', 'partial')", name="kind"),
    CheckConstraint("remainder_attempts >= 0", name="attempts_not_negative"),
    Index("ix_preorders_user_id", "user_id", "created_at"),
    Index("ix_preorders_game_id", "game_id"),
    # What the release job looks at: every open preorder, and cancelled ones owing money.
    Index(
        "ix_preorders_due",
        "status",
        postgresql_where=text("status <> 'completed' AND (status <> 'cancelled' OR refund_due)"),
    ),
)

#: The games payment knows are released (their first publication).
game_releases = Table(
    "game_releases",
    metadata,
    Column("game_id", UUID(as_uuid=True), primary_key=True),
    Column("released_at", DateTime(timezone=True), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)


def _values(preorder: Preorder) -> dict[str, Any]:
    return {
        "id": preorder.id,
        "user_id": preorder.user_id,
        "game_id": preorder.game_id,
        "region": preorder.region,
        "currency": preorder.price.currency,
        "price_minor": preorder.price.amount_minor,
        "kind": preorder.kind.value,
        "prepayment_minor": preorder.prepayment.amount_minor,
        "status": preorder.status.value,
        "prepayment_payment_id": preorder.prepayment_payment_id,
        "remainder_payment_id": preorder.remainder_payment_id,
        "saved_method_id": preorder.saved_method_id,
        "remainder_attempts": preorder.remainder_attempts,
        "next_attempt_at": preorder.next_attempt_at,
        "cancel_reason": preorder.cancel_reason.value if preorder.cancel_reason else None,
        "refund_due": preorder.refund_due,
        "created_at": preorder.created_at,
        "updated_at": preorder.updated_at,
        "completed_at": preorder.completed_at,
        "cancelled_at": preorder.cancelled_at,
    }


def _preorder(row: Row[Any]) -> Preorder:
    return Preorder(
        id=row.id,
        user_id=row.user_id,
        game_id=row.game_id,
        region=row.region,
        price=Money(row.price_minor, row.currency),
        kind=PrepaymentKind(row.kind),
        prepayment=Money(row.prepayment_minor, row.currency),
        status=PreorderStatus(row.status),
        created_at=row.created_at,
        updated_at=row.updated_at,
        prepayment_payment_id=row.prepayment_payment_id,
        remainder_payment_id=row.remainder_payment_id,
        saved_method_id=row.saved_method_id,
        remainder_attempts=row.remainder_attempts,
        next_attempt_at=row.next_attempt_at,
        cancel_reason=PreorderCancelReason(row.cancel_reason) if row.cancel_reason else None,
        refund_due=row.refund_due,
        completed_at=row.completed_at,
        cancelled_at=row.cancelled_at,
    )


class SqlPreorders:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, preorder: Preorder) -> None:
        await self._session.execute(preorders.insert().values(_values(preorder)))

    async def save(self, preorder: Preorder) -> None:
        values = _values(preorder)
        del values["id"]
        await self._session.execute(
            update(preorders).where(preorders.c.id == preorder.id).values(values)
        )

    async def get(self, preorder_id: uuid.UUID, *, for_update: bool = False) -> Preorder | None:
        query = select(preorders).where(preorders.c.id == preorder_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        return None if row is None else _preorder(row)

    async def of_user(self, user_id: uuid.UUID, limit: int) -> list[Preorder]:
        rows = await self._session.execute(
            select(preorders)
            .where(preorders.c.user_id == user_id)
            .order_by(preorders.c.created_at.desc(), preorders.c.id)
            .limit(limit)
        )
        return [_preorder(row) for row in rows]

    async def open_of_game(self, game_id: uuid.UUID) -> list[Preorder]:
        rows = await self._session.execute(
            select(preorders)
            .where(
                preorders.c.game_id == game_id,
                preorders.c.status.in_([status.value for status in OPEN_STATUSES]),
            )
            .order_by(preorders.c.id)
            .with_for_update()
        )
        return [_preorder(row) for row in rows]

    async def due(self, now: datetime, limit: int) -> list[uuid.UUID]:
        """Preorders the release job has something to do for: open ones whose game is released
        (a failed remainder only once its next attempt is due), prepayments that failed (or
        never got a payment within ``ABANDONED_AFTER``), remainders that failed or were never
        sent, cancelled ones owing money. Only those: a preorder merely waiting (for its
        buyer, its release, the provider) never takes a place in the job's batch."""
        released = select(game_releases.c.game_id).where(
            game_releases.c.game_id == preorders.c.game_id
        )
        status = preorders.c.status

        def payment_failed(payment_id: Any, *, or_unsent: bool = False) -> Any:
            # Cancelled, or (a remainder) created and never sent to the provider: a crash.
            stuck = payments.c.status == PaymentStatus.CANCELLED.value
            if or_unsent:
                unsent = and_(
                    payments.c.status == PaymentStatus.PENDING.value,
                    payments.c.provider_payment_id.is_(None),
                )
                stuck = or_(stuck, unsent)
            return select(payments.c.id).where(payments.c.id == payment_id, stuck).exists()

        query = (
            select(preorders.c.id)
            .where(
                or_(
                    and_(
                        status == PreorderStatus.AWAITING_PREPAYMENT.value,
                        or_(
                            payment_failed(preorders.c.prepayment_payment_id),
                            and_(
                                preorders.c.prepayment_payment_id.is_(None),
                                preorders.c.updated_at <= now - ABANDONED_AFTER,
                            ),
                        ),
                    ),
                    and_(
                        status == PreorderStatus.CHARGING_REMAINDER.value,
                        or_(
                            preorders.c.remainder_payment_id.is_(None),
                            payment_failed(preorders.c.remainder_payment_id, or_unsent=True),
                            ~select(payments.c.id)
                            .where(payments.c.id == preorders.c.remainder_payment_id)
                            .exists(),
                        ),
                    ),
                    and_(status == PreorderStatus.PREPAID.value, released.exists()),
                    and_(
                        status == PreorderStatus.PAYMENT_FAILED.value,
                        preorders.c.next_attempt_at <= now,
                    ),
                    and_(status == PreorderStatus.CANCELLED.value, preorders.c.refund_due),
                )
            )
            .order_by(preorders.c.updated_at)
            .limit(limit)
        )
        return list((await self._session.execute(query)).scalars())

    async def succeeded_payment_ids(self, preorder_id: uuid.UUID) -> list[uuid.UUID]:
        """The preorder's payments that took money (prepayment, remainder)."""
        rows = await self._session.execute(
            select(payments.c.id)
            .where(
                payments.c.reference == str(preorder_id),
                payments.c.purpose == PaymentPurpose.PREORDER.value,
                payments.c.status == PaymentStatus.SUCCEEDED.value,
            )
            .order_by(payments.c.succeeded_at, payments.c.id)
        )
        return list(rows.scalars())


class SqlGameReleases:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, game_id: uuid.UUID, released_at: datetime, now: datetime) -> bool:
        """Remember the game's release; False when it was known (a re-publication, a
        redelivered event)."""
        query = (
            insert(game_releases)
            .values(game_id=game_id, released_at=released_at, recorded_at=now)
            .on_conflict_do_nothing()
            .returning(game_releases.c.game_id)
        )
        return (await self._session.execute(query)).first() is not None

    async def released_at(self, game_id: uuid.UUID) -> datetime | None:
        query = select(game_releases.c.released_at).where(game_releases.c.game_id == game_id)
        return (await self._session.execute(query)).scalar_one_or_none()
