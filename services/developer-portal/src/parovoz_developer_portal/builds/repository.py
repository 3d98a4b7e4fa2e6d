"""builds: the tables of versions (seed 001 §4 ``game_versions``) and their build files, and
their queries."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from parovoz_kit.errors import Conflict
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_developer_portal.builds.domain import GameVersion, Platform, VersionStatus
from parovoz_developer_portal.builds.uploads import (
    BuildStatus,
    FailureReason,
    GameBuild,
    UploadType,
)
from parovoz_developer_portal.tables import metadata

#: Column sizes = the request schema's bounds (schemas.py).
VERSION_NAME_COLUMN = 50
FILE_NAME_COLUMN = 255
CONTENT_TYPE_COLUMN = 100
S3_PATH_COLUMN = 1024

#: Seed 001 §4: game_versions, plus who created it, when it changed, why it failed and the
#: platforms it targets. The seed's single-build columns (build_s3_path, ...) stay for its
#: readers; the builds themselves are game_builds rows, one per platform.
game_versions = Table(
    "game_versions",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("game_id", ForeignKey("games.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("developer_id", UUID(as_uuid=True), nullable=False),
    Column("version_name", String(VERSION_NAME_COLUMN), nullable=False),
    Column("status", String(50), nullable=False),
    Column("status_reason", Text, nullable=True),
    Column("changelog", JSONB, nullable=True),
    Column("platforms", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("build_s3_path", String(S3_PATH_COLUMN), nullable=True),
    Column("build_platform", String(50), nullable=True),
    Column("file_size_bytes", BigInteger, nullable=True),
    Column("file_hash_sha256", String(64), nullable=True),
    Column("uploaded_at", DateTime(timezone=True), nullable=True),
    Column("processed_at", DateTime(timezone=True), nullable=True),
    Column("created_by_user_id", UUID(as_uuid=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("game_id", "version_name", name="uq_game_versions_game_id_version_name"),
)

#: One row per uploaded (or abandoned) build file; at most one live (not aborted) per platform.
game_builds = Table(
    "game_builds",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column(
        "version_id",
        ForeignKey("game_versions.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("game_id", UUID(as_uuid=True), nullable=False),
    Column("developer_id", UUID(as_uuid=True), nullable=False),
    Column("platform", String(50), nullable=False),
    Column("file_name", String(FILE_NAME_COLUMN), nullable=False),
    Column("file_size_bytes", BigInteger, nullable=False),
    Column("content_type", String(CONTENT_TYPE_COLUMN), nullable=False),
    Column("s3_path", String(S3_PATH_COLUMN), nullable=False),
    Column("upload_type", String(16), nullable=False),
    Column("upload_id", String(1024), nullable=True),
    Column("part_size_bytes", BigInteger, nullable=True),
    Column("part_count", Integer, nullable=True),
    Column("status", String(16), nullable=False),
    Column("file_hash_sha256", String(64), nullable=True),
    Column("failure_reason", String(32), nullable=True),
    Column("failure_detail", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("completed_at", DateTime(timezone=True), nullable=True),
    Column("verified_at", DateTime(timezone=True), nullable=True),
    #: The verification worker's lease: who verifies it, until when.
    Column("leased_until", DateTime(timezone=True), nullable=True),
    Column("lease_holder", String(200), nullable=True),
    Index(
        "uq_game_builds_live_platform",
        "version_id",
        "platform",
        unique=True,
        postgresql_where=text("status <> 'aborted'"),
    ),
    Index(
        "ix_game_builds_processing",
        "completed_at",
        postgresql_where=text("status = 'processing'"),
    ),
)


def _version(row: Any) -> GameVersion:
    return GameVersion(
        id=row.id,
        game_id=row.game_id,
        developer_id=row.developer_id,
        version_name=row.version_name,
        changelog=dict(row.changelog or {}),
        status=VersionStatus(row.status),
        created_at=row.created_at,
        updated_at=row.updated_at,
        created_by_user_id=row.created_by_user_id,
        status_reason=row.status_reason,
        platforms=tuple(row.platforms or ()),
    )


def _build(row: Any) -> GameBuild:
    return GameBuild(
        id=row.id,
        version_id=row.version_id,
        game_id=row.game_id,
        developer_id=row.developer_id,
        platform=Platform(row.platform),
        file_name=row.file_name,
        file_size_bytes=row.file_size_bytes,
        content_type=row.content_type,
        s3_path=row.s3_path,
        upload_type=UploadType(row.upload_type),
        status=BuildStatus(row.status),
        created_at=row.created_at,
        updated_at=row.updated_at,
        upload_id=row.upload_id,
        part_size_bytes=row.part_size_bytes,
        part_count=row.part_count,
        file_hash_sha256=row.file_hash_sha256,
        failure_reason=FailureReason(row.failure_reason) if row.failure_reason else None,
        failure_detail=row.failure_detail,
        completed_at=row.completed_at,
        verified_at=row.verified_at,
    )


def _build_values(build: GameBuild) -> dict[str, Any]:
    return {
        **build.__dict__,
        "platform": build.platform.value,
        "upload_type": build.upload_type.value,
        "status": build.status.value,
        "failure_reason": build.failure_reason.value if build.failure_reason else None,
    }


class SqlBuilds:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # --- versions ---------------------------------------------------------------------------

    async def add_version(self, version: GameVersion) -> None:
        values = {
            **version.__dict__,
            "status": version.status.value,
            "platforms": list(version.platforms),
        }
        try:
            async with self._session.begin_nested():
                await self._session.execute(insert(game_versions).values(values))
        except IntegrityError:
            raise Conflict(
                f"This game already has a version named {version.version_name!r}.",
                detail_ru=f"У игры уже есть версия «{version.version_name}».",
                code="RESOURCE_ALREADY_EXISTS",
                pointer="/data/attributes/version_name",
            ) from None

    async def version(self, version_id: uuid.UUID) -> GameVersion | None:
        query = select(game_versions).where(game_versions.c.id == version_id)
        row = (await self._session.execute(query)).first()
        return _version(row) if row else None

    async def version_for_update(self, version_id: uuid.UUID) -> GameVersion | None:
        query = select(game_versions).where(game_versions.c.id == version_id).with_for_update()
        row = (await self._session.execute(query)).first()
        return _version(row) if row else None

    async def versions_of_game(self, game_id: uuid.UUID) -> list[GameVersion]:
        query = (
            select(game_versions)
            .where(game_versions.c.game_id == game_id)
            .order_by(game_versions.c.created_at.desc(), game_versions.c.id.desc())
        )
        return [_version(row) for row in await self._session.execute(query)]

    async def save_version(self, version: GameVersion) -> None:
        values: dict[str, Any] = {
            "status": version.status.value,
            "status_reason": version.status_reason,
            "updated_at": version.updated_at,
        }
        if version.status is VersionStatus.PROCESSING:
            values["uploaded_at"] = version.updated_at
        if version.status in {VersionStatus.READY_FOR_REVIEW, VersionStatus.FAILED_PROCESSING}:
            values["processed_at"] = version.updated_at
        await self._session.execute(
            update(game_versions).where(game_versions.c.id == version.id).values(values)
        )

    # --- builds -----------------------------------------------------------------------------

    async def builds_of_version(self, version_id: uuid.UUID) -> list[GameBuild]:
        query = (
            select(game_builds)
            .where(game_builds.c.version_id == version_id)
            .order_by(game_builds.c.created_at, game_builds.c.id)
        )
        return [_build(row) for row in await self._session.execute(query)]

    async def build(self, build_id: uuid.UUID) -> GameBuild | None:
        row = (
            await self._session.execute(select(game_builds).where(game_builds.c.id == build_id))
        ).first()
        return _build(row) if row else None

    async def add_build(self, build: GameBuild) -> None:
        await self._session.execute(insert(game_builds).values(_build_values(build)))

    async def save_build(self, build: GameBuild) -> None:
        values = _build_values(build)
        values.pop("id")
        if build.status is not BuildStatus.PROCESSING:
            values.update(leased_until=None, lease_holder=None)
        await self._session.execute(
            update(game_builds).where(game_builds.c.id == build.id).values(values)
        )

    async def claim_processing_build(
        self, now: datetime, lease: timedelta, holder: str
    ) -> GameBuild | None:
        candidate = (
            select(game_builds.c.id)
            .where(
                and_(
                    game_builds.c.status == BuildStatus.PROCESSING.value,
                    or_(game_builds.c.leased_until.is_(None), game_builds.c.leased_until < now),
                )
            )
            .order_by(game_builds.c.completed_at)
            .limit(1)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        claimed = (
            await self._session.execute(
                update(game_builds)
                .where(game_builds.c.id == candidate)
                .values(leased_until=now + lease, lease_holder=holder)
                .returning(*game_builds.c)
            )
        ).first()
        return _build(claimed) if claimed else None

    async def release_lease(self, build_id: uuid.UUID, holder: str) -> None:
        await self._session.execute(
            update(game_builds)
            .where(and_(game_builds.c.id == build_id, game_builds.c.lease_holder == holder))
            .values(leased_until=None, lease_holder=None)
        )
