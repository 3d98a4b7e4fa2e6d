"""developer-portal over gRPC (service token, deadline, retries — reads only — and a circuit
breaker, all from the kit's PeerClient): a user's membership of a developer account
(``GetDeveloper``) and a game's owner (``GetGame``). developer-portal down: ``Unavailable``
(503 ``DEVELOPER_PORTAL_UNAVAILABLE``); no such member or game: None."""

from __future__ import annotations

import uuid
from typing import Any

from parovoz.developer.v1 import developer_service_pb2 as pb
from parovoz.developer.v1.developer_service_pb2_grpc import DeveloperServiceStub
from parovoz_kit.errors import NotFound, Unavailable
from parovoz_kit.infrastructure import Infrastructure

from parovoz_greenlight.submissions.service import GameOwner, Membership

IDEMPOTENT_METHODS = frozenset({"GetDeveloper", "GetGame"})


def _enum(enum: Any, value: int, prefix: str) -> str | None:
    name: str = enum.Name(value)
    return None if name.endswith("UNSPECIFIED") else name.removeprefix(prefix).lower()


def developer_portal_unavailable() -> Unavailable:
    return Unavailable(
        "developer-portal does not answer; try again shortly.",
        code="DEVELOPER_PORTAL_UNAVAILABLE",
        detail_ru="Кабинет разработчика не отвечает; повторите попытку чуть позже.",
    )


def membership_of(reply: pb.GetDeveloperResponse) -> Membership:
    developer = reply.developer
    return Membership(
        developer_id=uuid.UUID(developer.id),
        role=_enum(pb.TeamRole, reply.member.role, "TEAM_ROLE_") or "",
        account_status=_enum(pb.DeveloperStatus, developer.status, "DEVELOPER_STATUS_") or "",
        publishing_track=_enum(pb.PublishingTrack, developer.publishing_track, "PUBLISHING_TRACK_"),
    )


class DeveloperPortal:
    """``Developers`` (submissions' port, fees' too) answered by developer-portal."""

    def __init__(self, infrastructure: Infrastructure) -> None:
        target = infrastructure.settings.developer_portal_grpc_target  # type: ignore[attr-defined]
        peer = infrastructure.peer("developer-portal", target, IDEMPOTENT_METHODS)
        self._stub = peer.stub(DeveloperServiceStub)

    async def _call(self, method: str, request: Any) -> Any:
        try:
            return await getattr(self._stub, method)(request)
        except NotFound:
            return None
        except Unavailable:
            raise developer_portal_unavailable() from None

    async def membership(
        self, user_id: uuid.UUID, developer_id: uuid.UUID | None = None
    ) -> Membership | None:
        """The user's membership of ``developer_id`` (or of their one account when None; a
        user in several teams must name the account)."""
        if developer_id is not None:
            request = pb.GetDeveloperRequest(
                membership=pb.MembershipLookup(developer_id=str(developer_id), user_id=str(user_id))
            )
        else:
            request = pb.GetDeveloperRequest(member_user_id=str(user_id))
        reply = await self._call("GetDeveloper", request)
        return None if reply is None else membership_of(reply)

    async def game_owner(self, game_id: uuid.UUID) -> GameOwner | None:
        reply = await self._call("GetGame", pb.GetGameRequest(game_id=str(game_id)))
        if reply is None or not reply.game.developer_id:
            return None
        return GameOwner(game_id=game_id, developer_id=uuid.UUID(reply.game.developer_id))


def developer_portal(infrastructure: Infrastructure) -> DeveloperPortal:
    """The process's one client of developer-portal."""
    return infrastructure.shared("developer-portal", lambda: DeveloperPortal(infrastructure))
