"""Read models of access: games (from developer-portal's events) and users (from the user
service), tables on `parovoz_subscription.tables.metadata`, and their queries."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession


class SqlReadModels:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
