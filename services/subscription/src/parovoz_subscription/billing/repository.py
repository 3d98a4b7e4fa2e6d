"""Charges of subscription periods:
tables on `parovoz_subscription.tables.metadata`, and their queries."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession


class SqlCharges:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
