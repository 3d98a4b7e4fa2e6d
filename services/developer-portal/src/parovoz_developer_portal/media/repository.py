"""media: this context's tables and queries."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession


class SqlMedia:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
