"""`POST /donations` (a user donates to a streamer; Idempotency-Key required) and
`GET /streamers/{streamer_id}/balance` (the streamer themself, or an admin)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Request, Response
from parovoz_kit.auth import CurrentPrincipal, CurrentUserId
from parovoz_kit.errors import PermissionDenied
from parovoz_kit.http.fields import RequestModel, Text
from parovoz_kit.idempotency import IdempotencyKey
from parovoz_kit.idempotency.store import Proceed
from parovoz_kit.infrastructure import Infrastructure
from pydantic import BaseModel, ConfigDict, Field

from parovoz_payment.api.deps import RequestId
from parovoz_payment.api.documented_errors import (
    DONATION,
    PAYMENT_START,
    STREAMER_BALANCE,
    documented,
)
from parovoz_payment.api.payments import (
    PaymentAttributes,
    return_url_or_default,
    run_payment_creation,
    start_payment_document,
)
from parovoz_payment.api.schemas import (
    Document,
    MoneyBody,
    MoneyInput,
    Resource,
    WalletCheckoutFields,
)
from parovoz_payment.clients.providers.registry import ProviderRegistry
from parovoz_payment.domain.donations import MESSAGE_MAX_LENGTH, new_donation
from parovoz_payment.domain.methods import parse_method_choice
from parovoz_payment.domain.payment_purposes import Origin, Route
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose
from parovoz_payment.use_cases.donations import record_donation, streamer_balance
from parovoz_payment.use_cases.payment_flow import PaymentOrder

#: Streamer balances are roubles, paid out in Russia.
DONATION_REGION = "RU"


class DonationAttributes(WalletCheckoutFields):
    streamer_id: uuid.UUID = Field(description="Required. The streamer's user id (uuid).")
    amount: MoneyInput = Field(
        description=(
            "Required. The donation, positive, in RUB (streamer balances are roubles); the "
            "platform keeps its commission (5 % by default), the rest is the streamer's."
        )
    )
    message: Annotated[str, Text(MESSAGE_MAX_LENGTH)] | None = Field(
        default=None,
        description=(
            "Optional. Shown to the streamer with the donation, at most 300 characters "
            "(surrounding spaces dropped)."
        ),
    )


class DonationData(RequestModel):
    type: Literal["donation"] = Field(description="Required: `donation`.")
    attributes: DonationAttributes = Field(description="The donation.")


class DonationBody(RequestModel):
    """`POST /donations`: a donation to a streamer."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "data": {
                        "type": "donation",
                        "attributes": {
                            "streamer_id": "5a1e9c07-3f1b-4d2a-8e6c-9b0d7f2a4c11",
                            "amount": {"amount_minor": 30000, "currency": "RUB"},
                            "message": "Спасибо за стрим!",
                            "method": "sbp",
                            "return_url": "https://parovoz.example/payments/return",
                        },
                    }
                }
            ]
        }
    )

    data: DonationData = Field(description="The donation.")


class StreamerBalanceAttributes(BaseModel):
    balance: MoneyBody = Field(
        description="What the streamer's donations left them, net of payouts and refunds."
    )


def donations_router(infrastructure: Infrastructure, providers: ProviderRegistry) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    router = APIRouter(prefix=prefix, tags=["donations"])

    @router.post(
        "/donations",
        status_code=201,
        response_model=Document[PaymentAttributes],
        responses=documented(PAYMENT_START, DONATION),
        summary="Donate to a streamer; the answer is the donation's payment",
        description=(
            "Records a donation of the signed-in user to a streamer and starts its "
            "`donation` payment (Idempotency-Key required); the streamer's balance is "
            "credited when the payment succeeds."
        ),
    )
    async def post_donation(
        request: Request,
        body: DonationBody,
        user_id: CurrentUserId,
        key: IdempotencyKey,
        request_id: RequestId,
    ) -> Response:
        attributes = body.data.attributes

        async def handler(_: Proceed) -> Document[PaymentAttributes]:
            donation = new_donation(
                user_id=user_id,
                streamer_id=attributes.streamer_id,
                amount=attributes.amount.money(),
                message=attributes.message,
                now=infrastructure.clock.now(),
            )
            choice = parse_method_choice(attributes.method)
            await record_donation(infrastructure.unit_of_work, donation)
            order = PaymentOrder(
                user_id=user_id,
                purpose=PaymentPurpose.DONATION,
                amount=donation.amount,
                region=DONATION_REGION,
                choice=choice,
                return_url=return_url_or_default(infrastructure, attributes.return_url),
                origin=Origin.user(Route.DONATIONS),
                use_wallet=attributes.use_wallet,
                reference=donation.payment_reference,
                metadata={"streamer_id": str(donation.streamer_id)},
                customer_email=attributes.customer_email,
            )
            return await start_payment_document(infrastructure, providers, order, request_id)

        return await run_payment_creation(request, infrastructure, user_id, key, handler)

    @router.get(
        "/streamers/{streamer_id}/balance",
        response_model=Document[StreamerBalanceAttributes],
        responses=documented(STREAMER_BALANCE),
        summary="A streamer's balance from donations (the streamer themself or an admin)",
        description=(
            "The streamer's balance from donations. Only the streamer themself or an admin "
            "sees it (403 STREAMER_BALANCE_FORBIDDEN otherwise)."
        ),
    )
    async def get_streamer_balance(
        streamer_id: uuid.UUID, principal: CurrentPrincipal
    ) -> Document[StreamerBalanceAttributes]:
        if principal.subject != str(streamer_id) and "admin" not in principal.roles:
            raise PermissionDenied(
                "Only the streamer or an admin sees this balance.",
                code="STREAMER_BALANCE_FORBIDDEN",
            )
        async with infrastructure.session_factory() as session:
            balance = await streamer_balance(session, streamer_id)
        return Document(
            data=Resource(
                type="streamerBalance",
                id=str(streamer_id),
                attributes=StreamerBalanceAttributes(balance=MoneyBody.of(balance)),
            )
        )

    return router
