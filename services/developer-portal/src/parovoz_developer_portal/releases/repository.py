"""releases: the history of a game's live versions (publications and rollbacks) and its
queries."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    String,
    Table,
    insert,
    select,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_developer_portal.releases.domain import Release, ReleaseKind
from parovoz_developer_portal.review.repository import lock_game_steps
from parovoz_developer_portal.tables import metadata

#: The longest rollback reason a developer may write (the request's bound).
REASON_COLUMN = 1000

#: Each change of a game's live version, never updated.
game_releases = Table(
    "game_releases",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("game_id", ForeignKey("games.id"), nullable=False),
    Column("developer_id", UUID(as_uuid=True), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("from_version_id", UUID(as_uuid=True), nullable=True),
    Column("to_version_id", UUID(as_uuid=True), nullable=False),
    Column("by_user_id", UUID(as_uuid=True), nullable=False),
    Column("api_key_id", UUID(as_uuid=True), nullable=True),
    Column("reason", String(REASON_COLUMN), nullable=True),
    Column("released_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("kind IN ('publication', 'rollback')", name="kind_known"),
    CheckConstraint(
        "kind = 'publication' OR from_version_id IS NOT NULL", name="rollback_has_from"
    ),
    Index("ix_game_releases_game_id", "game_id", "released_at"),
)


def _release(row: Any) -> Release:
    return Release(
        id=row.id,
        game_id=row.game_id,
        developer_id=row.developer_id,
        kind=ReleaseKind(row.kind),
        from_version_id=row.from_version_id,
        to_version_id=row.to_version_id,
        by_user_id=row.by_user_id,
        released_at=row.released_at,
        api_key_id=row.api_key_id,
        reason=row.reason,
    )


class SqlReleases:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def lock_game(self, game_id: uuid.UUID) -> None:
        await lock_game_steps(self._session, game_id)

    async def add(self, release: Release) -> None:
        await self._session.execute(
            insert(game_releases).values({**release.__dict__, "kind": release.kind.value})
        )

    async def of_game(self, game_id: uuid.UUID) -> list[Release]:
        """The game's releases, oldest first."""
        rows = await self._session.execute(
            select(game_releases)
            .where(game_releases.c.game_id == game_id)
            .order_by(game_releases.c.released_at, game_releases.c.id)
        )
        return [_release(row) for row in rows]
