"""Tables of beta tests (on `parovoz_developer_portal.tables.metadata`) and their queries."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession


class SqlBetaTests:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
