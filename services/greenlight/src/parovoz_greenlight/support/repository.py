"""Support tickets and their messages (tables on `parovoz_greenlight.tables.metadata`, and their
queries)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession


class SqlSupport:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
