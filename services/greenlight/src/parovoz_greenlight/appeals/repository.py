"""Appeals of rejected submissions (tables on `parovoz_greenlight.tables.metadata`, and their
queries). One appeal per submission: a unique index."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    Index,
    PrimaryKeyConstraint,
    String,
    Table,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.dialects.postgresql import insert as upsert
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_greenlight.appeals.domain import (
    EXPLANATION_LIMIT,
    NOTES_LIMIT,
    Appeal,
    AppealDecision,
    AppealReason,
    AppealStatus,
)
from parovoz_greenlight.tables import metadata

appeals = Table(
    "appeals",
    metadata,
    Column("id", UUID(as_uuid=True), nullable=False),
    Column("submission_id", UUID(as_uuid=True), nullable=False),
    Column("developer_id", UUID(as_uuid=True), nullable=False),
    Column("filed_by", UUID(as_uuid=True), nullable=False),
    Column("reason", String(32), nullable=False),
    Column("explanation", String(EXPLANATION_LIMIT), nullable=False),
    #: ["improvement made", ...]
    Column("improvements", JSONB, nullable=False),
    Column("status", String(16), nullable=False),
    Column("filed_at", DateTime(timezone=True), nullable=False),
    Column("decision", String(16), nullable=True),
    Column("decided_by", UUID(as_uuid=True), nullable=True),
    Column("decided_by_role", String(16), nullable=True),
    Column("notes", String(NOTES_LIMIT), nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    #: The voting window an approved appeal opened.
    Column("window_id", UUID(as_uuid=True), nullable=True),
    PrimaryKeyConstraint("id"),
    CheckConstraint(
        "reason IN ('technical_issues', 'misunderstanding', 'significant_improvements', "
        "'procedural_error', 'bias_claim')",
        name="reason_known",
    ),
    CheckConstraint("status IN ('pending', 'decided')", name="status_known"),
    CheckConstraint(
        "decision IS NULL OR decision IN ('approved', 'rejected')", name="decision_known"
    ),
    CheckConstraint(
        "(status = 'pending') = (decision IS NULL AND decided_by IS NULL AND decided_at IS NULL)",
        name="decided_has_decision",
    ),
    Index("uq_appeals_submission_id", "submission_id", unique=True),
)


def _values(appeal: Appeal) -> dict[str, Any]:
    return {
        "id": appeal.id,
        "submission_id": appeal.submission_id,
        "developer_id": appeal.developer_id,
        "filed_by": appeal.filed_by,
        "reason": appeal.reason.value,
        "explanation": appeal.explanation,
        "improvements": list(appeal.improvements),
        "status": appeal.status.value,
        "filed_at": appeal.filed_at,
        "decision": appeal.decision.value if appeal.decision else None,
        "decided_by": appeal.decided_by,
        "decided_by_role": appeal.decided_by_role,
        "notes": appeal.notes,
        "decided_at": appeal.decided_at,
        "window_id": appeal.window_id,
    }


def _appeal(row: Any) -> Appeal:
    return Appeal(
        id=row.id,
        submission_id=row.submission_id,
        developer_id=row.developer_id,
        filed_by=row.filed_by,
        reason=AppealReason(row.reason),
        explanation=row.explanation,
        improvements=tuple(row.improvements),
        status=AppealStatus(row.status),
        filed_at=row.filed_at,
        decision=AppealDecision(row.decision) if row.decision else None,
        decided_by=row.decided_by,
        decided_by_role=row.decided_by_role,
        notes=row.notes,
        decided_at=row.decided_at,
        window_id=row.window_id,
    )


class SqlAppeals:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, appeal: Appeal) -> bool:
        """False (nothing written) when the submission already has an appeal."""
        statement = (
            upsert(appeals)
            .values(**_values(appeal))
            .on_conflict_do_nothing(index_elements=["submission_id"])
            .returning(appeals.c.id)
        )
        return (await self._session.execute(statement)).first() is not None

    async def get(self, appeal_id: uuid.UUID, *, for_update: bool = False) -> Appeal | None:
        statement = select(appeals).where(appeals.c.id == appeal_id)
        if for_update:
            statement = statement.with_for_update()
        row = (await self._session.execute(statement)).first()
        return None if row is None else _appeal(row)

    async def of_submission(self, submission_id: uuid.UUID) -> list[Appeal]:
        statement = (
            select(appeals)
            .where(appeals.c.submission_id == submission_id)
            .order_by(appeals.c.filed_at, appeals.c.id)
        )
        return [_appeal(row) for row in await self._session.execute(statement)]

    async def save(self, appeal: Appeal) -> None:
        values = _values(appeal)
        for fixed in ("id", "submission_id", "developer_id", "filed_by", "filed_at"):
            del values[fixed]
        await self._session.execute(
            update(appeals).where(appeals.c.id == appeal.id).values(**values)
        )
