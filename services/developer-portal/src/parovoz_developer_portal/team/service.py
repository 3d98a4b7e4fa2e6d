"""Use cases of the team: who a caller is inside their developer account; the members; the
invitations (send, list, revoke; the invitee's list, accept, decline); role changes, removals
and leaving; the ownership transfer.

Every change takes the account's team lock and re-reads the acting member's role inside it (a
role changed a moment ago counts), then writes its change and its event in one transaction.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Protocol

from parovoz_events.developer import (
    TeamInvitationCreated,
    TeamMemberChanged,
    TeamOwnershipTransferred,
)

from parovoz_developer_portal.accounts.ports import PortalUnitOfWork
from parovoz_developer_portal.accounts.service import change_owner, my_membership
from parovoz_developer_portal.team.domain import (
    Actor,
    Invitation,
    InvitationStatus,
    Invitee,
    Member,
    Permission,
    TeamRole,
    already_a_member,
    invitation_already_pending,
    invitation_not_found,
    invite,
    member_not_found,
    normalized_email,
    require_may_change_role,
    require_may_remove,
    require_not_in_a_team,
    require_permission,
    transfer_ownership,
)
from parovoz_developer_portal.team.rules import TeamRules


class TeamStore(Protocol):
    async def lock_team(self, developer_id: uuid.UUID) -> None: ...
    async def members(self, developer_id: uuid.UUID) -> list[Member]: ...
    async def member(self, developer_id: uuid.UUID, user_id: uuid.UUID) -> Member | None: ...
    async def developer_of(self, user_id: uuid.UUID) -> uuid.UUID | None: ...
    async def add_member(self, member: Member) -> None: ...
    async def save_role(self, member: Member) -> None: ...
    async def remove(self, member: Member) -> None: ...
    async def add_invitation(self, invitation: Invitation) -> None: ...
    async def invitation(
        self, invitation_id: uuid.UUID, *, lock: bool = False
    ) -> Invitation | None: ...
    async def pending_for(self, developer_id: uuid.UUID, invitee: Invitee) -> Invitation | None: ...
    async def save_invitation(self, invitation: Invitation) -> None: ...
    async def invitations_of_account(
        self, developer_id: uuid.UUID, limit: int
    ) -> list[Invitation]: ...
    async def invitations_to(
        self, user_id: uuid.UUID, email: str | None, now: datetime
    ) -> list[tuple[Invitation, str]]: ...


class TeamUnitOfWork(PortalUnitOfWork, Protocol):
    team: TeamStore


async def actor_for_user(uow: PortalUnitOfWork, user_id: uuid.UUID) -> Actor:
    """The caller as a member of their account (404 when they belong to none)."""
    membership = await my_membership(uow, user_id)
    return Actor(developer_id=membership.account.id, user_id=user_id, role=membership.role)


async def _acting(uow: TeamUnitOfWork, actor: Actor) -> Member:
    """The actor as a member now, under the account's team lock."""
    await uow.team.lock_team(actor.developer_id)
    acting = await uow.team.member(actor.developer_id, actor.user_id)
    if acting is None:  # removed since the request began
        raise member_not_found(actor.user_id)
    return acting


async def team_of(uow: TeamUnitOfWork, actor: Actor) -> list[Member]:
    actor.require(Permission.VIEW)
    return await uow.team.members(actor.developer_id)


# --- invitations -----------------------------------------------------------------------------


async def send_invitation(
    uow: TeamUnitOfWork,
    actor: Actor,
    invitee: Invitee,
    role: TeamRole,
    rules: TeamRules,
    now: datetime,
) -> Invitation:
    """A pending invitation (owner or admin); a second pending one for the same person is 409
    ``INVITATION_ALREADY_PENDING``; a current member is 409 ``ALREADY_A_MEMBER``."""
    actor.require(Permission.MANAGE_TEAM)
    acting = await _acting(uow, actor)
    invitation = invite(acting, invitee, role, rules, now)
    if invitee.user_id is not None and await uow.team.member(actor.developer_id, invitee.user_id):
        raise already_a_member(invitee.user_id)
    person = Invitee(invitation.invitee_user_id, invitation.invitee_email)
    earlier = await uow.team.pending_for(actor.developer_id, person)
    if earlier is not None:
        if earlier.status_at(now) is not InvitationStatus.EXPIRED:
            raise invitation_already_pending()
        await uow.team.save_invitation(earlier.expired())
    await uow.team.add_invitation(invitation)
    uow.emit(
        TeamInvitationCreated(
            developer_id=invitation.developer_id,
            invitation_id=invitation.id,
            role=invitation.role.value,  # type: ignore[arg-type]
            invitee_user_id=invitation.invitee_user_id,
            by_email=invitation.invitee_email is not None,
            invited_by_user_id=invitation.invited_by_user_id,
            created_at=invitation.created_at,
            expires_at=invitation.expires_at,
        )
    )
    await uow.commit()
    return invitation


async def invitations_of_account(
    uow: TeamUnitOfWork, actor: Actor, rules: TeamRules
) -> list[Invitation]:
    actor.require(Permission.MANAGE_TEAM)
    return await uow.team.invitations_of_account(actor.developer_id, rules.invitations_listed)


async def revoke_invitation(
    uow: TeamUnitOfWork, actor: Actor, invitation_id: uuid.UUID, now: datetime
) -> Invitation:
    actor.require(Permission.MANAGE_TEAM)
    acting = await _acting(uow, actor)
    require_permission(acting.role, Permission.MANAGE_TEAM)
    invitation = await uow.team.invitation(invitation_id, lock=True)
    if invitation is None or invitation.developer_id != actor.developer_id:
        raise invitation_not_found(invitation_id)
    revoked = invitation.revoked(now)
    await uow.team.save_invitation(revoked)
    await uow.commit()
    return revoked


async def my_invitations(
    uow: TeamUnitOfWork, user_id: uuid.UUID, email: str | None, now: datetime
) -> list[tuple[Invitation, str]]:
    """Pending invitations to the caller's user id, and to their e-mail when their token
    carries one; with the inviting account's display name."""
    return await uow.team.invitations_to(user_id, normalized_email(email) if email else None, now)


async def _addressed(
    uow: TeamUnitOfWork, invitation_id: uuid.UUID, user_id: uuid.UUID, email: str | None
) -> Invitation:
    invitation = await uow.team.invitation(invitation_id, lock=True)
    if invitation is None or not invitation.addressed_to(user_id, email):
        # Someone else's invitation is answered like an unknown id.
        raise invitation_not_found(invitation_id)
    return invitation


async def accept_invitation(
    uow: TeamUnitOfWork,
    invitation_id: uuid.UUID,
    user_id: uuid.UUID,
    email: str | None,
    now: datetime,
) -> Member:
    """The invitee joins the team with the invitation's role: pending, unexpired, addressed
    to them, and they belong to no account yet (422 ``ALREADY_IN_A_TEAM``)."""
    first = await uow.team.invitation(invitation_id)
    if first is None or not first.addressed_to(user_id, email):
        raise invitation_not_found(invitation_id)
    await uow.team.lock_team(first.developer_id)
    invitation = await _addressed(uow, invitation_id, user_id, email)
    accepted = invitation.accepted(user_id, now)
    require_not_in_a_team(await uow.team.developer_of(user_id))
    member = Member(invitation.developer_id, user_id, invitation.role, now)
    await uow.team.add_member(member)
    await uow.team.save_invitation(accepted)
    uow.emit(
        TeamMemberChanged(
            developer_id=member.developer_id,
            user_id=user_id,
            change="joined",
            role=member.role.value,
            previous_role=None,
            invitation_id=invitation.id,
            changed_by_user_id=user_id,
            changed_at=now,
        )
    )
    await uow.commit()
    return member


async def decline_invitation(
    uow: TeamUnitOfWork,
    invitation_id: uuid.UUID,
    user_id: uuid.UUID,
    email: str | None,
    now: datetime,
) -> Invitation:
    invitation = await _addressed(uow, invitation_id, user_id, email)
    declined = invitation.declined(now)
    await uow.team.save_invitation(declined)
    await uow.commit()
    return declined


# --- members ---------------------------------------------------------------------------------


async def change_role(
    uow: TeamUnitOfWork, actor: Actor, user_id: uuid.UUID, role: TeamRole, now: datetime
) -> Member:
    actor.require(Permission.MANAGE_TEAM)
    acting = await _acting(uow, actor)
    target = await uow.team.member(actor.developer_id, user_id)
    if target is None:
        raise member_not_found(user_id)
    require_may_change_role(acting, target, role)
    if target.role is role:
        return target
    changed = Member(target.developer_id, target.user_id, role, target.joined_at)
    await uow.team.save_role(changed)
    uow.emit(
        TeamMemberChanged(
            developer_id=actor.developer_id,
            user_id=user_id,
            change="role_changed",
            role=role.value,
            previous_role=target.role.value,
            invitation_id=None,
            changed_by_user_id=actor.user_id,
            changed_at=now,
        )
    )
    await uow.commit()
    return changed


async def remove_member(
    uow: TeamUnitOfWork, actor: Actor, user_id: uuid.UUID, now: datetime
) -> None:
    """Owner or admin remove a member; any member but the owner may remove themself (leave)."""
    leaving = user_id == actor.user_id
    if not leaving:
        actor.require(Permission.MANAGE_TEAM)
    acting = await _acting(uow, actor)
    target = acting if leaving else await uow.team.member(actor.developer_id, user_id)
    if target is None:
        raise member_not_found(user_id)
    require_may_remove(acting, target)
    await uow.team.remove(target)
    uow.emit(
        TeamMemberChanged(
            developer_id=actor.developer_id,
            user_id=user_id,
            change="left" if leaving else "removed",
            role=None,
            previous_role=target.role.value,
            invitation_id=None,
            changed_by_user_id=actor.user_id,
            changed_at=now,
        )
    )
    await uow.commit()


async def transfer_account_ownership(
    uow: TeamUnitOfWork, actor: Actor, user_id: uuid.UUID, now: datetime
) -> Member:
    """The owner hands the account to a member, becoming its admin; one owner before and
    after (the account's ``owner_user_id`` follows)."""
    actor.require(Permission.TRANSFER_OWNERSHIP)
    acting = await _acting(uow, actor)
    target = await uow.team.member(actor.developer_id, user_id)
    if target is None:
        raise member_not_found(user_id)
    transfer = transfer_ownership(acting, target)
    # Demote first: the one-owner index never sees two owners.
    await uow.team.save_role(transfer.previous_owner)
    await uow.team.save_role(transfer.new_owner)
    await change_owner(uow, actor.developer_id, user_id, now)
    uow.emit(
        TeamOwnershipTransferred(
            developer_id=actor.developer_id,
            previous_owner_user_id=acting.user_id,
            owner_user_id=user_id,
            transferred_at=now,
        )
    )
    await uow.commit()
    return transfer.new_owner
