"""Plans, their prices and catalogs:
tables on `parovoz_subscription.tables.metadata`, and their queries."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession


class SqlPlans:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
