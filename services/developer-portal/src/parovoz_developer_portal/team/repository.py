"""Tables of the team beyond ``team_members`` (invitations; on
``parovoz_developer_portal.tables.metadata``) and the team's queries."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession


class SqlTeam:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
