"""media: this context's table (``game_media``) and its queries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    bindparam,
    delete,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_developer_portal.media.domain import Media, MediaStatus, MediaType
from parovoz_developer_portal.tables import metadata

#: Column sizes, the bounds of the request schema's fields (api.py).
LANGUAGE_CODE_COLUMN = 16
FILE_NAME_COLUMN = 255
CONTENT_TYPE_COLUMN = 100
OBJECT_KEY_COLUMN = 1024

game_media = Table(
    "game_media",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("game_id", ForeignKey("games.id"), nullable=False),
    Column("developer_id", ForeignKey("developer_accounts.id"), nullable=False),
    Column("media_type", String(16), nullable=False),
    Column("language_code", String(LANGUAGE_CODE_COLUMN), nullable=False),
    Column("file_name", String(FILE_NAME_COLUMN), nullable=False),
    Column("content_type", String(CONTENT_TYPE_COLUMN), nullable=False),
    Column("file_size_bytes", BigInteger, nullable=False),
    Column("object_key", String(OBJECT_KEY_COLUMN), nullable=False),
    Column("status", String(16), nullable=False),
    Column("position", Integer, nullable=True),
    Column("rejection_code", String(64), nullable=True),
    Column("rejection_reason", Text, nullable=True),
    Column("rejection_reason_ru", Text, nullable=True),
    Column("created_by_user_id", UUID(as_uuid=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("completed_at", DateTime(timezone=True), nullable=True),
    CheckConstraint("media_type IN ('screenshot', 'trailer', 'capsule')", name="media_type_known"),
    CheckConstraint("status IN ('pending_upload', 'ready', 'rejected')", name="status_known"),
    # Ready media, and only they, have a place in their list.
    CheckConstraint("(status = 'ready') = (position IS NOT NULL)", name="position_when_ready"),
    CheckConstraint("file_size_bytes > 0", name="file_size_positive"),
    # One media a place; checked at commit, so a reorder may pass through duplicates.
    UniqueConstraint(
        "game_id",
        "language_code",
        "media_type",
        "position",
        name="uq_game_media_list_position",
        deferrable=True,
        initially="DEFERRED",
    ),
    Index("ix_game_media_game_id_status", "game_id", "status"),
    # The expiry job's scan: only the few media still awaiting their upload.
    Index(
        "ix_game_media_pending_created_at",
        "created_at",
        postgresql_where=text("status = 'pending_upload'"),
    ),
)

_FIELDS = (
    "id",
    "game_id",
    "developer_id",
    "language_code",
    "file_name",
    "content_type",
    "file_size_bytes",
    "object_key",
    "position",
    "rejection_code",
    "rejection_reason",
    "rejection_reason_ru",
    "created_by_user_id",
    "created_at",
    "updated_at",
    "completed_at",
)


def _values(media: Media) -> dict[str, Any]:
    values = {name: getattr(media, name) for name in _FIELDS}
    values["media_type"] = media.media_type.value
    values["status"] = media.status.value
    return values


def _media(row: Any) -> Media:
    return Media(
        **{name: getattr(row, name) for name in _FIELDS},
        media_type=MediaType(row.media_type),
        status=MediaStatus(row.status),
    )


def _list_order(status: MediaStatus) -> tuple[Any, ...]:
    last = game_media.c.position if status is MediaStatus.READY else game_media.c.created_at
    return (game_media.c.language_code, game_media.c.media_type, last, game_media.c.id)


class SqlMedia:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, media: Media) -> None:
        await self._session.execute(insert(game_media).values(_values(media)))

    async def get(self, game_id: uuid.UUID, media_id: uuid.UUID) -> Media | None:
        row = (
            await self._session.execute(
                select(game_media).where(
                    game_media.c.id == media_id, game_media.c.game_id == game_id
                )
            )
        ).first()
        return _media(row) if row else None

    async def lock_list(
        self, game_id: uuid.UUID, language_code: str, media_type: MediaType
    ) -> None:
        key = f"game_media:{game_id}:{language_code}:{media_type.value}"
        await self._session.execute(
            select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0)))
        )

    async def ready_list(
        self, game_id: uuid.UUID, language_code: str, media_type: MediaType
    ) -> list[Media]:
        return await self.listed(game_id, MediaStatus.READY, language_code, media_type)

    async def listed(
        self,
        game_id: uuid.UUID,
        status: MediaStatus,
        language_code: str | None,
        media_type: MediaType | None,
    ) -> list[Media]:
        query = select(game_media).where(
            game_media.c.game_id == game_id, game_media.c.status == status.value
        )
        if language_code is not None:
            query = query.where(game_media.c.language_code == language_code)
        if media_type is not None:
            query = query.where(game_media.c.media_type == media_type.value)
        rows = (await self._session.execute(query.order_by(*_list_order(status)))).all()
        return [_media(row) for row in rows]

    async def abandoned(self, asked_before: datetime, limit: int) -> list[Media]:
        rows = (
            await self._session.execute(
                select(game_media)
                .where(
                    game_media.c.status == MediaStatus.PENDING_UPLOAD.value,
                    game_media.c.created_at < asked_before,
                )
                .order_by(game_media.c.created_at, game_media.c.id)
                .limit(limit)
            )
        ).all()
        return [_media(row) for row in rows]

    async def save(self, media: Media) -> None:
        values = _values(media)
        await self._session.execute(
            update(game_media).where(game_media.c.id == media.id).values(values)
        )

    async def save_positions(self, moved: Sequence[Media]) -> None:
        if not moved:
            return
        await self._session.execute(
            update(game_media)
            .where(game_media.c.id == bindparam("media_id"))
            .values(position=bindparam("new_position"), updated_at=bindparam("moved_at")),
            [
                {"media_id": media.id, "new_position": media.position, "moved_at": media.updated_at}
                for media in moved
            ],
        )

    async def remove(self, media_id: uuid.UUID) -> None:
        await self._session.execute(delete(game_media).where(game_media.c.id == media_id))

    async def count_ready(self, game_id: uuid.UUID, media_type: MediaType) -> int:
        count = await self._session.scalar(
            select(func.count())
            .select_from(game_media)
            .where(
                game_media.c.game_id == game_id,
                game_media.c.media_type == media_type.value,
                game_media.c.status == MediaStatus.READY.value,
            )
        )
        return int(count or 0)
