"""What the use cases need from storage, as plain protocols (db/ implements them)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Protocol

from parovoz_events import EventData

from parovoz_developer_portal.accounts.domain import DeveloperAccount
from parovoz_developer_portal.games.domain import Game
from parovoz_developer_portal.team.domain import TeamRole


class Membership(Protocol):
    account: DeveloperAccount
    role: TeamRole


class Accounts(Protocol):
    async def add(self, account: DeveloperAccount) -> None: ...
    async def get(self, developer_id: uuid.UUID) -> DeveloperAccount | None: ...
    async def add_member(
        self, developer_id: uuid.UUID, user_id: uuid.UUID, role: TeamRole, joined_at: datetime
    ) -> None: ...
    async def membership_of(self, user_id: uuid.UUID) -> Membership | None: ...
    async def role_of(self, developer_id: uuid.UUID, user_id: uuid.UUID) -> TeamRole | None: ...


class Games(Protocol):
    async def add(self, game: Game) -> None: ...
    async def get(self, game_id: uuid.UUID) -> Game | None: ...
    async def save_status(self, game: Game) -> None: ...


class PortalUnitOfWork(Protocol):
    accounts: Accounts
    games: Games

    def emit(self, item: EventData) -> object: ...
    async def commit(self) -> None: ...
