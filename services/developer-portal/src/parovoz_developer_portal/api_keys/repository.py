"""api_keys: this context's tables and queries."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession


class SqlApiKeys:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
