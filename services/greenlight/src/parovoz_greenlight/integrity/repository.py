"""Penalties (tables on `parovoz_greenlight.tables.metadata`, and their queries). The flags and
manipulation reports live in ``reports_repository.py``."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_greenlight.integrity.penalties import (
    APPEAL_LIMIT,
    REASON_LIMIT,
    AppealDecision,
    Penalty,
    PenaltyType,
)
from parovoz_greenlight.tables import metadata

penalties = sa.Table(
    "penalties",
    metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("user_id", UUID(as_uuid=True), nullable=False, index=True),
    sa.Column("type", sa.String(24), nullable=False),
    sa.Column("reason", sa.String(REASON_LIMIT), nullable=False),
    sa.Column("submission_id", UUID(as_uuid=True), nullable=True),
    sa.Column("issued_by", UUID(as_uuid=True), nullable=False),
    sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("revoked_by", UUID(as_uuid=True), nullable=True),
    sa.Column("appealed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("appeal_text", sa.String(APPEAL_LIMIT), nullable=True),
    sa.Column("appeal_decision", sa.String(16), nullable=True),
    sa.Column("appeal_decided_by", UUID(as_uuid=True), nullable=True),
    sa.Column("appeal_decided_at", sa.DateTime(timezone=True), nullable=True),
    # The voting window whose audit issued it (revision 0015): one automatic penalty per user
    # and window, whoever runs the audit and however often.
    sa.Column("window_id", UUID(as_uuid=True), nullable=True),
    sa.UniqueConstraint("user_id", "window_id", name="uq_penalties_user_window"),
    sa.CheckConstraint(
        "type IN ('warning', 'voting_suspension', 'account_suspension', 'permanent_ban')",
        name="type_known",
    ),
    sa.CheckConstraint(
        "appeal_decision IS NULL OR appeal_decision IN ('upheld', 'revoked')",
        name="appeal_decision_known",
    ),
)

_COLUMNS = [c.name for c in penalties.columns]


def _penalty(row: Any) -> Penalty:
    values = dict(row._mapping)
    values["type"] = PenaltyType(values["type"])
    if values["appeal_decision"] is not None:
        values["appeal_decision"] = AppealDecision(values["appeal_decision"])
    return Penalty(**values)


def _values(penalty: Penalty) -> dict[str, Any]:
    values = {name: getattr(penalty, name) for name in _COLUMNS}
    values["type"] = penalty.type.value
    if penalty.appeal_decision is not None:
        values["appeal_decision"] = penalty.appeal_decision.value
    return values


#: Built once (every vote asks it): only the parameters change, the statement and its cache
#: key are reused.
_IN_FORCE = sa.select(penalties).where(
    penalties.c.user_id == sa.bindparam("user_id"),
    penalties.c.revoked_at.is_(None),
    penalties.c.starts_at <= sa.bindparam("now"),
    sa.or_(penalties.c.ends_at.is_(None), penalties.c.ends_at > sa.bindparam("now")),
)


class SqlIntegrity:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add_penalty(self, penalty: Penalty) -> None:
        await self._session.execute(sa.insert(penalties).values(**_values(penalty)))

    async def add_penalty_once(self, penalty: Penalty) -> bool:
        """Insert an automatic penalty unless the user already has one of its window (False)."""
        statement = (
            pg_insert(penalties)
            .values(**_values(penalty))
            .on_conflict_do_nothing(constraint="uq_penalties_user_window")
            .returning(penalties.c.id)
        )
        return (await self._session.execute(statement)).first() is not None

    async def save_penalty(self, penalty: Penalty) -> None:
        values = _values(penalty)
        del values["id"]
        await self._session.execute(
            sa.update(penalties).where(penalties.c.id == penalty.id).values(**values)
        )

    async def penalty(self, penalty_id: uuid.UUID, *, for_update: bool = False) -> Penalty | None:
        query = sa.select(penalties).where(penalties.c.id == penalty_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        return None if row is None else _penalty(row)

    async def penalties_of(self, user_id: uuid.UUID) -> Sequence[Penalty]:
        query = (
            sa.select(penalties)
            .where(penalties.c.user_id == user_id)
            .order_by(penalties.c.starts_at.desc(), penalties.c.id)
        )
        return [_penalty(row) for row in (await self._session.execute(query)).all()]

    async def penalties_in_force(self, user_id: uuid.UUID, now: datetime) -> Sequence[Penalty]:
        rows = await self._session.execute(_IN_FORCE, {"user_id": user_id, "now": now})
        return [_penalty(row) for row in rows.all()]
