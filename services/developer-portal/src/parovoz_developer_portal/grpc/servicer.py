"""gRPC surface of developer-portal (`parovoz.developer.v1.DeveloperService`).

GetDeveloper and GetGame answer other services (service tokens only); GetPayoutMethod gives
bank details to the payment service only, at payout time. Who may call what is the table in
``grpc/callers.py``, enforced by the kit's interceptor before a method runs.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import grpc
from parovoz.developer.v1 import developer_service_pb2 as pb
from parovoz.developer.v1 import developer_service_pb2_grpc
from parovoz_kit.errors import NotFound, ValidationFailed
from parovoz_kit.grpc import GrpcService
from parovoz_kit.infrastructure import Infrastructure

from parovoz_developer_portal.finance.service.payouts import payout_method_for_payment
from parovoz_developer_portal.finance_unit_of_work import finance_unit_of_work
from parovoz_developer_portal.grpc.messages import (
    developer_message,
    game_message,
    member_message,
    payout_method_message,
)
from parovoz_developer_portal.unit_of_work import SqlPortalUnitOfWork, portal_unit_of_work


def _uuid(value: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ValidationFailed(
            f"{field} must be a UUID.", code="INVALID_ID", pointer=field
        ) from None


class DeveloperService(developer_service_pb2_grpc.DeveloperServiceServicer):
    def __init__(self, infrastructure: Infrastructure) -> None:
        self._infrastructure = infrastructure

    def _uow(self) -> SqlPortalUnitOfWork:
        return portal_unit_of_work(self._infrastructure)

    async def GetDeveloper(
        self, request: pb.GetDeveloperRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetDeveloperResponse:
        lookup = request.WhichOneof("lookup")
        async with self._uow() as uow:
            if lookup == "developer_id":
                account = await uow.accounts.get(_uuid(request.developer_id, "developer_id"))
                if account is not None:
                    return pb.GetDeveloperResponse(developer=developer_message(account))
            elif lookup == "member_user_id":
                user_id = _uuid(request.member_user_id, "member_user_id")
                membership = await uow.accounts.membership_of(user_id)
                if membership is not None:
                    return pb.GetDeveloperResponse(
                        developer=developer_message(membership.account),
                        member=member_message(user_id, membership.role),
                    )
            elif lookup == "membership":
                developer_id = _uuid(request.membership.developer_id, "membership.developer_id")
                user_id = _uuid(request.membership.user_id, "membership.user_id")
                role = await uow.accounts.role_of(developer_id, user_id)
                account = await uow.accounts.get(developer_id) if role else None
                if account is not None and role is not None:
                    return pb.GetDeveloperResponse(
                        developer=developer_message(account), member=member_message(user_id, role)
                    )
            else:
                raise ValidationFailed("Say which developer to look up.", code="LOOKUP_REQUIRED")
        raise NotFound("No such developer.", code="DEVELOPER_NOT_FOUND")

    async def GetGame(
        self, request: pb.GetGameRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetGameResponse:
        async with self._uow() as uow:
            game = await uow.games.get(_uuid(request.game_id, "game_id"))
            prices = await uow.prices.current(game.id) if game else None
        if game is None:
            raise NotFound(f"Game {request.game_id} does not exist.", code="GAME_NOT_FOUND")
        return pb.GetGameResponse(game=game_message(game, prices))

    async def GetPayoutMethod(
        self, request: pb.GetPayoutMethodRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetPayoutMethodResponse:
        # Only payment gets here (grpc/callers.py): it reads the details at payout time.
        developer_id = _uuid(request.developer_id, "developer_id")
        method_id = _uuid(request.payout_method_id, "payout_method_id")
        async with finance_unit_of_work(self._infrastructure) as uow:
            method = await payout_method_for_payment(uow, developer_id, method_id)
        return pb.GetPayoutMethodResponse(payout_method=payout_method_message(method))


def grpc_services(infrastructure: Infrastructure) -> Sequence[GrpcService]:
    descriptor = pb.DESCRIPTOR.services_by_name["DeveloperService"]
    return [
        GrpcService(
            full_name=descriptor.full_name,
            servicer=DeveloperService(infrastructure),
            register=developer_service_pb2_grpc.add_DeveloperServiceServicer_to_server,
        )
    ]
