"""What media's use cases need from storage and from the object store, as plain protocols
(``repository.SqlMedia`` and the kit's ``ObjectStorage`` implement them)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from parovoz_developer_portal.accounts.ports import PortalUnitOfWork
from parovoz_developer_portal.media.domain import Media, MediaStatus, MediaType


class MediaStore(Protocol):
    async def add(self, media: Media) -> None: ...

    async def get(self, game_id: uuid.UUID, media_id: uuid.UUID) -> Media | None:
        """The media of that game (None for another game's)."""
        ...

    async def lock_list(
        self, game_id: uuid.UUID, language_code: str, media_type: MediaType
    ) -> None:
        """Hold until commit a lock on one (game, locale, media type) list: its positions
        change one transaction after another."""
        ...

    async def ready_list(
        self, game_id: uuid.UUID, language_code: str, media_type: MediaType
    ) -> list[Media]:
        """The ready media of one list, by position."""
        ...

    async def listed(
        self,
        game_id: uuid.UUID,
        status: MediaStatus,
        language_code: str | None,
        media_type: MediaType | None,
    ) -> list[Media]:
        """A game's media in one status, by locale, media type, then position (or age)."""
        ...

    async def abandoned(self, asked_before: datetime, limit: int) -> list[Media]:
        """Media still awaiting their upload, asked for before ``asked_before``, oldest first."""
        ...

    async def save(self, media: Media) -> None: ...

    async def save_positions(self, moved: Sequence[Media]) -> None: ...

    async def remove(self, media_id: uuid.UUID) -> None: ...

    async def count_ready(self, game_id: uuid.UUID, media_type: MediaType) -> int: ...


class MediaUnitOfWork(PortalUnitOfWork, Protocol):
    media: MediaStore


class StoredObjectHead(Protocol):
    @property
    def size(self) -> int: ...


class MediaObjects(Protocol):
    """The object store, as media uses it (the kit's ``ObjectStorage``)."""

    def presigned_put(self, bucket: str, key: str, expires: timedelta) -> str: ...

    def presigned_get(self, bucket: str, key: str, expires: timedelta) -> str: ...

    async def head(self, bucket: str, key: str) -> StoredObjectHead | None: ...

    async def first_bytes(self, bucket: str, key: str, count: int) -> bytes: ...

    async def delete(self, bucket: str, key: str) -> None: ...
