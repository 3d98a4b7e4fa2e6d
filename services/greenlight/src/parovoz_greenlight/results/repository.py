"""Voting windows and final results (tables on
`parovoz_greenlight.tables.metadata`, and their queries)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession


class SqlResults:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
