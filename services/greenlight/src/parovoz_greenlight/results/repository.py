"""Voting windows and their final results (table ``voting_windows`` on
`parovoz_greenlight.tables.metadata`, revision 0007), and their queries.

The closing job takes due windows one at a time with ``FOR UPDATE SKIP LOCKED``: concurrent
runners never handle one twice."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    UniqueConstraint,
    and_,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_greenlight.results.domain import Outcome, Window, WindowStatus
from parovoz_greenlight.results.rules import ResultsRules
from parovoz_greenlight.tables import metadata

voting_windows = Table(
    "voting_windows",
    metadata,
    Column("id", UUID(as_uuid=True), nullable=False),
    Column("submission_id", UUID(as_uuid=True), nullable=False),
    #: 1 for the first window, 2 for the one an approved appeal opens.
    Column("number", Integer, nullable=False),
    Column("opens_at", DateTime(timezone=True), nullable=False),
    Column("closes_at", DateTime(timezone=True), nullable=False),
    #: open | audit | final
    Column("status", String(16), nullable=False),
    Column("audit_ends_at", DateTime(timezone=True), nullable=True),
    #: The final tally (weights in tenths), set once final.
    Column("valid_votes", Integer, nullable=True),
    Column("removed_votes", Integer, nullable=True),
    Column("weighted_yes", Integer, nullable=True),
    Column("weighted_no", Integer, nullable=True),
    Column("approval_basis_points", Integer, nullable=True),
    #: approved | not_enough_votes | approval_below_threshold | withdrawn
    Column("outcome", String(32), nullable=True),
    Column("finalized_at", DateTime(timezone=True), nullable=True),
    PrimaryKeyConstraint("id"),
    UniqueConstraint("submission_id", "number", name="uq_voting_windows_submission_id_number"),
    CheckConstraint("status IN ('open', 'audit', 'final')", name="status"),
    CheckConstraint("closes_at > opens_at", name="closes_after_opening"),
)

#: At most one window of a submission is not final.
Index(
    "uq_voting_windows_submission_id_running",
    voting_windows.c.submission_id,
    unique=True,
    postgresql_where=text("status <> 'final'"),
)
#: The closing job's due windows.
Index("ix_voting_windows_status_closes_at", voting_windows.c.status, voting_windows.c.closes_at)


@cache
def configured_rules() -> ResultsRules:
    """The service's results rules (for use cases called without them, e.g. moderation
    opening a window)."""
    from parovoz_greenlight.settings import GreenlightSettings

    return GreenlightSettings().results_rules()


def _window(row: Any) -> Window:
    return Window(
        id=row.id,
        submission_id=row.submission_id,
        number=row.number,
        opens_at=row.opens_at,
        closes_at=row.closes_at,
        status=WindowStatus(row.status),
        audit_ends_at=row.audit_ends_at,
        valid_votes=row.valid_votes,
        removed_votes=row.removed_votes,
        weighted_yes=row.weighted_yes,
        weighted_no=row.weighted_no,
        approval_basis_points=row.approval_basis_points,
        outcome=Outcome(row.outcome) if row.outcome is not None else None,
        finalized_at=row.finalized_at,
    )


def _values(window: Window) -> dict[str, Any]:
    return {
        "id": window.id,
        "submission_id": window.submission_id,
        "number": window.number,
        "opens_at": window.opens_at,
        "closes_at": window.closes_at,
        "status": window.status.value,
        "audit_ends_at": window.audit_ends_at,
        "valid_votes": window.valid_votes,
        "removed_votes": window.removed_votes,
        "weighted_yes": window.weighted_yes,
        "weighted_no": window.weighted_no,
        "approval_basis_points": window.approval_basis_points,
        "outcome": window.outcome.value if window.outcome is not None else None,
        "finalized_at": window.finalized_at,
    }


class SqlResults:
    def __init__(self, session: AsyncSession, rules: ResultsRules | None = None) -> None:
        self._session = session
        self._rules = rules

    @property
    def rules(self) -> ResultsRules:
        return self._rules or configured_rules()

    async def add(self, window: Window) -> None:
        await self._session.execute(insert(voting_windows).values(**_values(window)))

    async def save(self, window: Window) -> None:
        values = _values(window)
        del values["id"]
        await self._session.execute(
            update(voting_windows).where(voting_windows.c.id == window.id).values(**values)
        )

    async def latest_of(self, submission_id: uuid.UUID) -> Window | None:
        row = (
            await self._session.execute(
                select(voting_windows)
                .where(voting_windows.c.submission_id == submission_id)
                .order_by(voting_windows.c.number.desc())
                .limit(1)
            )
        ).first()
        return _window(row) if row is not None else None

    async def count_of(self, submission_id: uuid.UUID) -> int:
        return int(
            (
                await self._session.execute(
                    select(func.count())
                    .select_from(voting_windows)
                    .where(voting_windows.c.submission_id == submission_id)
                )
            ).scalar_one()
        )

    async def next_due(
        self,
        now: datetime,
        *,
        skip: Collection[uuid.UUID] = (),
        only: Collection[uuid.UUID] | None = None,
    ) -> Window | None:
        """An open window past its closing time or an audit past its end, locked (FOR UPDATE
        SKIP LOCKED: one another runner holds is passed over); ``only``: of these submissions."""
        c = voting_windows.c
        query = select(voting_windows).where(
            or_(
                and_(c.status == WindowStatus.OPEN.value, c.closes_at <= now),
                and_(c.status == WindowStatus.AUDIT.value, c.audit_ends_at <= now),
            )
        )
        if skip:
            query = query.where(c.id.not_in(list(skip)))
        if only is not None:
            query = query.where(c.submission_id.in_(list(only)))
        row = (
            await self._session.execute(
                query.order_by(c.closes_at).limit(1).with_for_update(skip_locked=True)
            )
        ).first()
        return _window(row) if row is not None else None
