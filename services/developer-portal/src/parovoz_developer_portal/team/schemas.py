"""Request and response documents of the team's REST routes (JSON:API-shaped, like the rest
of the portal)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from parovoz_kit.http.fields import RequestModel
from pydantic import BaseModel, ConfigDict, Field

from parovoz_developer_portal.fields import Email
from parovoz_developer_portal.schemas import Resource
from parovoz_developer_portal.team.domain import Invitation, Member, TeamRole

INVITATION_EXAMPLE = {
    "data": {
        "type": "teamInvitation",
        "attributes": {"email": "producer@example.com", "role": "editor"},
    }
}
ROLE_CHANGE_EXAMPLE = {"data": {"type": "teamMemberRole", "attributes": {"role": "viewer"}}}
TRANSFER_EXAMPLE = {
    "data": {
        "type": "ownershipTransfer",
        "attributes": {"user_id": "455d645c-263b-4c80-86c0-568830e44edb"},
    }
}


# --- requests --------------------------------------------------------------------------------


class InvitationAttributes(RequestModel):
    user_id: uuid.UUID | None = Field(
        default=None,
        description="The invited user's id (auth service). Give `user_id` or `email`, not both.",
    )
    email: Email | None = Field(
        default=None,
        description=(
            "The invited person's e-mail address: accepted by a user whose access token "
            "carries this address, verified (`email`, `email_verified` claims)."
        ),
    )
    role: TeamRole = Field(
        description="`admin`, `editor`, `finance` or `viewer` (never `owner`: 400 "
        "`INVALID_INVITATION_ROLE`)."
    )


class InvitationData(RequestModel):
    type: Literal["teamInvitation"] = Field(description="Always `teamInvitation`.")
    attributes: InvitationAttributes = Field(description="Whom to invite, with which role.")


class InvitationDocument(RequestModel):
    """Invite someone into the team."""

    model_config = ConfigDict(json_schema_extra={"examples": [INVITATION_EXAMPLE]})

    data: InvitationData = Field(description="The invitation.")


class RoleChangeAttributes(RequestModel):
    role: TeamRole = Field(
        description="The member's new role: `admin`, `editor`, `finance` or `viewer` (`owner` "
        "is given by an ownership transfer: 422 `OWNERSHIP_TRANSFER_REQUIRED`)."
    )


class RoleChangeData(RequestModel):
    type: Literal["teamMemberRole"] = Field(description="Always `teamMemberRole`.")
    attributes: RoleChangeAttributes = Field(description="The new role.")


class RoleChangeDocument(RequestModel):
    """Change a member's role."""

    model_config = ConfigDict(json_schema_extra={"examples": [ROLE_CHANGE_EXAMPLE]})

    data: RoleChangeData = Field(description="The new role.")


class TransferAttributes(RequestModel):
    user_id: uuid.UUID = Field(description="The member who becomes the owner.")


class TransferData(RequestModel):
    type: Literal["ownershipTransfer"] = Field(description="Always `ownershipTransfer`.")
    attributes: TransferAttributes = Field(description="The new owner.")


class TransferDocument(RequestModel):
    """Hand the account to another member."""

    model_config = ConfigDict(json_schema_extra={"examples": [TRANSFER_EXAMPLE]})

    data: TransferData = Field(description="The transfer.")


# --- responses -------------------------------------------------------------------------------


class MemberAttributes(BaseModel):
    user_id: uuid.UUID = Field(description="The member's user id (auth service).")
    role: TeamRole = Field(description="`owner`, `admin`, `editor`, `finance` or `viewer`.")
    joined_at: datetime = Field(description="When they joined the team (ISO 8601, UTC).")


class MemberList(BaseModel):
    data: list[Resource[MemberAttributes]] = Field(
        description="The team's members, the longest-standing first."
    )


class InvitationResponseAttributes(BaseModel):
    developer_id: uuid.UUID = Field(description="The inviting developer account.")
    developer_display_name: str | None = Field(
        description="The inviting account's name (in the invitee's list; null elsewhere)."
    )
    role: TeamRole = Field(description="The role given by accepting.")
    invitee_user_id: uuid.UUID | None = Field(description="The invited user; null by e-mail.")
    invitee_email: str | None = Field(description="The invited address; null by user id.")
    invited_by_user_id: uuid.UUID = Field(description="The owner or admin who invited.")
    status: str = Field(
        description="`pending`, `accepted`, `declined`, `revoked` or `expired` (pending past "
        "`expires_at`)."
    )
    created_at: datetime = Field(description="When it was sent.")
    expires_at: datetime = Field(description="Until when it may be accepted.")
    responded_at: datetime | None = Field(
        description="When it was accepted, declined or revoked; null before."
    )
    accepted_by_user_id: uuid.UUID | None = Field(description="Who accepted it; null before.")


class InvitationList(BaseModel):
    data: list[Resource[InvitationResponseAttributes]] = Field(
        description="Invitations, newest first."
    )


def member_resource(member: Member, prefix: str) -> Resource[MemberAttributes]:
    return Resource(
        type="teamMember",
        id=member.user_id,
        attributes=MemberAttributes(
            user_id=member.user_id, role=member.role, joined_at=member.joined_at
        ),
        links={"self": f"{prefix}/team/members/{member.user_id}"},
    )


def invitation_resource(
    invitation: Invitation, now: datetime, prefix: str, display_name: str | None = None
) -> Resource[InvitationResponseAttributes]:
    return Resource(
        type="teamInvitation",
        id=invitation.id,
        attributes=InvitationResponseAttributes(
            developer_id=invitation.developer_id,
            developer_display_name=display_name,
            role=invitation.role,
            invitee_user_id=invitation.invitee_user_id,
            invitee_email=invitation.invitee_email,
            invited_by_user_id=invitation.invited_by_user_id,
            status=invitation.status_at(now).value,
            created_at=invitation.created_at,
            expires_at=invitation.expires_at,
            responded_at=invitation.responded_at,
            accepted_by_user_id=invitation.accepted_by_user_id,
        ),
        links=(
            {
                "self": f"{prefix}/team/invitations/mine",
                "accept": f"{prefix}/team/invitations/{invitation.id}/accept",
                "decline": f"{prefix}/team/invitations/{invitation.id}/decline",
            }
            if display_name is not None
            else {
                "self": f"{prefix}/team/invitations",
                "revoke": f"{prefix}/team/invitations/{invitation.id}/revoke",
            }
        ),
    )
