"""`PUT /streamers/me/payout-destination` (the signed-in streamer registers the YooMoney wallet
their payouts go to) and `GET` of it (masked: the last four digits only)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter
from parovoz_kit.auth import CurrentUserId
from parovoz_kit.errors import NotFound
from parovoz_kit.http.fields import RequestModel, Text
from parovoz_kit.infrastructure import Infrastructure
from pydantic import BaseModel, ConfigDict, Field

from parovoz_payment.api.deps import RequestId
from parovoz_payment.api.documented_errors import (
    PAYOUT_DESTINATION_CHANGE,
    PAYOUT_DESTINATION_READ,
    documented,
)
from parovoz_payment.api.schemas import Document, Resource
from parovoz_payment.domain.streamer_payouts import SealedDestination
from parovoz_payment.use_cases.streamer_payouts import payout_destination, set_payout_destination


class DestinationInput(RequestModel):
    kind: Literal["yoo_money"] = Field(
        default="yoo_money",
        description="Optional, default `yoo_money`: a YooMoney wallet (the only kind).",
    )
    account_number: Annotated[str, Text(64)] = Field(
        description=(
            "Required. The YooMoney wallet number, 11 to 20 digits (spaces ignored); sealed, "
            "never answered back nor logged."
        ),
        examples=["41001234567890"],
    )


class DestinationData(RequestModel):
    type: Literal["streamerPayoutDestination"] = Field(
        description="Required: `streamerPayoutDestination`."
    )
    attributes: DestinationInput = Field(description="The wallet.")


class DestinationBody(RequestModel):
    """`PUT /streamers/me/payout-destination`: the wallet the streamer's payouts go to."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "data": {
                        "type": "streamerPayoutDestination",
                        "attributes": {"kind": "yoo_money", "account_number": "41001234567890"},
                    }
                }
            ]
        }
    )

    data: DestinationData = Field(description="The wallet.")


class DestinationAttributes(BaseModel):
    kind: str = Field(description="yoo_money.")
    account_last4: str = Field(description="The wallet number's last four digits.")


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
        responses=documented(PAYOUT_DESTINATION_CHANGE),
        summary="Register the YooMoney wallet the streamer's payouts go to",
        description=(
            "Registers (or replaces) the YooMoney wallet the signed-in streamer's payouts go "
            "to; the answer shows its last four digits only. Audit-logged."
        ),
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
        responses=documented(PAYOUT_DESTINATION_READ),
        summary="The streamer's payout destination, masked",
        description=(
            "The signed-in streamer's payout wallet, masked (last four digits); 404 "
            "PAYOUT_DESTINATION_NOT_FOUND before one is registered."
        ),
    )
    async def get_destination(user_id: CurrentUserId) -> Document[DestinationAttributes]:
        sealed = await payout_destination(infrastructure.unit_of_work, user_id)
        if sealed is None:
            raise NotFound(
                "No payout destination is registered.", code="PAYOUT_DESTINATION_NOT_FOUND"
            )
        return _document(user_id, sealed)

    return router
