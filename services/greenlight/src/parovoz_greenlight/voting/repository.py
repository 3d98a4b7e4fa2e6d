"""Votes and their category scores (tables on
`parovoz_greenlight.tables.metadata`, and their queries).

One row per vote: the five category scores are columns (1-5, checked), the weight is in
tenths (10, 15; 0 when flagged). One vote per user per submission and window (a unique
constraint: a second insert of the same user is refused by PostgreSQL, not only by a read).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
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
    bindparam,
    func,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import UUID, insert
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_greenlight.results.domain import Window, WindowStatus
from parovoz_greenlight.results.repository import voting_windows
from parovoz_greenlight.submissions.domain import Submission
from parovoz_greenlight.submissions.repository import submission_of_row, submissions
from parovoz_greenlight.tables import metadata
from parovoz_greenlight.voting.domain import COUNTERS, Category, Vote, VoteChoice, WindowCounts

COMMENT_COLUMN = 2000
FINGERPRINT_COLUMN = 200
FLAG_REASON_COLUMN = 200

_SCORE_COLUMNS = {category: f"score_{category.value}" for category in Category}

votes = Table(
    "votes",
    metadata,
    Column("id", UUID(as_uuid=True), nullable=False),
    Column("submission_id", UUID(as_uuid=True), nullable=False),
    Column("window_id", UUID(as_uuid=True), nullable=False),
    Column("user_id", UUID(as_uuid=True), nullable=False),
    Column("choice", String(8), nullable=False),
    *(Column(name, SmallInteger, nullable=False) for name in _SCORE_COLUMNS.values()),
    Column("comment", String(COMMENT_COLUMN), nullable=True),
    Column("played_demo", Boolean, nullable=False),
    Column("would_recommend", Boolean, nullable=False),
    Column("weight", SmallInteger, nullable=False),
    Column("flagged_reason", String(FLAG_REASON_COLUMN), nullable=True),
    Column("device_fingerprint", String(FINGERPRINT_COLUMN), nullable=True),
    Column("ip_prefix", String(18), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("id"),
    UniqueConstraint("submission_id", "window_id", "user_id", name="uq_votes_one_per_user"),
    CheckConstraint("choice IN ('yes', 'no', 'abstain')", name="choice_known"),
    *(
        CheckConstraint(f"{name} BETWEEN 1 AND 5", name=f"{name}_range")
        for name in _SCORE_COLUMNS.values()
    ),
    CheckConstraint("weight >= 0", name="weight_not_negative"),
    CheckConstraint("flagged_reason IS NULL OR weight = 0", name="flagged_weighs_nothing"),
)
Index("ix_votes_window_id", votes.c.window_id)
Index("ix_votes_user_id_created_at", votes.c.user_id, votes.c.created_at, votes.c.id)


def _vote(row: Any) -> Vote:
    return Vote(
        id=row.id,
        submission_id=row.submission_id,
        window_id=row.window_id,
        user_id=row.user_id,
        choice=VoteChoice(row.choice),
        scores={category: getattr(row, name) for category, name in _SCORE_COLUMNS.items()},
        comment=row.comment,
        played_demo=row.played_demo,
        would_recommend=row.would_recommend,
        weight=row.weight,
        flagged_reason=row.flagged_reason,
        device_fingerprint=row.device_fingerprint,
        ip_prefix=row.ip_prefix,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _values(vote: Vote) -> dict[str, Any]:
    values: dict[str, Any] = {
        "id": vote.id,
        "submission_id": vote.submission_id,
        "window_id": vote.window_id,
        "user_id": vote.user_id,
        "choice": vote.choice.value,
        "comment": vote.comment,
        "played_demo": vote.played_demo,
        "would_recommend": vote.would_recommend,
        "weight": vote.weight,
        "flagged_reason": vote.flagged_reason,
        "device_fingerprint": vote.device_fingerprint,
        "ip_prefix": vote.ip_prefix,
        "created_at": vote.created_at,
        "updated_at": vote.updated_at,
    }
    for category, name in _SCORE_COLUMNS.items():
        values[name] = vote.scores[category]
    return values


#: The submission's latest window (results' table, read-only here), one row or none, its
#: columns prefixed ``w_`` so they stand beside the submission's.
_latest_window = (
    select(
        voting_windows.c.id.label("w_id"),
        voting_windows.c.number.label("w_number"),
        voting_windows.c.opens_at.label("w_opens_at"),
        voting_windows.c.closes_at.label("w_closes_at"),
        voting_windows.c.status.label("w_status"),
    )
    .where(voting_windows.c.submission_id == submissions.c.id)
    .order_by(voting_windows.c.number.desc())
    .limit(1)
    .lateral("latest_window")
)


# The vote path's statements, built once: only their parameters change per request, so neither
# building them nor their cache key costs a vote anything.
_SUBMISSION_AND_WINDOW = (
    select(submissions, _latest_window)
    .select_from(submissions.outerjoin(_latest_window, true()))
    .where(submissions.c.id == bindparam("submission_id"))
)
_ADD = (
    insert(votes).on_conflict_do_nothing(constraint="uq_votes_one_per_user").returning(votes.c.id)
)
#: The user's transaction-scoped advisory lock of the hourly limit (same key text as ever).
_RATE_LOCK_KEY = func.hashtextextended(
    func.concat("greenlight.votes.rate:", bindparam("user_id", type_=String)), 0
)
_SUBMISSION_AND_WINDOW_LOCKED = _SUBMISSION_AND_WINDOW.add_columns(
    func.pg_advisory_xact_lock(_RATE_LOCK_KEY).label("rate_locked")
)
_CAST_TIMES = (
    select(votes.c.created_at)
    .where(
        votes.c.user_id == bindparam("user_id"),
        votes.c.created_at > bindparam("since"),
        votes.c.created_at <= bindparam("until"),
    )
    .order_by(votes.c.created_at.desc())
    .limit(bindparam("limit"))
)


class SqlVotes:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def submission_and_window(
        self, submission_id: uuid.UUID, *, rate_lock_of: uuid.UUID | None = None
    ) -> tuple[Submission, Window | None] | None:
        """The submission and its latest voting window (None: no window yet), in ONE query
        (a lateral join on ``uq_voting_windows_submission_id_number``); None: no submission.
        The window carries what deciding on a vote needs (id, number, opening, closing,
        status), not its final tally. ``rate_lock_of``: the same statement takes that user's
        transaction-scoped advisory lock of the hourly limit (see ``cast_times_of``)."""
        if rate_lock_of is None:
            answer = await self._session.execute(
                _SUBMISSION_AND_WINDOW, {"submission_id": submission_id}
            )
        else:  # the same statement takes the user's rate lock (one round trip less)
            answer = await self._session.execute(
                _SUBMISSION_AND_WINDOW_LOCKED,
                {"submission_id": submission_id, "user_id": str(rate_lock_of)},
            )
        row = answer.first()
        if row is None:
            return None
        window = None
        if row.w_id is not None:
            window = Window(
                id=row.w_id,
                submission_id=submission_id,
                number=row.w_number,
                opens_at=row.w_opens_at,
                closes_at=row.w_closes_at,
                status=WindowStatus(row.w_status),
            )
        return submission_of_row(row), window

    async def add(self, vote: Vote) -> bool:
        """Insert ``vote``; False when the user already voted on the submission in the window."""
        return (await self._session.execute(_ADD, _values(vote))).first() is not None

    async def save(self, vote: Vote) -> None:
        values = _values(vote)
        for fixed in ("id", "submission_id", "window_id", "user_id", "created_at"):
            del values[fixed]
        await self._session.execute(update(votes).where(votes.c.id == vote.id).values(values))

    async def mine(
        self,
        submission_id: uuid.UUID,
        window_id: uuid.UUID,
        user_id: uuid.UUID,
        *,
        for_update: bool = False,
    ) -> Vote | None:
        query = select(votes).where(
            votes.c.submission_id == submission_id,
            votes.c.window_id == window_id,
            votes.c.user_id == user_id,
        )
        if for_update:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        return None if row is None else _vote(row)

    async def latest_of(self, submission_id: uuid.UUID, user_id: uuid.UUID) -> Vote | None:
        """The user's vote on the submission in its latest window they voted in."""
        query = (
            select(votes)
            .where(votes.c.submission_id == submission_id, votes.c.user_id == user_id)
            .order_by(votes.c.created_at.desc(), votes.c.id.desc())
            .limit(1)
        )
        row = (await self._session.execute(query)).first()
        return None if row is None else _vote(row)

    async def latest_window_id(self, submission_id: uuid.UUID) -> uuid.UUID | None:
        query = (
            select(votes.c.window_id)
            .where(votes.c.submission_id == submission_id)
            .order_by(votes.c.created_at.desc())
            .limit(1)
        )
        found: uuid.UUID | None = (await self._session.execute(query)).scalar()
        return found

    async def of_window(self, submission_id: uuid.UUID, window_id: uuid.UUID) -> list[Vote]:
        query = (
            select(votes)
            .where(votes.c.submission_id == submission_id, votes.c.window_id == window_id)
            .order_by(votes.c.created_at, votes.c.id)
        )
        return [_vote(row) for row in await self._session.execute(query)]

    async def counts(self, submission_id: uuid.UUID, window_id: uuid.UUID) -> WindowCounts:
        valid = votes.c.weight > 0
        query = select(
            func.count().filter(valid).label("valid_votes"),
            func.count().filter(votes.c.weight <= 0).label("removed_votes"),
            func.coalesce(
                func.sum(votes.c.weight).filter(valid, votes.c.choice == VoteChoice.YES.value), 0
            ).label("weighted_yes"),
            func.coalesce(
                func.sum(votes.c.weight).filter(valid, votes.c.choice == VoteChoice.NO.value), 0
            ).label("weighted_no"),
        ).where(votes.c.submission_id == submission_id, votes.c.window_id == window_id)
        row = (await self._session.execute(query)).one()
        return WindowCounts(
            valid_votes=int(row.valid_votes),
            removed_votes=int(row.removed_votes),
            weighted_yes=int(row.weighted_yes),
            weighted_no=int(row.weighted_no),
        )

    async def tally(self, submission_id: uuid.UUID, window_id: uuid.UUID) -> Mapping[str, int]:
        """The window's live counters, counted by PostgreSQL."""
        sums: dict[str, Any] = {}
        for choice in VoteChoice:
            picked = votes.c.choice == choice.value
            sums[choice.value] = func.count().filter(picked)
            sums[f"weighted_{choice.value}"] = func.coalesce(
                func.sum(votes.c.weight).filter(picked), 0
            )
        sums["scored"] = func.count()
        for name in _SCORE_COLUMNS.values():
            sums[name] = func.coalesce(func.sum(votes.c[name]), 0)
        query = select(*(value.label(name) for name, value in sums.items())).where(
            votes.c.submission_id == submission_id, votes.c.window_id == window_id
        )
        row = (await self._session.execute(query)).one()
        return {name: int(getattr(row, name)) for name in COUNTERS}

    async def of_user(
        self, user_id: uuid.UUID, after: tuple[datetime, uuid.UUID] | None, limit: int
    ) -> Sequence[Vote]:
        """The user's votes, newest first, after the cursor ``(created_at, id)``."""
        query = select(votes).where(votes.c.user_id == user_id)
        if after is not None:
            at, vote_id = after
            query = query.where(
                or_(votes.c.created_at < at, and_(votes.c.created_at == at, votes.c.id < vote_id))
            )
        query = query.order_by(votes.c.created_at.desc(), votes.c.id.desc()).limit(limit)
        return [_vote(row) for row in await self._session.execute(query)]

    async def cast_times_of(
        self, user_id: uuid.UUID, since: datetime, until: datetime, limit: int
    ) -> Sequence[datetime]:
        """When the user cast their votes in ``(since, until]``, newest first, at most ``limit``
        (index ``ix_votes_user_id_created_at``). The caller holds the user's advisory lock of
        the hourly limit, taken by an EARLIER statement of this transaction
        (``submission_and_window(..., rate_lock_of=user_id)``; not by this one: its snapshot
        would predate the wait), so a user's concurrent new votes are counted one after the
        other."""
        answer = await self._session.execute(
            _CAST_TIMES, {"user_id": user_id, "since": since, "until": until, "limit": limit}
        )
        return list(answer.scalars())

    async def flag(self, vote_ids: Collection[uuid.UUID], reason: str) -> int:
        """Weight 0 and the reason for the votes not flagged yet; how many changed."""
        if not vote_ids:
            return 0
        statement = (
            update(votes)
            .where(votes.c.id.in_(list(vote_ids)), votes.c.flagged_reason.is_(None))
            .values(weight=0, flagged_reason=reason[:FLAG_REASON_COLUMN])
        )
        result: Any = await self._session.execute(statement)
        return int(result.rowcount)
