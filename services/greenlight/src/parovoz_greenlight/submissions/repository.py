"""Submissions: the ``submissions`` table on `parovoz_greenlight.tables.metadata`, and its
queries returning :class:`~parovoz_greenlight.submissions.domain.Submission`.

One open submission per game is a database rule (a partial unique index over the statuses that
are not over: everything but ``withdrawn`` and ``rejected``), so two concurrent drafts of a game
cannot both win. ``save`` is optimistic: the row must still have the version read, and the
version is bumped; a lost race is 409 ``SUBMISSION_CHANGED_CONCURRENTLY``.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from parovoz_kit.db import execute_refusing
from parovoz_kit.errors import Conflict
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    Text,
    insert,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_greenlight.submissions.domain import Position, Submission, SubmissionStatus
from parovoz_greenlight.tables import metadata

#: Column sizes (= the request schemas' bounds where a client sends the value).
TITLE_COLUMN = 200
GENRE_COLUMN = 48
SELLING_POINT_COLUMN = 500
DEMO_LINK_COLUMN = 2048
FLAG_COLUMN = 64

UNIQUE_OPEN_INDEX = "uq_submissions_open_game"
#: Statuses in which a submission no longer holds its game (a new one may be created).
_OVER = "status NOT IN ('rejected', 'withdrawn')"


def _quoted(values: Collection[str]) -> str:
    return ", ".join(f"'{value}'" for value in sorted(values))


submissions = Table(
    "submissions",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("game_id", UUID(as_uuid=True), nullable=False),
    Column("developer_id", UUID(as_uuid=True), nullable=False),
    Column("submitted_by", UUID(as_uuid=True), nullable=False),
    Column("title", String(TITLE_COLUMN), nullable=False),
    Column("description", Text, nullable=False),
    Column("status", String(24), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("genres", ARRAY(String(GENRE_COLUMN)), nullable=False),
    Column("target_audience", Text, nullable=True),
    Column("selling_points", ARRAY(String(SELLING_POINT_COLUMN)), nullable=False),
    Column("team", Text, nullable=True),
    Column("timeline", Text, nullable=True),
    Column("demo_links", ARRAY(String(DEMO_LINK_COLUMN)), nullable=False),
    Column("business_plan", Text, nullable=True),
    Column("requested_changes", Text, nullable=True),
    Column("changes_due_at", DateTime(timezone=True), nullable=True),
    Column("fee_paid", Boolean, nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=True),
    Column("voting_started_at", DateTime(timezone=True), nullable=True),
    Column("voting_ends_at", DateTime(timezone=True), nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("withdrawn_at", DateTime(timezone=True), nullable=True),
    Column("flags", ARRAY(String(FLAG_COLUMN)), nullable=False),
    Column("version", Integer, nullable=False),
    CheckConstraint(
        f"status IN ({_quoted(status.value for status in SubmissionStatus)})", name="status"
    ),
    # One submission per game that is not over: concurrent drafts cannot both win.
    Index(UNIQUE_OPEN_INDEX, "game_id", unique=True, postgresql_where=text(_OVER)),
    # A developer account's list, newest first (keyset paging).
    Index("ix_submissions_developer_id_created_at", "developer_id", "created_at", "id"),
    # The public list: by status, newest first.
    Index("ix_submissions_status_created_at", "status", "created_at", "id"),
)

_COLUMNS = tuple(column.name for column in submissions.columns)
_TUPLES = ("genres", "selling_points", "demo_links", "flags")


def submission_of_row(row: Any) -> Submission:
    """A row of ``submissions`` (all its columns) as the domain's Submission."""
    values = dict(row._mapping)
    values["status"] = SubmissionStatus(values["status"])
    for name in _TUPLES:
        values[name] = tuple(values[name] or ())
    return Submission(**{name: values[name] for name in _COLUMNS})


def row_of_submission(submission: Submission) -> dict[str, Any]:
    values = {name: getattr(submission, name) for name in _COLUMNS}
    values["status"] = submission.status.value
    for name in _TUPLES:
        values[name] = list(values[name])
    return values


def submission_already_open(game_id: uuid.UUID) -> Conflict:
    return Conflict(
        f"Game {game_id} already has a submission that is not over; edit or withdraw it.",
        detail_ru=f"У игры {game_id} уже есть незавершённая заявка: измените или отзовите её.",
        code="SUBMISSION_ALREADY_EXISTS",
        pointer="/data/attributes/game_id",
    )


def _changed_concurrently(submission_id: uuid.UUID) -> Conflict:
    return Conflict(
        f"Submission {submission_id} was changed by someone else; read it again.",
        detail_ru=f"Заявку {submission_id} одновременно изменил кто-то другой; "
        "прочитайте её заново.",
        code="SUBMISSION_CHANGED_CONCURRENTLY",
    )


class SqlSubmissions:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, submission_id: uuid.UUID) -> Submission | None:
        row = (
            await self._session.execute(
                select(submissions).where(submissions.c.id == submission_id)
            )
        ).first()
        return submission_of_row(row) if row else None

    async def get_for_update(self, submission_id: uuid.UUID) -> Submission | None:
        """The submission, its row locked until the transaction ends (SELECT ... FOR UPDATE)."""
        row = (
            await self._session.execute(
                select(submissions).where(submissions.c.id == submission_id).with_for_update()
            )
        ).first()
        return submission_of_row(row) if row else None

    async def add(self, submission: Submission) -> None:
        """Insert a new submission; a second open one of the game is 409
        ``SUBMISSION_ALREADY_EXISTS`` (the database's rule)."""
        await execute_refusing(
            self._session,
            insert(submissions).values(row_of_submission(submission)),
            {UNIQUE_OPEN_INDEX: lambda: submission_already_open(submission.game_id)},
        )

    async def save(self, submission: Submission) -> None:
        """Write every field back if the row still has ``submission.version``; bumps it (also
        on the object). A lost race: 409 ``SUBMISSION_CHANGED_CONCURRENTLY``."""
        values = row_of_submission(submission)
        del values["id"]
        values["version"] = submission.version + 1
        result = await execute_refusing(
            self._session,
            update(submissions)
            .where(submissions.c.id == submission.id, submissions.c.version == submission.version)
            .values(values),
            {UNIQUE_OPEN_INDEX: lambda: submission_already_open(submission.game_id)},
        )
        if result.rowcount != 1:
            raise _changed_concurrently(submission.id)
        submission.version += 1

    async def public_page(
        self,
        *,
        statuses: Collection[SubmissionStatus],
        genre: str | None = None,
        after: Position | None = None,
        limit: int = 20,
    ) -> list[Submission]:
        """Submissions in ``statuses`` (the caller passes public ones only), newest first
        (created_at, then id), at most ``limit``, those after ``after`` only; ``genre``: those
        listing it."""
        query = select(submissions).where(
            submissions.c.status.in_([status.value for status in statuses])
        )
        if genre is not None:
            query = query.where(submissions.c.genres.contains([genre]))
        return await self._page(query, after, limit)

    async def of_developer(
        self,
        developer_id: uuid.UUID,
        *,
        statuses: Collection[SubmissionStatus] = (),
        after: Position | None = None,
        limit: int = 20,
    ) -> list[Submission]:
        """A developer account's submissions, newest first; ``statuses`` empty means any."""
        query = select(submissions).where(submissions.c.developer_id == developer_id)
        if statuses:
            query = query.where(submissions.c.status.in_([status.value for status in statuses]))
        return await self._page(query, after, limit)

    async def _page(self, query: Any, after: Position | None, limit: int) -> list[Submission]:
        if after is not None:
            query = query.where(
                tuple_(submissions.c.created_at, submissions.c.id)
                < tuple_(after.created_at, after.submission_id)
            )
        query = query.order_by(submissions.c.created_at.desc(), submissions.c.id.desc())
        rows = (await self._session.execute(query.limit(limit))).all()
        return [submission_of_row(row) for row in rows]
