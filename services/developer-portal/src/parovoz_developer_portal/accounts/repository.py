"""SQLAlchemy implementation of the accounts storage port (accounts and their team members)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from parovoz_kit.errors import Conflict
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_developer_portal.accounts.domain import (
    DeveloperAccount,
    DeveloperStatus,
    LegalEntityType,
    PublishingTrack,
)
from parovoz_developer_portal.tables import developer_accounts, team_members
from parovoz_developer_portal.team.domain import TeamRole


@dataclass(frozen=True)
class StoredMembership:
    account: DeveloperAccount
    role: TeamRole


def _account(row: Any) -> DeveloperAccount:
    return DeveloperAccount(
        id=row.id,
        owner_user_id=row.owner_user_id,
        company_name=row.company_name,
        display_name=row.display_name,
        legal_entity_type=LegalEntityType(row.legal_entity_type),
        tax_id=row.tax_id,
        contact_email=row.contact_email,
        country_code=row.country_code,
        status=DeveloperStatus(row.status),
        publishing_track=PublishingTrack(row.publishing_track),
        verified=row.verified,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class SqlAccounts:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, account: DeveloperAccount) -> None:
        values = {
            **account.__dict__,
            "legal_entity_type": account.legal_entity_type.value,
            "status": account.status.value,
            "publishing_track": account.publishing_track.value,
        }
        await self._session.execute(insert(developer_accounts).values(values))

    async def get(self, developer_id: uuid.UUID) -> DeveloperAccount | None:
        query = select(developer_accounts).where(developer_accounts.c.id == developer_id)
        row = (await self._session.execute(query)).first()
        return _account(row) if row else None

    async def get_for_update(self, developer_id: uuid.UUID) -> DeveloperAccount | None:
        """Like ``get``, holding the account's row until commit (changes of its status happen
        one after another)."""
        query = (
            select(developer_accounts)
            .where(developer_accounts.c.id == developer_id)
            .with_for_update()
        )
        row = (await self._session.execute(query)).first()
        return _account(row) if row else None

    async def save_status(self, account: DeveloperAccount) -> None:
        """Store the account's status, publishing track and verification."""
        await self._session.execute(
            update(developer_accounts)
            .where(developer_accounts.c.id == account.id)
            .values(
                status=account.status.value,
                publishing_track=account.publishing_track.value,
                verified=account.verified,
                updated_at=account.updated_at,
            )
        )

    async def save_owner(
        self, developer_id: uuid.UUID, owner_user_id: uuid.UUID, now: datetime
    ) -> None:
        """The account's owner after an ownership transfer (team/service.py)."""
        await self._session.execute(
            update(developer_accounts)
            .where(developer_accounts.c.id == developer_id)
            .values(
                owner_user_id=owner_user_id,
                updated_at=func.greatest(developer_accounts.c.updated_at, now),
            )
        )

    async def add_member(
        self, developer_id: uuid.UUID, user_id: uuid.UUID, role: TeamRole, joined_at: datetime
    ) -> None:
        try:
            async with self._session.begin_nested():
                await self._session.execute(
                    insert(team_members).values(
                        developer_id=developer_id,
                        user_id=user_id,
                        role=role.value,
                        joined_at=joined_at,
                    )
                )
        except IntegrityError:
            # uq_team_members_user_id: a concurrent request made this user a member first.
            raise Conflict(
                "This user already belongs to a developer account.",
                detail_ru="Пользователь уже состоит в аккаунте разработчика.",
                code="RESOURCE_ALREADY_EXISTS",
            ) from None

    async def membership_of(self, user_id: uuid.UUID) -> StoredMembership | None:
        query = (
            select(developer_accounts, team_members.c.role)
            .join(team_members, team_members.c.developer_id == developer_accounts.c.id)
            .where(team_members.c.user_id == user_id)
        )
        row = (await self._session.execute(query)).first()
        return StoredMembership(_account(row), TeamRole(row.role)) if row else None

    async def role_of(self, developer_id: uuid.UUID, user_id: uuid.UUID) -> TeamRole | None:
        query = select(team_members.c.role).where(
            team_members.c.developer_id == developer_id, team_members.c.user_id == user_id
        )
        role = (await self._session.execute(query)).scalar_one_or_none()
        return TeamRole(role) if role else None
