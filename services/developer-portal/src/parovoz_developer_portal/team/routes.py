"""REST of the team (thin: parse -> one use case -> document): members, invitations, roles,
ownership. (``team/api.py`` holds who is calling: ``CurrentActor`` and its kin.)

A user belongs to one developer account (``team_members`` is unique on ``user_id``, and every
portal route finds the caller's account by it): accepting an invitation while in a team is 422
``ALREADY_IN_A_TEAM`` — leave first (``DELETE /team/members/{own id}``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, cast

from fastapi import APIRouter, Depends, Path, Request, Response
from parovoz_kit.auth import CurrentUserId
from parovoz_kit.auth.dependencies import CurrentPrincipal
from parovoz_kit.http.openapi import error_responses
from parovoz_kit.idempotency import OptionalIdempotencyKey, run_with_optional_key
from parovoz_kit.infrastructure import Infrastructure

from parovoz_developer_portal.schemas import Document
from parovoz_developer_portal.settings import DeveloperPortalSettings
from parovoz_developer_portal.team import service as use_cases
from parovoz_developer_portal.team.api import CurrentMember
from parovoz_developer_portal.team.domain import Invitee
from parovoz_developer_portal.team.schemas import (
    InvitationDocument,
    InvitationList,
    InvitationResponseAttributes,
    MemberAttributes,
    MemberList,
    RoleChangeDocument,
    TransferDocument,
    invitation_resource,
    member_resource,
)
from parovoz_developer_portal.unit_of_work import portal_unit_of_work

InvitationId = Annotated[uuid.UUID, Path(description="The invitation's id (UUID).")]
MemberUserId = Annotated[uuid.UUID, Path(description="The member's user id (UUID).")]

_MANAGERS = "Owner or admin (403 `TEAM_ROLE_FORBIDS`)."
_NOT_A_MEMBER = "A caller in no developer account gets 404 `RESOURCE_NOT_FOUND`."


@dataclass(frozen=True)
class Invited:
    """The caller as an invitee: their user id, and their e-mail when the token carries a
    verified one (``email`` with ``email_verified`` true)."""

    user_id: uuid.UUID
    email: str | None


async def current_invitee(user_id: CurrentUserId, principal: CurrentPrincipal) -> Invited:
    email = principal.claims.get("email")
    verified = principal.claims.get("email_verified") is True
    return Invited(user_id, email if verified and isinstance(email, str) else None)


CurrentInvitee = Annotated[Invited, Depends(current_invitee)]


def team_router(infrastructure: Infrastructure) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    rules = cast(DeveloperPortalSettings, infrastructure.settings).team_rules()
    router = APIRouter(prefix=f"{prefix}/team", tags=["team"])
    clock = infrastructure.clock

    @router.get(
        "",
        response_model=MemberList,
        summary="The team: every member with their role and when they joined (any member)",
        description=f"Any member of the account reads it. {_NOT_A_MEMBER}",
        responses=error_responses({404: ["RESOURCE_NOT_FOUND"]}),
    )
    async def list_members(actor: CurrentMember) -> MemberList:
        async with portal_unit_of_work(infrastructure) as uow:
            members = await use_cases.team_of(uow, actor)
        return MemberList(data=[member_resource(member, prefix) for member in members])

    @router.post(
        "/invitations",
        status_code=201,
        response_model=Document[InvitationResponseAttributes],
        summary="Invite someone into the team, by user id or by e-mail (owner or admin)",
        description=(
            "The invitation gives `admin`, `editor`, `finance` or `viewer` (never `owner`: 400 "
            "`INVALID_INVITATION_ROLE`) and may be accepted for "
            f"{rules.invitation_ttl.days} days. Name the invitee by `user_id` or by `email` "
            "(one of them: 400 `VALIDATION_ERROR`). A second pending invitation for the same "
            "person is 409 `INVITATION_ALREADY_PENDING`; a current member 409 "
            f"`ALREADY_A_MEMBER`. {_MANAGERS} Emits `developer.team.invitation.created.v1`. "
            "`Idempotency-Key` is optional: a retry with the same key gets the first answer."
        ),
        responses=error_responses(
            {
                400: ["INVALID_INVITATION_ROLE"],
                403: ["TEAM_ROLE_FORBIDS"],
                404: ["RESOURCE_NOT_FOUND"],
                409: ["INVITATION_ALREADY_PENDING", "ALREADY_A_MEMBER"],
            }
        ),
    )
    async def send_invitation(
        body: InvitationDocument,
        request: Request,
        actor: CurrentMember,
        idempotency_key: OptionalIdempotencyKey,
    ) -> Response:
        attributes = body.data.attributes
        invitee = Invitee(attributes.user_id, attributes.email)

        async def send() -> Document[InvitationResponseAttributes]:
            now = clock.now()
            async with portal_unit_of_work(infrastructure) as uow:
                invitation = await use_cases.send_invitation(
                    uow, actor, invitee, attributes.role, rules, now
                )
            return Document(data=invitation_resource(invitation, now, prefix))

        return await run_with_optional_key(
            request,
            infrastructure.idempotency,
            scope=f"user:{actor.user_id}",
            key=idempotency_key,
            handler=send,
            success_status=201,
        )

    @router.get(
        "/invitations",
        response_model=InvitationList,
        summary="The account's invitations, pending and past (owner or admin)",
        description=(
            f"Newest first, at most {rules.invitations_listed}; `status` is read at the time "
            f"of the request (a pending one past its expiry is `expired`). {_MANAGERS}"
        ),
        responses=error_responses({403: ["TEAM_ROLE_FORBIDS"], 404: ["RESOURCE_NOT_FOUND"]}),
    )
    async def list_invitations(actor: CurrentMember) -> InvitationList:
        async with portal_unit_of_work(infrastructure) as uow:
            invitations = await use_cases.invitations_of_account(uow, actor, rules)
        now = clock.now()
        return InvitationList(data=[invitation_resource(i, now, prefix) for i in invitations])

    @router.get(
        "/invitations/mine",
        response_model=InvitationList,
        summary="Invitations waiting for the caller (any signed-in user)",
        description=(
            "Pending, unexpired invitations to the caller's user id — and to their e-mail "
            "address when the access token carries a verified one (`email` with "
            "`email_verified: true`); a token without it finds invitations by user id only "
            "(the local auth stand-in adds one when asked: `POST /tokens` with `email`). "
            "Each names the inviting account (`developer_display_name`). Newest first."
        ),
    )
    async def my_invitations(invited: CurrentInvitee) -> InvitationList:
        now = clock.now()
        async with portal_unit_of_work(infrastructure) as uow:
            found = await use_cases.my_invitations(uow, invited.user_id, invited.email, now)
        return InvitationList(data=[invitation_resource(i, now, prefix, name) for i, name in found])

    @router.post(
        "/invitations/{invitation_id}/revoke",
        response_model=Document[InvitationResponseAttributes],
        summary="Revoke a pending invitation (owner or admin)",
        description=(
            "It cannot be accepted any more. One that is no longer pending (accepted, "
            "declined, revoked, expired) is 422 `INVITATION_NOT_PENDING` / "
            f"`INVITATION_EXPIRED`; another account's is 404. {_MANAGERS}"
        ),
        responses=error_responses(
            {
                403: ["TEAM_ROLE_FORBIDS"],
                404: ["INVITATION_NOT_FOUND", "RESOURCE_NOT_FOUND", "MEMBER_NOT_FOUND"],
                422: ["INVITATION_NOT_PENDING", "INVITATION_EXPIRED"],
            }
        ),
    )
    async def revoke_invitation(
        invitation_id: InvitationId, actor: CurrentMember
    ) -> Document[InvitationResponseAttributes]:
        now = clock.now()
        async with portal_unit_of_work(infrastructure) as uow:
            revoked = await use_cases.revoke_invitation(uow, actor, invitation_id, now)
        return Document(data=invitation_resource(revoked, now, prefix))

    @router.post(
        "/invitations/{invitation_id}/accept",
        response_model=Document[MemberAttributes],
        summary="Accept an invitation: the caller joins the team with its role",
        description=(
            "For the invitee only: the invitation's user id, or a token carrying its e-mail "
            "(verified); anyone else's is 404 `INVITATION_NOT_FOUND`. It must be pending (422 "
            "`INVITATION_NOT_PENDING`) and unexpired (422 `INVITATION_EXPIRED`). A user "
            "belongs to one developer account: a caller already in a team gets 422 "
            "`ALREADY_IN_A_TEAM` (leave it first). Emits `developer.team.member.changed.v1` "
            "(`joined`)."
        ),
        responses=error_responses(
            {
                404: ["INVITATION_NOT_FOUND"],
                422: ["INVITATION_NOT_PENDING", "INVITATION_EXPIRED", "ALREADY_IN_A_TEAM"],
            }
        ),
    )
    async def accept_invitation(
        invitation_id: InvitationId, invited: CurrentInvitee
    ) -> Document[MemberAttributes]:
        async with portal_unit_of_work(infrastructure) as uow:
            member = await use_cases.accept_invitation(
                uow, invitation_id, invited.user_id, invited.email, clock.now()
            )
        return Document(data=member_resource(member, prefix))

    @router.post(
        "/invitations/{invitation_id}/decline",
        response_model=Document[InvitationResponseAttributes],
        summary="Decline an invitation (the invitee)",
        description=(
            "For the invitee only (anyone else: 404 `INVITATION_NOT_FOUND`); a pending, "
            "unexpired invitation (422 `INVITATION_NOT_PENDING`, `INVITATION_EXPIRED`)."
        ),
        responses=error_responses(
            {
                404: ["INVITATION_NOT_FOUND"],
                422: ["INVITATION_NOT_PENDING", "INVITATION_EXPIRED"],
            }
        ),
    )
    async def decline_invitation(
        invitation_id: InvitationId, invited: CurrentInvitee
    ) -> Document[InvitationResponseAttributes]:
        now = clock.now()
        async with portal_unit_of_work(infrastructure) as uow:
            declined = await use_cases.decline_invitation(
                uow, invitation_id, invited.user_id, invited.email, now
            )
        return Document(data=invitation_resource(declined, now, prefix))

    @router.patch(
        "/members/{user_id}",
        response_model=Document[MemberAttributes],
        summary="Change a member's role (owner or admin)",
        description=(
            "To `admin`, `editor`, `finance` or `viewer`. The owner's role is never changed "
            "here, nor is anyone made owner (422 `OWNER_PROTECTED`, "
            "`OWNERSHIP_TRANSFER_REQUIRED`: use `POST /team/ownership-transfer`). "
            f"{_MANAGERS} Someone not in the team is 404 `MEMBER_NOT_FOUND`. Emits "
            "`developer.team.member.changed.v1` (`role_changed`) when the role changes."
        ),
        responses=error_responses(
            {
                403: ["TEAM_ROLE_FORBIDS"],
                404: ["MEMBER_NOT_FOUND", "RESOURCE_NOT_FOUND"],
                422: ["OWNER_PROTECTED", "OWNERSHIP_TRANSFER_REQUIRED"],
            }
        ),
    )
    async def change_role(
        user_id: MemberUserId, body: RoleChangeDocument, actor: CurrentMember
    ) -> Document[MemberAttributes]:
        async with portal_unit_of_work(infrastructure) as uow:
            member = await use_cases.change_role(
                uow, actor, user_id, body.data.attributes.role, clock.now()
            )
        return Document(data=member_resource(member, prefix))

    @router.delete(
        "/members/{user_id}",
        status_code=204,
        summary="Remove a member (owner or admin), or leave the team (your own user id)",
        description=(
            "Owner and admin remove others; any member but the owner removes themself "
            "(leaves). The owner is never removed (422 `OWNER_PROTECTED`: transfer ownership "
            "first). Someone not in the team is 404 `MEMBER_NOT_FOUND`. Emits "
            "`developer.team.member.changed.v1` (`removed` or `left`)."
        ),
        responses=error_responses(
            {
                403: ["TEAM_ROLE_FORBIDS"],
                404: ["MEMBER_NOT_FOUND", "RESOURCE_NOT_FOUND"],
                422: ["OWNER_PROTECTED"],
            }
        ),
    )
    async def remove_member(user_id: MemberUserId, actor: CurrentMember) -> Response:
        async with portal_unit_of_work(infrastructure) as uow:
            await use_cases.remove_member(uow, actor, user_id, clock.now())
        return Response(status_code=204)

    @router.post(
        "/ownership-transfer",
        response_model=Document[MemberAttributes],
        summary="Hand the account to another member (the owner only)",
        description=(
            "The member named becomes the owner, the caller becomes an admin, in one "
            "transaction: the account always has exactly one owner. Only the owner (403 "
            "`TEAM_ROLE_FORBIDS`); the new owner must be a member (404 `MEMBER_NOT_FOUND`) "
            "other than the caller (422 `ALREADY_OWNER`). Answers the new owner. Emits "
            "`developer.team.ownership.transferred.v1`."
        ),
        responses=error_responses(
            {
                403: ["TEAM_ROLE_FORBIDS"],
                404: ["MEMBER_NOT_FOUND", "RESOURCE_NOT_FOUND"],
                422: ["ALREADY_OWNER"],
            }
        ),
    )
    async def transfer_ownership(
        body: TransferDocument, actor: CurrentMember
    ) -> Document[MemberAttributes]:
        async with portal_unit_of_work(infrastructure) as uow:
            owner = await use_cases.transfer_account_ownership(
                uow, actor, body.data.attributes.user_id, clock.now()
            )
        return Document(data=member_resource(owner, prefix))

    return router
