"""review: this context's tables (submissions with their decisions; greenlight's decisions as a
read model) and their queries."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    String,
    Table,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.dialects.postgresql import insert as upsert
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_developer_portal.review.domain import GreenlightDecision, Outcome, Submission
from parovoz_developer_portal.tables import metadata

#: The longest moderator note kept (the admin events' comment and reason bound).
NOTE_COLUMN = 4000

#: Each sending of a version to moderation; the decision fills in when the Admin Service
#: answers. At most one pending submission per version.
review_submissions = Table(
    "review_submissions",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("game_id", ForeignKey("games.id"), nullable=False),
    Column("version_id", UUID(as_uuid=True), nullable=False),
    Column("developer_id", UUID(as_uuid=True), nullable=False),
    Column("submitted_by_user_id", UUID(as_uuid=True), nullable=False),
    Column("api_key_id", UUID(as_uuid=True), nullable=True),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("outcome", String(16), nullable=True),
    Column("note", String(NOTE_COLUMN), nullable=True),
    Column("moderator_id", UUID(as_uuid=True), nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    CheckConstraint("outcome IN ('approved', 'rejected')", name="outcome_known"),
    CheckConstraint("(outcome IS NULL) = (decided_at IS NULL)", name="decided_when_decided"),
    Index("ix_review_submissions_version_id", "version_id", "submitted_at"),
    Index(
        "uq_review_submissions_pending_version",
        "version_id",
        unique=True,
        postgresql_where=text("outcome IS NULL"),
    ),
)

#: greenlight's latest decision on each of its submissions linked to a game (read model of
#: ``greenlight.submission.approved/rejected.v1``).
greenlight_decisions = Table(
    "greenlight_decisions",
    metadata,
    Column("submission_id", UUID(as_uuid=True), primary_key=True),
    Column("game_id", UUID(as_uuid=True), nullable=False),
    Column("developer_id", UUID(as_uuid=True), nullable=False),
    Column("approved", Boolean, nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=False),
    Index("ix_greenlight_decisions_game_id", "game_id"),
)


async def lock_game_steps(session: AsyncSession, game_id: uuid.UUID) -> None:
    """Serialize the review and release steps of one game until commit (a transaction advisory
    lock on its id: submit, decisions, publish and rollback of one game run one by one). It
    touches no other context's table."""
    await session.execute(
        select(func.pg_advisory_xact_lock(func.hashtextextended(str(game_id), 0)))
    )


def _submission(row: Any) -> Submission:
    return Submission(
        id=row.id,
        game_id=row.game_id,
        version_id=row.version_id,
        developer_id=row.developer_id,
        submitted_by_user_id=row.submitted_by_user_id,
        submitted_at=row.submitted_at,
        api_key_id=row.api_key_id,
        outcome=Outcome(row.outcome) if row.outcome else None,
        note=row.note,
        moderator_id=row.moderator_id,
        decided_at=row.decided_at,
    )


class SqlReviews:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def lock_game(self, game_id: uuid.UUID) -> None:
        await lock_game_steps(self._session, game_id)

    async def add(self, submission: Submission) -> None:
        values = {
            **submission.__dict__,
            "outcome": submission.outcome.value if submission.outcome else None,
        }
        await self._session.execute(insert(review_submissions).values(values))

    async def pending(self, version_id: uuid.UUID) -> Submission | None:
        row = (
            await self._session.execute(
                select(review_submissions).where(
                    review_submissions.c.version_id == version_id,
                    review_submissions.c.outcome.is_(None),
                )
            )
        ).first()
        return _submission(row) if row else None

    async def save_decision(self, submission: Submission) -> None:
        await self._session.execute(
            update(review_submissions)
            .where(review_submissions.c.id == submission.id)
            .values(
                outcome=submission.outcome.value if submission.outcome else None,
                note=submission.note,
                moderator_id=submission.moderator_id,
                decided_at=submission.decided_at,
            )
        )

    async def of_version(self, version_id: uuid.UUID) -> list[Submission]:
        rows = await self._session.execute(
            select(review_submissions)
            .where(review_submissions.c.version_id == version_id)
            .order_by(review_submissions.c.submitted_at, review_submissions.c.id)
        )
        return [_submission(row) for row in rows]

    async def greenlight_decision(self, submission_id: uuid.UUID) -> GreenlightDecision | None:
        row = (
            await self._session.execute(
                select(greenlight_decisions)
                .where(greenlight_decisions.c.submission_id == submission_id)
                .with_for_update()
            )
        ).first()
        if row is None:
            return None
        return GreenlightDecision(
            submission_id=row.submission_id,
            game_id=row.game_id,
            developer_id=row.developer_id,
            approved=row.approved,
            decided_at=row.decided_at,
        )

    async def save_greenlight_decision(self, decision: GreenlightDecision) -> None:
        # Insert-or-update; the caller decided it is the newest news of the submission.
        statement = upsert(greenlight_decisions).values(**decision.__dict__)
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[greenlight_decisions.c.submission_id],
                set_={
                    "game_id": statement.excluded.game_id,
                    "developer_id": statement.excluded.developer_id,
                    "approved": statement.excluded.approved,
                    "decided_at": statement.excluded.decided_at,
                },
            )
        )

    async def greenlight_approved(self, developer_id: uuid.UUID, game_id: uuid.UUID) -> bool:
        """Whether greenlight approved a submission of this developer linked to this game (and
        has not rejected it since)."""
        row = (
            await self._session.execute(
                select(greenlight_decisions.c.submission_id)
                .where(
                    greenlight_decisions.c.game_id == game_id,
                    greenlight_decisions.c.developer_id == developer_id,
                    greenlight_decisions.c.approved.is_(True),
                )
                .limit(1)
            )
        ).first()
        return row is not None
