"""What the builds use cases need from storage and from S3, as plain protocols
(``repository.py`` and the kit's ``ObjectStorage`` implement them)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from parovoz_developer_portal.accounts.ports import PortalUnitOfWork
from parovoz_developer_portal.builds.domain import GameVersion
from parovoz_developer_portal.builds.uploads import GameBuild


class Versions(Protocol):
    async def add_version(self, version: GameVersion) -> None:
        """Raises Conflict (RESOURCE_ALREADY_EXISTS) when the game has the name already."""
        ...

    async def version(self, version_id: uuid.UUID) -> GameVersion | None: ...

    async def version_for_update(self, version_id: uuid.UUID) -> GameVersion | None:
        """Like ``version``, holding a lock on it until commit (its builds change one at a
        time)."""
        ...

    async def versions_of_game(self, game_id: uuid.UUID) -> list[GameVersion]:
        """Newest first."""
        ...

    async def save_version(self, version: GameVersion) -> None: ...

    async def builds_of_version(self, version_id: uuid.UUID) -> list[GameBuild]:
        """Every build, aborted ones included, oldest first."""
        ...

    async def build(self, build_id: uuid.UUID) -> GameBuild | None: ...

    async def add_build(self, build: GameBuild) -> None: ...

    async def save_build(self, build: GameBuild) -> None: ...

    async def claim_processing_build(
        self, now: datetime, lease: timedelta, holder: str
    ) -> GameBuild | None:
        """One ``processing`` build nobody holds (or whose lease ran out), now leased to
        ``holder`` until ``now + lease``; None when there is none."""
        ...

    async def release_lease(self, build_id: uuid.UUID, holder: str) -> None:
        """Give the build back (its verification could not finish) if ``holder`` holds it."""
        ...


class BuildsUnitOfWork(PortalUnitOfWork, Protocol):
    builds: Versions


class StoredPartLike(Protocol):
    @property
    def part_number(self) -> int: ...
    @property
    def size(self) -> int: ...
    @property
    def etag(self) -> str: ...


class StoredObjectLike(Protocol):
    @property
    def size(self) -> int: ...


class BuildStorage(Protocol):
    """The S3 operations builds use (``parovoz_kit.storage.ObjectStorage``)."""

    def presigned_put(self, bucket: str, key: str, expires: timedelta) -> str: ...
    def presigned_part(
        self, bucket: str, key: str, upload_id: str, part_number: int, expires: timedelta
    ) -> str: ...
    async def start_multipart(self, bucket: str, key: str, content_type: str) -> str: ...
    async def stored_parts(
        self, bucket: str, key: str, upload_id: str
    ) -> Sequence[StoredPartLike]: ...
    async def complete_multipart(
        self, bucket: str, key: str, upload_id: str, parts: Sequence[Any]
    ) -> None:
        """``parts``: what ``stored_parts`` answered."""
        ...

    async def abort_multipart(self, bucket: str, key: str, upload_id: str) -> None: ...
    async def head(self, bucket: str, key: str) -> StoredObjectLike | None: ...
    async def sha256(self, bucket: str, key: str) -> tuple[str, int]: ...
    async def delete(self, bucket: str, key: str) -> None: ...
