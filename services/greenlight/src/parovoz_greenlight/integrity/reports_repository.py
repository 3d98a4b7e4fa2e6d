"""Manipulation reports (one per submission's voting window, written by the audit): table
``manipulation_reports`` on ``parovoz_greenlight.tables.metadata`` and its queries."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Column, DateTime, Index, Integer, Table, select
from sqlalchemy.dialects.postgresql import ARRAY, UUID, insert
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_greenlight.integrity.domain import ManipulationReport
from parovoz_greenlight.tables import metadata

manipulation_reports = Table(
    "manipulation_reports",
    metadata,
    Column("window_id", UUID(as_uuid=True), primary_key=True),
    Column("submission_id", UUID(as_uuid=True), nullable=False),
    Column("votes_examined", Integer, nullable=False),
    Column("rate_limit_votes", Integer, nullable=False),
    Column("burst_votes", Integer, nullable=False),
    Column("lockstep_votes", Integer, nullable=False),
    Column("flagged_vote_ids", ARRAY(UUID(as_uuid=True)), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
Index("ix_manipulation_reports_submission_id", manipulation_reports.c.submission_id)


def _report(row: Any) -> ManipulationReport:
    return ManipulationReport(
        window_id=row.window_id,
        submission_id=row.submission_id,
        votes_examined=row.votes_examined,
        rate_limit_votes=row.rate_limit_votes,
        burst_votes=row.burst_votes,
        lockstep_votes=row.lockstep_votes,
        flagged_vote_ids=tuple(row.flagged_vote_ids),
        created_at=row.created_at,
    )


class SqlReports:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def put(self, report: ManipulationReport) -> None:
        """The window's report (a rerun of the audit replaces it)."""
        values = {
            "window_id": report.window_id,
            "submission_id": report.submission_id,
            "votes_examined": report.votes_examined,
            "rate_limit_votes": report.rate_limit_votes,
            "burst_votes": report.burst_votes,
            "lockstep_votes": report.lockstep_votes,
            "flagged_vote_ids": list(report.flagged_vote_ids),
            "created_at": report.created_at,
        }
        statement = insert(manipulation_reports).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=[manipulation_reports.c.window_id],
            set_={k: v for k, v in values.items() if k != "window_id"},
        )
        await self._session.execute(statement)

    async def of_submission(self, submission_id: uuid.UUID) -> list[ManipulationReport]:
        """The submission's reports, the latest first."""
        query = (
            select(manipulation_reports)
            .where(manipulation_reports.c.submission_id == submission_id)
            .order_by(manipulation_reports.c.created_at.desc())
        )
        return [_report(row) for row in await self._session.execute(query)]
