"""Tables of beta tests (on `parovoz_developer_portal.tables.metadata`) and their queries.

The cap holds under concurrency because every join and leave of a test first locks the test's
row (``test_for_update``) and keeps its ``participant_count`` in it: joins of one test queue on
that lock, each sees the count the one before it left.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    and_,
    func,
    insert,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_developer_portal.beta.domain import (
    BetaStatus,
    BetaTest,
    Feedback,
    InviteCode,
    Participation,
    Position,
    RatingSummary,
)
from parovoz_developer_portal.tables import metadata

#: Column sizes = the request schema's bounds.
TITLE_COLUMN = 255
CODE_COLUMN = 32

beta_tests = Table(
    "beta_tests",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("developer_id", ForeignKey("developer_accounts.id"), nullable=False),
    Column("game_id", ForeignKey("games.id"), nullable=False),
    Column("version_id", ForeignKey("game_versions.id"), nullable=False),
    Column("title", String(TITLE_COLUMN), nullable=False),
    Column("description", Text, nullable=False),
    Column("max_participants", Integer, nullable=False),
    Column("participant_count", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("ends_at", DateTime(timezone=True), nullable=False),
    Column("created_by_user_id", UUID(as_uuid=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=True),
    Column("ended_at", DateTime(timezone=True), nullable=True),
    Column("cancelled_at", DateTime(timezone=True), nullable=True),
    CheckConstraint("participant_count >= 0 AND participant_count <= max_participants", name="cap"),
    Index("ix_beta_tests_game_created", "game_id", "created_at"),
)

beta_invite_codes = Table(
    "beta_invite_codes",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("beta_test_id", ForeignKey("beta_tests.id"), nullable=False, index=True),
    Column("code", String(CODE_COLUMN), nullable=False, unique=True),
    Column("max_uses", Integer, nullable=True),
    Column("uses", Integer, nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=True),
    Column("created_by_user_id", UUID(as_uuid=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)

beta_participants = Table(
    "beta_participants",
    metadata,
    Column("beta_test_id", ForeignKey("beta_tests.id"), nullable=False),
    Column("user_id", UUID(as_uuid=True), nullable=False),
    Column("code_id", ForeignKey("beta_invite_codes.id"), nullable=False),
    Column("joined_at", DateTime(timezone=True), nullable=False),
    Column("left_at", DateTime(timezone=True), nullable=True),
    PrimaryKeyConstraint("beta_test_id", "user_id"),
    # GET /beta/mine; the participants' pages (keyset on joined_at, user_id).
    Index("ix_beta_participants_user_id", "user_id"),
    Index("ix_beta_participants_test_joined", "beta_test_id", "joined_at", "user_id"),
)

beta_feedback = Table(
    "beta_feedback",
    metadata,
    Column("beta_test_id", ForeignKey("beta_tests.id"), nullable=False),
    Column("user_id", UUID(as_uuid=True), nullable=False),
    Column("rating", SmallInteger, nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("beta_test_id", "user_id"),
    CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),
    Index("ix_beta_feedback_test_created", "beta_test_id", "created_at", "user_id"),
)

_TEST_COLUMNS = tuple(column.name for column in beta_tests.columns)
_CODE_COLUMNS = tuple(column.name for column in beta_invite_codes.columns)
_PARTICIPANT_COLUMNS = tuple(column.name for column in beta_participants.columns)
_FEEDBACK_COLUMNS = tuple(column.name for column in beta_feedback.columns)


def _test(row: Any) -> BetaTest:
    values = {name: getattr(row, name) for name in _TEST_COLUMNS}
    values["status"] = BetaStatus(values["status"])
    return BetaTest(**values)


def _code(row: Any) -> InviteCode:
    return InviteCode(**{name: getattr(row, name) for name in _CODE_COLUMNS})


def _participation(row: Any) -> Participation:
    return Participation(**{name: getattr(row, name) for name in _PARTICIPANT_COLUMNS})


def _feedback(row: Any) -> Feedback:
    return Feedback(**{name: getattr(row, name) for name in _FEEDBACK_COLUMNS})


def _values(item: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(item, name) for name in names}


class SqlBetaTests:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # --- tests --------------------------------------------------------------------------------
    async def add(self, test: BetaTest) -> None:
        values = _values(test, _TEST_COLUMNS)
        values["status"] = test.status.value
        await self._session.execute(insert(beta_tests).values(values))

    async def test(self, beta_id: uuid.UUID) -> BetaTest | None:
        row = (
            await self._session.execute(select(beta_tests).where(beta_tests.c.id == beta_id))
        ).first()
        return _test(row) if row else None

    async def test_for_update(self, beta_id: uuid.UUID) -> BetaTest | None:
        """The test, its row locked until commit (joins, leaves and changes queue on it)."""
        row = (
            await self._session.execute(
                select(beta_tests).where(beta_tests.c.id == beta_id).with_for_update()
            )
        ).first()
        return _test(row) if row else None

    async def tests_of_game(self, game_id: uuid.UUID) -> list[BetaTest]:
        rows = await self._session.execute(
            select(beta_tests)
            .where(beta_tests.c.game_id == game_id)
            .order_by(beta_tests.c.created_at.desc(), beta_tests.c.id)
        )
        return [_test(row) for row in rows]

    async def save(self, test: BetaTest) -> None:
        values = _values(test, _TEST_COLUMNS)
        values["status"] = test.status.value
        for fixed in ("id", "developer_id", "game_id", "version_id", "created_by_user_id"):
            values.pop(fixed)
        await self._session.execute(
            update(beta_tests).where(beta_tests.c.id == test.id).values(values)
        )

    # --- codes --------------------------------------------------------------------------------
    async def add_code(self, code: InviteCode) -> None:
        await self._session.execute(insert(beta_invite_codes).values(_values(code, _CODE_COLUMNS)))

    async def code(self, code_id: uuid.UUID) -> InviteCode | None:
        row = (
            await self._session.execute(
                select(beta_invite_codes).where(beta_invite_codes.c.id == code_id)
            )
        ).first()
        return _code(row) if row else None

    async def code_by_text(self, text: str) -> InviteCode | None:
        row = (
            await self._session.execute(
                select(beta_invite_codes).where(beta_invite_codes.c.code == text)
            )
        ).first()
        return _code(row) if row else None

    async def code_for_update(self, code_id: uuid.UUID) -> InviteCode | None:
        row = (
            await self._session.execute(
                select(beta_invite_codes).where(beta_invite_codes.c.id == code_id).with_for_update()
            )
        ).first()
        return _code(row) if row else None

    async def codes_of_test(self, beta_id: uuid.UUID) -> list[InviteCode]:
        rows = await self._session.execute(
            select(beta_invite_codes)
            .where(beta_invite_codes.c.beta_test_id == beta_id)
            .order_by(beta_invite_codes.c.created_at.desc(), beta_invite_codes.c.id)
        )
        return [_code(row) for row in rows]

    async def count_active_codes(self, beta_id: uuid.UUID, now: datetime) -> int:
        codes = beta_invite_codes.c
        query = (
            select(func.count())
            .select_from(beta_invite_codes)
            .where(
                codes.beta_test_id == beta_id,
                codes.revoked_at.is_(None),
                or_(codes.expires_at.is_(None), codes.expires_at > now),
                or_(codes.max_uses.is_(None), codes.uses < codes.max_uses),
            )
        )
        return int((await self._session.execute(query)).scalar_one())

    async def save_code(self, code: InviteCode) -> None:
        await self._session.execute(
            update(beta_invite_codes)
            .where(beta_invite_codes.c.id == code.id)
            .values(uses=code.uses, revoked_at=code.revoked_at)
        )

    # --- participants -------------------------------------------------------------------------
    async def participation(self, beta_id: uuid.UUID, user_id: uuid.UUID) -> Participation | None:
        row = (
            await self._session.execute(
                select(beta_participants).where(
                    beta_participants.c.beta_test_id == beta_id,
                    beta_participants.c.user_id == user_id,
                )
            )
        ).first()
        return _participation(row) if row else None

    async def save_participation(self, participation: Participation) -> None:
        """Insert, or (a player rejoining after leaving) replace the row."""
        values = _values(participation, _PARTICIPANT_COLUMNS)
        statement = pg_insert(beta_participants).values(values)
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=["beta_test_id", "user_id"],
                set_={
                    "code_id": statement.excluded.code_id,
                    "joined_at": statement.excluded.joined_at,
                    "left_at": statement.excluded.left_at,
                },
            )
        )

    async def participants_page(
        self, beta_id: uuid.UUID, after: Position | None, limit: int
    ) -> list[Participation]:
        """Active participants, first joined first."""
        table = beta_participants.c
        query = select(beta_participants).where(
            table.beta_test_id == beta_id, table.left_at.is_(None)
        )
        if after is not None:
            query = query.where(
                tuple_(table.joined_at, table.user_id) > tuple_(after.at, after.user_id)
            )
        rows = await self._session.execute(
            query.order_by(table.joined_at, table.user_id).limit(limit)
        )
        return [_participation(row) for row in rows]

    async def tests_of_player(self, user_id: uuid.UUID) -> list[tuple[BetaTest, Participation]]:
        """The tests the player is in (not left), last joined first."""
        rows = await self._session.execute(
            select(beta_tests, beta_participants)
            .join(beta_participants, beta_participants.c.beta_test_id == beta_tests.c.id)
            .where(beta_participants.c.user_id == user_id, beta_participants.c.left_at.is_(None))
            .order_by(beta_participants.c.joined_at.desc(), beta_tests.c.id)
        )
        return [(_test(row), _participation(row)) for row in rows]

    # --- feedback -----------------------------------------------------------------------------
    async def feedback_of(self, beta_id: uuid.UUID, user_id: uuid.UUID) -> Feedback | None:
        row = (
            await self._session.execute(
                select(beta_feedback).where(
                    beta_feedback.c.beta_test_id == beta_id, beta_feedback.c.user_id == user_id
                )
            )
        ).first()
        return _feedback(row) if row else None

    async def save_feedback(self, feedback: Feedback) -> None:
        values = _values(feedback, _FEEDBACK_COLUMNS)
        statement = pg_insert(beta_feedback).values(values)
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=["beta_test_id", "user_id"],
                set_={
                    "rating": statement.excluded.rating,
                    "text": statement.excluded.text,
                    "updated_at": statement.excluded.updated_at,
                },
            )
        )

    async def feedback_page(
        self, beta_id: uuid.UUID, after: Position | None, limit: int
    ) -> list[Feedback]:
        """Feedback, first given first."""
        table = beta_feedback.c
        query = select(beta_feedback).where(table.beta_test_id == beta_id)
        if after is not None:
            query = query.where(
                tuple_(table.created_at, table.user_id) > tuple_(after.at, after.user_id)
            )
        rows = await self._session.execute(
            query.order_by(table.created_at, table.user_id).limit(limit)
        )
        return [_feedback(row) for row in rows]

    async def rating_summary(self, beta_id: uuid.UUID) -> RatingSummary:
        row = (
            await self._session.execute(
                select(func.count(), func.coalesce(func.sum(beta_feedback.c.rating), 0)).where(
                    and_(beta_feedback.c.beta_test_id == beta_id)
                )
            )
        ).one()
        return RatingSummary(count=int(row[0]), total=int(row[1]))
