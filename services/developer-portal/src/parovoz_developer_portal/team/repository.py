"""Tables of the team beyond ``team_members`` (invitations; on
``parovoz_developer_portal.tables.metadata``), the one-owner index of ``team_members``, and
the team's queries.

Every change of a team takes the account's team lock first (``lock_team``: a transaction-scoped
advisory lock), so role changes, removals, transfers and acceptances of one account happen one
after another; the partial unique index ``uq_team_members_one_owner`` holds "one owner" in
the database as well.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from parovoz_kit.errors import BusinessRuleViolation
from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Index,
    String,
    Table,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_developer_portal.tables import developer_accounts, metadata, team_members
from parovoz_developer_portal.team.domain import (
    Invitation,
    InvitationStatus,
    Invitee,
    Member,
    TeamRole,
    invitation_already_pending,
)

#: Exactly one owner per account: at most one here, at least one by the use cases (an owner is
#: never removed, and a transfer demotes and promotes in one transaction).
Index(
    "uq_team_members_one_owner",
    team_members.c.developer_id,
    unique=True,
    postgresql_where=text("role = 'owner'"),
)

team_invitations = Table(
    "team_invitations",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("developer_id", ForeignKey("developer_accounts.id"), nullable=False),
    Column("role", String(16), nullable=False),
    Column("invitee_user_id", UUID(as_uuid=True), nullable=True),
    Column("invitee_email", String(255), nullable=True),
    Column("invited_by_user_id", UUID(as_uuid=True), nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("responded_at", DateTime(timezone=True), nullable=True),
    Column("accepted_by_user_id", UUID(as_uuid=True), nullable=True),
    # GET /team/invitations: the account's, newest first.
    Index("ix_team_invitations_developer_created", "developer_id", "created_at"),
    # One pending invitation per person and account (a second is 409).
    Index(
        "uq_team_invitations_pending_user",
        "developer_id",
        "invitee_user_id",
        unique=True,
        postgresql_where=text("status = 'pending' AND invitee_user_id IS NOT NULL"),
    ),
    Index(
        "uq_team_invitations_pending_email",
        "developer_id",
        "invitee_email",
        unique=True,
        postgresql_where=text("status = 'pending' AND invitee_email IS NOT NULL"),
    ),
    # GET /team/invitations/mine.
    Index(
        "ix_team_invitations_pending_invitee_user",
        "invitee_user_id",
        postgresql_where=text("status = 'pending'"),
    ),
    Index(
        "ix_team_invitations_pending_invitee_email",
        "invitee_email",
        postgresql_where=text("status = 'pending'"),
    ),
)

_INVITATION_COLUMNS = tuple(column.name for column in team_invitations.columns)


def _member(row: Any) -> Member:
    return Member(
        developer_id=row.developer_id,
        user_id=row.user_id,
        role=TeamRole(row.role),
        joined_at=row.joined_at,
    )


def _invitation(row: Any) -> Invitation:
    values = {name: getattr(row, name) for name in _INVITATION_COLUMNS}
    values["role"] = TeamRole(values["role"])
    values["status"] = InvitationStatus(values["status"])
    return Invitation(**values)


class SqlTeam:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def lock_team(self, developer_id: uuid.UUID) -> None:
        await self._session.execute(
            select(func.pg_advisory_xact_lock(func.hashtextextended(f"team:{developer_id}", 0)))
        )

    # --- members -----------------------------------------------------------------------------

    async def members(self, developer_id: uuid.UUID) -> list[Member]:
        rows = await self._session.execute(
            select(team_members)
            .where(team_members.c.developer_id == developer_id)
            .order_by(team_members.c.joined_at, team_members.c.user_id)
        )
        return [_member(row) for row in rows]

    async def member(self, developer_id: uuid.UUID, user_id: uuid.UUID) -> Member | None:
        row = (
            await self._session.execute(
                select(team_members).where(
                    team_members.c.developer_id == developer_id,
                    team_members.c.user_id == user_id,
                )
            )
        ).first()
        return _member(row) if row else None

    async def developer_of(self, user_id: uuid.UUID) -> uuid.UUID | None:
        """The account the user belongs to, if any."""
        found: uuid.UUID | None = (
            await self._session.execute(
                select(team_members.c.developer_id).where(team_members.c.user_id == user_id)
            )
        ).scalar_one_or_none()
        return found

    async def add_member(self, member: Member) -> None:
        try:
            async with self._session.begin_nested():
                await self._session.execute(
                    insert(team_members).values(
                        developer_id=member.developer_id,
                        user_id=member.user_id,
                        role=member.role.value,
                        joined_at=member.joined_at,
                    )
                )
        except IntegrityError:
            # uq_team_members_user_id: the user joined an account meanwhile.
            raise BusinessRuleViolation(
                "You already belong to a developer account.", code="ALREADY_IN_A_TEAM"
            ) from None

    async def save_role(self, member: Member) -> None:
        await self._session.execute(
            update(team_members)
            .where(
                team_members.c.developer_id == member.developer_id,
                team_members.c.user_id == member.user_id,
            )
            .values(role=member.role.value)
        )

    async def remove(self, member: Member) -> None:
        await self._session.execute(
            delete(team_members).where(
                team_members.c.developer_id == member.developer_id,
                team_members.c.user_id == member.user_id,
            )
        )

    # --- invitations -------------------------------------------------------------------------

    async def add_invitation(self, invitation: Invitation) -> None:
        values = {name: getattr(invitation, name) for name in _INVITATION_COLUMNS}
        values["role"] = invitation.role.value
        values["status"] = invitation.status.value
        try:
            async with self._session.begin_nested():
                await self._session.execute(insert(team_invitations).values(values))
        except IntegrityError:
            raise invitation_already_pending() from None

    async def invitation(
        self, invitation_id: uuid.UUID, *, lock: bool = False
    ) -> Invitation | None:
        query = select(team_invitations).where(team_invitations.c.id == invitation_id)
        if lock:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        return _invitation(row) if row else None

    async def pending_for(self, developer_id: uuid.UUID, invitee: Invitee) -> Invitation | None:
        """The account's stored-pending invitation of this person (perhaps expired by now)."""
        columns = team_invitations.c
        person = (
            columns.invitee_user_id == invitee.user_id
            if invitee.user_id is not None
            else columns.invitee_email == invitee.email
        )
        row = (
            await self._session.execute(
                select(team_invitations)
                .where(columns.developer_id == developer_id, columns.status == "pending", person)
                .with_for_update()
            )
        ).first()
        return _invitation(row) if row else None

    async def save_invitation(self, invitation: Invitation) -> None:
        await self._session.execute(
            update(team_invitations)
            .where(team_invitations.c.id == invitation.id)
            .values(
                status=invitation.status.value,
                responded_at=invitation.responded_at,
                accepted_by_user_id=invitation.accepted_by_user_id,
            )
        )

    async def invitations_of_account(self, developer_id: uuid.UUID, limit: int) -> list[Invitation]:
        rows = await self._session.execute(
            select(team_invitations)
            .where(team_invitations.c.developer_id == developer_id)
            .order_by(team_invitations.c.created_at.desc(), team_invitations.c.id)
            .limit(limit)
        )
        return [_invitation(row) for row in rows]

    async def invitations_to(
        self, user_id: uuid.UUID, email: str | None, now: datetime
    ) -> list[tuple[Invitation, str]]:
        """Pending, unexpired invitations to this user id (or e-mail), with the inviting
        account's display name, newest first."""
        columns = team_invitations.c
        person = columns.invitee_user_id == user_id
        if email is not None:
            person = or_(person, columns.invitee_email == email)
        rows = await self._session.execute(
            select(team_invitations, developer_accounts.c.display_name)
            .join(developer_accounts, developer_accounts.c.id == columns.developer_id)
            .where(columns.status == "pending", columns.expires_at > now, person)
            .order_by(columns.created_at.desc(), columns.id)
        )
        return [(_invitation(row), row.display_name) for row in rows]
