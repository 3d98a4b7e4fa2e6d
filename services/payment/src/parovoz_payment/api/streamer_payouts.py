"""`PUT /streamers/me/payout-destination` (the signed-in streamer registers the YooMoney wallet
their payouts go to) and `GET` of it (masked: the last four digits only)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from parovoz_kit.auth import CurrentUserId
from parovoz_kit.errors import NotFound
from parovoz_kit.infrastructure import Infrastructure
from pydantic import BaseModel, Field

from parovoz_payment.api.deps import RequestId
from parovoz_payment.api.schemas import Document, Resource
from parovoz_payment.domain.streamer_payouts import SealedDestination
from parovoz_payment.use_cases.streamer_payouts import payout_destination, set_payout_destination


class DestinationInput(BaseModel):
    kind: Literal["yoo_money"] = "yoo_money"
    #: The wallet number; never answered back nor logged.
    account_number: str = Field(max_length=64)


class DestinationData(BaseModel):
    type: Literal["streamerPayoutDestination"]
    attributes: DestinationInput


class DestinationBody(BaseModel):
    data: DestinationData


class DestinationAttributes(BaseModel):
    kind: str
    account_last4: str


def _document(user_id: object, sealed: SealedDestination) -> Document[DestinationAttributes]:
    return Document(
        data=Resource(
            type="streamerPayoutDestination",
            id=str(user_id),
            attributes=DestinationAttributes(kind=sealed.kind, account_last4=sealed.account_last4),
        )
    )


def streamer_payouts_router(infrastructure: Infrastructure) -> APIRouter:
    router = APIRouter(
        prefix=f"{infrastructure.settings.api_prefix}/streamers/me", tags=["donations"]
    )
    sealer = infrastructure.settings.sealer()  # type: ignore[attr-defined]

    @router.put(
        "/payout-destination",
        response_model=Document[DestinationAttributes],
        summary="Register the YooMoney wallet the streamer's payouts go to",
    )
    async def put_destination(
        body: DestinationBody, user_id: CurrentUserId, request_id: RequestId
    ) -> Document[DestinationAttributes]:
        sealed = await set_payout_destination(
            infrastructure.unit_of_work, infrastructure.clock, sealer, user_id,
            body.data.attributes.account_number, request_id=request_id,
        )  # fmt: skip
        return _document(user_id, sealed)

    @router.get(
        "/payout-destination",
        response_model=Document[DestinationAttributes],
        summary="The streamer's payout destination, masked",
    )
    async def get_destination(user_id: CurrentUserId) -> Document[DestinationAttributes]:
        sealed = await payout_destination(infrastructure.unit_of_work, user_id)
        if sealed is None:
            raise NotFound(
                "No payout destination is registered.", code="PAYOUT_DESTINATION_NOT_FOUND"
            )
        return _document(user_id, sealed)

    return router
