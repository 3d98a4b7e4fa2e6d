"""Team roles inside a developer account, what each may do (PRODUCT.md, Developer portal), and
the team's rules: who may invite, change, remove whom; invitations; one owner always.

Plain Python: raises ``parovoz_kit.errors`` only.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from parovoz_kit.errors import (
    BusinessRuleViolation,
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)

from parovoz_developer_portal.team.rules import TeamRules


class TeamRole(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    EDITOR = "editor"
    FINANCE = "finance"
    VIEWER = "viewer"


class Permission(StrEnum):
    VIEW = "view"
    MANAGE_GAMES = "manage_games"
    MANAGE_FINANCE = "manage_finance"
    MANAGE_TEAM = "manage_team"
    DELETE_ACCOUNT = "delete_account"
    #: Hand the account to another member (the owner only: "admin: everything but deleting
    #: the account or changing the owner").
    TRANSFER_OWNERSHIP = "transfer_ownership"


_ALL = frozenset(Permission)
ROLE_PERMISSIONS: dict[TeamRole, frozenset[Permission]] = {
    TeamRole.OWNER: _ALL,
    TeamRole.ADMIN: _ALL - {Permission.DELETE_ACCOUNT, Permission.TRANSFER_OWNERSHIP},
    TeamRole.EDITOR: frozenset({Permission.VIEW, Permission.MANAGE_GAMES}),
    TeamRole.FINANCE: frozenset({Permission.VIEW, Permission.MANAGE_FINANCE}),
    TeamRole.VIEWER: frozenset({Permission.VIEW}),
}

#: The roles an invitation or a role change may give (the owner's comes by transfer only).
ASSIGNABLE_ROLES = frozenset(ROLE_PERMISSIONS) - {TeamRole.OWNER}


def require_permission(role: TeamRole, permission: Permission) -> None:
    if permission not in ROLE_PERMISSIONS[role]:
        raise PermissionDenied(
            f"The '{role}' role may not {permission.value.replace('_', ' ')}.",
            code="TEAM_ROLE_FORBIDS",
        )


@dataclass(frozen=True)
class Actor:
    """Who acts on a developer account's behalf: a team member (user token), or one of the
    account's API keys acting as an editor (``api_key_id`` set; ``user_id`` is then the key's
    creator, so events always name a person)."""

    developer_id: uuid.UUID
    user_id: uuid.UUID
    role: TeamRole
    api_key_id: uuid.UUID | None = None

    def require(self, permission: Permission) -> None:
        require_permission(self.role, permission)


@dataclass(frozen=True)
class Member:
    developer_id: uuid.UUID
    user_id: uuid.UUID
    role: TeamRole
    joined_at: datetime


# --- errors ----------------------------------------------------------------------------------


def member_not_found(user_id: uuid.UUID) -> NotFound:
    return NotFound(
        f"User {user_id} is not a member of this developer account.",
        detail_ru=f"Пользователь {user_id} не состоит в этом аккаунте разработчика.",
        code="MEMBER_NOT_FOUND",
    )


def invitation_not_found(invitation_id: uuid.UUID) -> NotFound:
    return NotFound(
        f"Invitation {invitation_id} was not found.",
        detail_ru=f"Приглашение {invitation_id} не найдено.",
        code="INVITATION_NOT_FOUND",
    )


def invitation_already_pending() -> Conflict:
    return Conflict(
        "This person already has a pending invitation to this account.",
        detail_ru="У этого человека уже есть ожидающее приглашение в этот аккаунт.",
        code="INVITATION_ALREADY_PENDING",
    )


def already_a_member(user_id: uuid.UUID) -> Conflict:
    return Conflict(
        f"User {user_id} is already a member of this account.",
        detail_ru="Этот пользователь уже состоит в команде аккаунта.",
        code="ALREADY_A_MEMBER",
    )


def _owner_protected() -> BusinessRuleViolation:
    return BusinessRuleViolation(
        "The owner's role changes only by an ownership transfer, and the owner is never "
        "removed from the team.",
        code="OWNER_PROTECTED",
    )


# --- who may do what to whom ----------------------------------------------------------------


def require_may_change_role(acting: Member, target: Member, new_role: TeamRole) -> None:
    """Owner and admin change roles; nobody makes an owner this way (ownership transfer),
    nobody changes the owner's role (422 ``OWNER_PROTECTED``)."""
    require_permission(acting.role, Permission.MANAGE_TEAM)
    if new_role not in ASSIGNABLE_ROLES:
        raise BusinessRuleViolation(
            "The owner role is given by an ownership transfer only.",
            code="OWNERSHIP_TRANSFER_REQUIRED",
            pointer="/data/attributes/role",
        )
    if target.role is TeamRole.OWNER:
        raise _owner_protected()


def require_may_remove(acting: Member, target: Member) -> None:
    """A member may leave (remove themself), except the owner; owner and admin remove others,
    never the owner."""
    if target.user_id != acting.user_id:
        require_permission(acting.role, Permission.MANAGE_TEAM)
    if target.role is TeamRole.OWNER:
        raise _owner_protected()


@dataclass(frozen=True)
class OwnershipTransfer:
    previous_owner: Member
    new_owner: Member


def transfer_ownership(acting: Member, target: Member) -> OwnershipTransfer:
    """The owner hands the account to another member; the old owner becomes admin."""
    require_permission(acting.role, Permission.TRANSFER_OWNERSHIP)
    if target.user_id == acting.user_id:
        raise BusinessRuleViolation(
            "You already own this account: name another member.",
            detail_ru="Вы уже владелец этого аккаунта: укажите другого участника команды.",
            code="ALREADY_OWNER",
            pointer="/data/attributes/user_id",
        )
    return OwnershipTransfer(
        previous_owner=replace(acting, role=TeamRole.ADMIN),
        new_owner=replace(target, role=TeamRole.OWNER),
    )


def require_one_owner(members: list[Member]) -> None:
    """A team always has exactly one owner (the database holds it too)."""
    owners = sum(1 for member in members if member.role is TeamRole.OWNER)
    if owners != 1:
        raise BusinessRuleViolation(
            f"A developer account has exactly one owner, not {owners}.", code="OWNER_PROTECTED"
        )


# --- invitations -----------------------------------------------------------------------------


class InvitationStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    REVOKED = "revoked"
    #: Pending past ``expires_at`` (read from the clock; stored once noticed).
    EXPIRED = "expired"


@dataclass(frozen=True)
class Invitee:
    """Whom an invitation is for: a user id, or an e-mail address (lower case)."""

    user_id: uuid.UUID | None = None
    email: str | None = None


@dataclass(frozen=True)
class Invitation:
    id: uuid.UUID
    developer_id: uuid.UUID
    role: TeamRole
    invitee_user_id: uuid.UUID | None
    invitee_email: str | None
    invited_by_user_id: uuid.UUID
    status: InvitationStatus
    created_at: datetime
    expires_at: datetime
    responded_at: datetime | None = None
    #: Who accepted it (for an invitation by e-mail: the user whose token carried it).
    accepted_by_user_id: uuid.UUID | None = None

    def status_at(self, now: datetime) -> InvitationStatus:
        if self.status is InvitationStatus.PENDING and self.expires_at <= now:
            return InvitationStatus.EXPIRED
        return self.status

    def addressed_to(self, user_id: uuid.UUID, email: str | None) -> bool:
        if self.invitee_user_id is not None:
            return self.invitee_user_id == user_id
        return email is not None and self.invitee_email == normalized_email(email)

    def expired(self) -> Invitation:
        return replace(self, status=InvitationStatus.EXPIRED)

    def _answered(self, status: InvitationStatus, now: datetime) -> Invitation:
        current = self.status_at(now)
        if current is InvitationStatus.EXPIRED:
            raise BusinessRuleViolation(
                f"The invitation expired at {self.expires_at.isoformat()}.",
                detail_ru="Срок действия приглашения истёк.",
                code="INVITATION_EXPIRED",
            )
        if current is not InvitationStatus.PENDING:
            raise BusinessRuleViolation(
                f"The invitation is already {current.value}.",
                detail_ru="Приглашение уже не ожидает ответа.",
                code="INVITATION_NOT_PENDING",
            )
        return replace(self, status=status, responded_at=now)

    def accepted(self, user_id: uuid.UUID, now: datetime) -> Invitation:
        return replace(self._answered(InvitationStatus.ACCEPTED, now), accepted_by_user_id=user_id)

    def declined(self, now: datetime) -> Invitation:
        return self._answered(InvitationStatus.DECLINED, now)

    def revoked(self, now: datetime) -> Invitation:
        return self._answered(InvitationStatus.REVOKED, now)


def normalized_email(email: str) -> str:
    return email.strip().lower()


def invite(
    acting: Member,
    invitee: Invitee,
    role: TeamRole,
    rules: TeamRules,
    now: datetime,
) -> Invitation:
    """A new pending invitation from an owner or admin, for any role but owner."""
    require_permission(acting.role, Permission.MANAGE_TEAM)
    if role not in ASSIGNABLE_ROLES:
        raise ValidationFailed(
            "An invitation gives admin, editor, finance or viewer; the owner role is given by "
            "an ownership transfer only.",
            detail_ru=(
                "Пригласить можно на роль admin, editor, finance или viewer; роль владельца "
                "передаётся только передачей владения."
            ),
            code="INVALID_INVITATION_ROLE",
            pointer="/data/attributes/role",
        )
    if (invitee.user_id is None) == (invitee.email is None):
        raise ValidationFailed(
            "Name the invitee by user_id or by email (one of them).",
            detail_ru="Укажите приглашаемого по user_id или по email (что-то одно).",
            pointer="/data/attributes",
        )
    if invitee.user_id == acting.user_id:
        raise already_a_member(acting.user_id)
    return Invitation(
        id=uuid.uuid4(),
        developer_id=acting.developer_id,
        role=role,
        invitee_user_id=invitee.user_id,
        invitee_email=normalized_email(invitee.email) if invitee.email else None,
        invited_by_user_id=acting.user_id,
        status=InvitationStatus.PENDING,
        created_at=now,
        expires_at=now + rules.invitation_ttl,
    )


def require_not_in_a_team(current: uuid.UUID | None) -> None:
    """A user belongs to one developer account (``team_members`` holds it unique)."""
    if current is not None:
        raise BusinessRuleViolation(
            "You already belong to a developer account: leave it before joining another.",
            detail_ru=(
                "Вы уже состоите в аккаунте разработчика: чтобы присоединиться к другому, "
                "сначала покиньте текущий."
            ),
            code="ALREADY_IN_A_TEAM",
        )
