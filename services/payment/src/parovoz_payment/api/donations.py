"""`POST /donations` (a user donates to a streamer; Idempotency-Key required) and
`GET /streamers/{streamer_id}/balance` (the streamer themself, or an admin)."""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter, Request, Response
from parovoz_kit.auth import CurrentPrincipal, CurrentUserId
from parovoz_kit.errors import PermissionDenied
from parovoz_kit.idempotency import IdempotencyKey
from parovoz_kit.idempotency.store import Proceed
from parovoz_kit.infrastructure import Infrastructure
from pydantic import BaseModel, Field

from parovoz_payment.api.deps import RequestId
from parovoz_payment.api.payments import (
    PaymentAttributes,
    run_payment_creation,
    start_payment_document,
)
from parovoz_payment.api.schemas import Document, MoneyBody, Resource
from parovoz_payment.clients.providers.registry import ProviderRegistry
from parovoz_payment.domain.donations import new_donation
from parovoz_payment.domain.methods import parse_method_choice
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose
from parovoz_payment.use_cases.donations import record_donation, streamer_balance
from parovoz_payment.use_cases.payment_flow import PaymentOrder

#: Streamer balances are roubles, paid out in Russia.
DONATION_REGION = "RU"


class DonationAttributes(BaseModel):
    streamer_id: uuid.UUID
    amount: MoneyBody
    #: Shown to the streamer; checked by the domain (at most 300 characters).
    message: str | None = Field(default=None, max_length=2000)
    #: bank_card / sbp / sberpay / yoomoney / wallet, a saved method id, or null.
    method: str | None = None
    use_wallet: bool = False
    return_url: str | None = Field(default=None, max_length=2048)
    customer_email: str | None = Field(default=None, max_length=254)


class DonationData(BaseModel):
    type: Literal["donation"]
    attributes: DonationAttributes


class DonationBody(BaseModel):
    data: DonationData


class StreamerBalanceAttributes(BaseModel):
    balance: MoneyBody


def donations_router(infrastructure: Infrastructure, providers: ProviderRegistry) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    router = APIRouter(prefix=prefix, tags=["donations"])

    @router.post(
        "/donations",
        status_code=201,
        response_model=Document[PaymentAttributes],
        summary="Donate to a streamer; the answer is the donation's payment",
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
                amount=Money(attributes.amount.amount_minor, attributes.amount.currency),
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
                return_url=attributes.return_url,
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
        summary="A streamer's balance from donations (the streamer themself or an admin)",
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
