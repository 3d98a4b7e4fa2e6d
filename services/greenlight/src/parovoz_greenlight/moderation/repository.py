"""Curators, moderation actions (append-only: this module has no UPDATE or DELETE of them, and
a trigger of migration 0005 refuses both), expert reviews: tables on
`parovoz_greenlight.tables.metadata`, and their queries."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Index,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    UniqueConstraint,
    and_,
    exists,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.dialects.postgresql import insert as upsert
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_greenlight.moderation.domain import (
    COMMENT_LIMIT,
    DISPLAY_NAME_LIMIT,
    FLAG_OF,
    SPECIALTY_LIMIT,
    Curator,
    CuratorStatus,
    ExpertReview,
    ModerationRecord,
    ModerationType,
    ReviewCategory,
)
from parovoz_greenlight.submissions.domain import SubmissionStatus
from parovoz_greenlight.tables import metadata

curators = Table(
    "curators",
    metadata,
    Column("user_id", UUID(as_uuid=True), nullable=False),
    Column("display_name", String(DISPLAY_NAME_LIMIT), nullable=False),
    Column("specialties", ARRAY(String(SPECIALTY_LIMIT)), nullable=False),
    Column("status", String(16), nullable=False),
    Column("added_by", UUID(as_uuid=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("user_id"),
    CheckConstraint(
        "status IN ('active', 'inactive', 'suspended', 'probation')", name="status_known"
    ),
)

#: The audit log: one row per action, never changed.
moderation_actions = Table(
    "moderation_actions",
    metadata,
    Column("id", UUID(as_uuid=True), nullable=False),
    Column("submission_id", UUID(as_uuid=True), nullable=False),
    Column("actor_id", UUID(as_uuid=True), nullable=False),
    Column("actor_role", String(16), nullable=False),
    Column("action", String(32), nullable=False),
    Column("comment", String(COMMENT_LIMIT), nullable=True),
    #: ["what to change", ...] (REQUEST_CHANGES), else [].
    Column("required_changes", JSONB, nullable=False),
    Column("changes_due_at", DateTime(timezone=True), nullable=True),
    Column("from_status", String(32), nullable=False),
    Column("to_status", String(32), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("id"),
    CheckConstraint(
        "action IN ('APPROVE', 'REJECT', 'REQUEST_CHANGES', 'ESCALATE_TO_EXPERTS', "
        "'FLAG_FOR_REVIEW')",
        name="action_known",
    ),
    Index("ix_moderation_actions_submission_id_at", "submission_id", "at"),
)

expert_reviews = Table(
    "expert_reviews",
    metadata,
    Column("id", UUID(as_uuid=True), nullable=False),
    Column("submission_id", UUID(as_uuid=True), nullable=False),
    Column("reviewer_id", UUID(as_uuid=True), nullable=False),
    #: {"gameplay": 4, ...}: every category, 1-5.
    Column("scores", JSONB, nullable=False),
    Column("overall", SmallInteger, nullable=False),
    Column("strengths", JSONB, nullable=False),
    Column("weaknesses", JSONB, nullable=False),
    Column("recommendations", JSONB, nullable=False),
    Column("is_public", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("id"),
    UniqueConstraint("submission_id", "reviewer_id", name="uq_expert_reviews_reviewer"),
    CheckConstraint("overall BETWEEN 1 AND 5", name="overall_range"),
)

_FLAGGING = [action.value for action in FLAG_OF]


class SqlModeration:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # --- curators ---------------------------------------------------------------------------
    async def curator(self, user_id: uuid.UUID, *, for_update: bool = False) -> Curator | None:
        query = select(curators).where(curators.c.user_id == user_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._session.execute(query)).mappings().first()
        return _curator(row) if row is not None else None

    async def add_curator(self, curator: Curator) -> bool:
        """False (nothing written) when the user is already in the registry."""
        statement = (
            upsert(curators)
            .values(**_curator_values(curator))
            .on_conflict_do_nothing(index_elements=["user_id"])
            .returning(curators.c.user_id)
        )
        return (await self._session.execute(statement)).first() is not None

    async def save_curator(self, curator: Curator) -> None:
        values = _curator_values(curator)
        del values["user_id"], values["created_at"], values["added_by"]
        await self._session.execute(
            update(curators).where(curators.c.user_id == curator.user_id).values(**values)
        )

    async def curators(
        self, status: CuratorStatus | None, after: uuid.UUID | None, limit: int
    ) -> list[Curator]:
        query = select(curators).order_by(curators.c.user_id).limit(limit)
        if status is not None:
            query = query.where(curators.c.status == status.value)
        if after is not None:
            query = query.where(curators.c.user_id > after)
        rows = (await self._session.execute(query)).mappings().all()
        return [_curator(row) for row in rows]

    # --- the audit log ----------------------------------------------------------------------
    async def record(self, record: ModerationRecord) -> None:
        await self._session.execute(
            insert(moderation_actions).values(
                id=record.id,
                submission_id=record.submission_id,
                actor_id=record.actor_id,
                actor_role=record.actor_role,
                action=record.action.value,
                comment=record.comment,
                required_changes=list(record.required_changes),
                changes_due_at=record.changes_due_at,
                from_status=record.from_status.value,
                to_status=record.to_status.value,
                at=record.at,
            )
        )

    async def records(self, submission_id: uuid.UUID) -> list[ModerationRecord]:
        rows = (
            (
                await self._session.execute(
                    select(moderation_actions)
                    .where(moderation_actions.c.submission_id == submission_id)
                    .order_by(moderation_actions.c.at, moderation_actions.c.id)
                )
            )
            .mappings()
            .all()
        )
        return [_record(row) for row in rows]

    async def last_flagged_at(self, submission_id: uuid.UUID) -> datetime | None:
        query = select(func.max(moderation_actions.c.at)).where(
            moderation_actions.c.submission_id == submission_id,
            moderation_actions.c.action.in_(_FLAGGING),
        )
        result: datetime | None = (await self._session.execute(query)).scalar_one()
        return result

    # --- expert reviews ---------------------------------------------------------------------
    async def reviewed_since(self, submission_id: uuid.UUID, since: datetime | None) -> bool:
        condition = expert_reviews.c.submission_id == submission_id
        if since is not None:
            condition = and_(condition, expert_reviews.c.created_at >= since)
        return bool((await self._session.execute(select(exists().where(condition)))).scalar())

    async def add_review(self, review: ExpertReview) -> bool:
        """False (nothing written) when the reviewer already reviewed the submission."""
        statement = (
            upsert(expert_reviews)
            .values(
                id=review.id,
                submission_id=review.submission_id,
                reviewer_id=review.reviewer_id,
                scores={category.value: score for category, score in review.scores.items()},
                overall=review.overall,
                strengths=list(review.strengths),
                weaknesses=list(review.weaknesses),
                recommendations=list(review.recommendations),
                is_public=review.is_public,
                created_at=review.created_at,
            )
            .on_conflict_do_nothing(constraint="uq_expert_reviews_reviewer")
            .returning(expert_reviews.c.id)
        )
        return (await self._session.execute(statement)).first() is not None

    async def reviews(self, submission_id: uuid.UUID, *, public_only: bool) -> list[ExpertReview]:
        query = (
            select(expert_reviews)
            .where(expert_reviews.c.submission_id == submission_id)
            .order_by(expert_reviews.c.created_at, expert_reviews.c.id)
        )
        if public_only:
            query = query.where(expert_reviews.c.is_public.is_(True))
        rows = (await self._session.execute(query)).mappings().all()
        return [_review(row) for row in rows]


def _curator_values(curator: Curator) -> dict[str, Any]:
    return {
        "user_id": curator.user_id,
        "display_name": curator.display_name,
        "specialties": list(curator.specialties),
        "status": curator.status.value,
        "added_by": curator.added_by,
        "created_at": curator.created_at,
        "updated_at": curator.updated_at,
    }


def _curator(row: Any) -> Curator:
    return Curator(
        user_id=row["user_id"],
        display_name=row["display_name"],
        specialties=tuple(row["specialties"]),
        status=CuratorStatus(row["status"]),
        added_by=row["added_by"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _record(row: Any) -> ModerationRecord:
    return ModerationRecord(
        id=row["id"],
        submission_id=row["submission_id"],
        actor_id=row["actor_id"],
        actor_role=row["actor_role"],
        action=ModerationType(row["action"]),
        comment=row["comment"],
        required_changes=tuple(row["required_changes"]),
        changes_due_at=row["changes_due_at"],
        from_status=SubmissionStatus(row["from_status"]),
        to_status=SubmissionStatus(row["to_status"]),
        at=row["at"],
    )


def _review(row: Any) -> ExpertReview:
    return ExpertReview(
        id=row["id"],
        submission_id=row["submission_id"],
        reviewer_id=row["reviewer_id"],
        scores={ReviewCategory(name): int(score) for name, score in row["scores"].items()},
        overall=row["overall"],
        strengths=tuple(row["strengths"]),
        weaknesses=tuple(row["weaknesses"]),
        recommendations=tuple(row["recommendations"]),
        is_public=row["is_public"],
        created_at=row["created_at"],
    )
