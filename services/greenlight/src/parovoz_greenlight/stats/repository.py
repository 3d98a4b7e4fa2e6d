"""Read-only queries over the other contexts' tables that statistics are computed from."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession


class SqlStats:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
