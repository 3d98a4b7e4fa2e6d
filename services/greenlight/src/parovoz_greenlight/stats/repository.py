"""Read-only queries over the other contexts' tables that statistics are computed from:
``submissions`` (submissions), ``voting_windows`` (results), ``votes`` (voting). Every figure is
counted by PostgreSQL in one statement a table; nothing is written.

A vote is valid when its weight is above 0 (results' rule: flagged votes weigh 0)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Date, and_, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_greenlight.results.domain import Outcome, WindowStatus
from parovoz_greenlight.results.repository import voting_windows
from parovoz_greenlight.stats.domain import (
    DayCount,
    SystemFigures,
    WindowFigures,
    WindowSpan,
)
from parovoz_greenlight.submissions.domain import SubmissionStatus
from parovoz_greenlight.submissions.repository import submissions
from parovoz_greenlight.voting.domain import Category, VoteChoice
from parovoz_greenlight.voting.repository import votes

_SCORES = [votes.c[f"score_{category.value}"] for category in Category]
#: Outcomes decided by a vote (a withdrawn submission's window announces nothing).
_DECIDED = [
    Outcome.APPROVED.value,
    Outcome.NOT_ENOUGH_VOTES.value,
    Outcome.APPROVAL_BELOW_THRESHOLD.value,
]


def _count(condition: Any) -> Any:
    return func.count().filter(condition)


def _sum(value: Any, condition: Any) -> Any:
    return func.coalesce(func.sum(value).filter(condition), 0)


class SqlStats:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def system_figures(
        self, starts_at: datetime, ends_at: datetime, now: datetime
    ) -> SystemFigures:
        created = (
            await self._session.execute(
                select(func.count())
                .select_from(submissions)
                .where(submissions.c.created_at >= starts_at, submissions.c.created_at < ends_at)
            )
        ).scalar_one()

        w = voting_windows.c
        # A submission withdrawn while voting keeps its window open until the closing job
        # finalizes it as withdrawn: neither active nor completed.
        active = and_(
            w.status == WindowStatus.OPEN.value,
            w.opens_at <= now,
            w.closes_at > now,
            submissions.c.status == SubmissionStatus.ACTIVE_VOTING.value,
        )
        completed = and_(
            w.closes_at >= starts_at,
            w.closes_at < ends_at,
            w.closes_at <= now,
            func.coalesce(w.outcome, "") != Outcome.WITHDRAWN.value,
            submissions.c.status != SubmissionStatus.WITHDRAWN.value,
        )
        decided = and_(
            w.status == WindowStatus.FINAL.value,
            w.finalized_at >= starts_at,
            w.finalized_at < ends_at,
            w.outcome.in_(_DECIDED),
        )
        seconds = cast(func.floor(func.extract("epoch", w.closes_at - w.opens_at)), BigInteger)
        windows = (
            await self._session.execute(
                select(
                    _count(active).label("active"),
                    _count(completed).label("completed"),
                    _sum(seconds, completed).label("completed_seconds"),
                    _count(decided).label("decided"),
                    _count(and_(decided, w.outcome == Outcome.APPROVED.value)).label("approved"),
                )
                .select_from(voting_windows.join(submissions, submissions.c.id == w.submission_id))
                .where(
                    # Only windows that may count: open now, closed or decided in the period.
                    (w.status == WindowStatus.OPEN.value)
                    | and_(w.closes_at >= starts_at, w.closes_at < ends_at)
                    | and_(w.finalized_at >= starts_at, w.finalized_at < ends_at)
                )
            )
        ).one()

        v = votes.c
        valid = v.weight > 0
        cast_votes = (
            await self._session.execute(
                select(
                    func.count().label("cast"),
                    func.count(func.distinct(v.user_id)).label("voters"),
                    _count(v.weight == 0).label("removed"),
                    _count(valid).label("valid"),
                    _sum(sum(_SCORES[1:], _SCORES[0]), valid).label("scores_sum"),
                ).where(v.created_at >= starts_at, v.created_at < ends_at)
            )
        ).one()
        return SystemFigures(
            submissions_created=int(created),
            active_votings=int(windows.active),
            completed_votings=int(windows.completed),
            completed_voting_seconds=int(windows.completed_seconds),
            decided_results=int(windows.decided),
            approved_results=int(windows.approved),
            votes_cast=int(cast_votes.cast),
            distinct_voters=int(cast_votes.voters),
            removed_votes=int(cast_votes.removed),
            scores_given=int(cast_votes.valid) * len(_SCORES),
            scores_sum=int(cast_votes.scores_sum),
        )

    async def latest_window(self, submission_id: uuid.UUID) -> WindowSpan | None:
        w = voting_windows.c
        row = (
            await self._session.execute(
                select(w.id, w.number, w.opens_at, w.closes_at, w.status)
                .where(w.submission_id == submission_id)
                .order_by(w.number.desc())
                .limit(1)
            )
        ).first()
        if row is None:
            return None
        return WindowSpan(
            id=row.id,
            number=row.number,
            opens_at=row.opens_at,
            closes_at=row.closes_at,
            status=row.status,
        )

    async def window_figures(self, window_id: uuid.UUID) -> WindowFigures:
        v = votes.c
        valid = v.weight > 0
        row = (
            await self._session.execute(
                select(
                    _count(valid).label("valid"),
                    _count(v.weight == 0).label("removed"),
                    _sum(v.weight, and_(valid, v.choice == VoteChoice.YES.value)).label("yes"),
                    _sum(v.weight, and_(valid, v.choice == VoteChoice.NO.value)).label("no"),
                    _count(and_(valid, v.played_demo)).label("played_demo"),
                    _count(and_(valid, v.would_recommend)).label("would_recommend"),
                    *(
                        _sum(column, valid).label(category.value)
                        for category, column in zip(Category, _SCORES, strict=True)
                    ),
                ).where(v.window_id == window_id)
            )
        ).one()
        return WindowFigures(
            valid_votes=int(row.valid),
            removed_votes=int(row.removed),
            weighted_yes=int(row.yes),
            weighted_no=int(row.no),
            scores_sum={category: int(getattr(row, category.value)) for category in Category},
            played_demo=int(row.played_demo),
            would_recommend=int(row.would_recommend),
        )

    async def day_counts(self, window_id: uuid.UUID) -> Sequence[DayCount]:
        v = votes.c
        day = cast(func.timezone("UTC", v.created_at), Date).label("day")
        valid = (v.weight > 0).label("valid")
        rows = await self._session.execute(
            select(day, v.choice, valid, func.count().label("votes"))
            .where(v.window_id == window_id)
            .group_by(day, v.choice, valid)
            .order_by(day)
        )
        return [
            DayCount(day=row.day, choice=VoteChoice(row.choice), valid=row.valid, votes=row.votes)
            for row in rows
        ]
