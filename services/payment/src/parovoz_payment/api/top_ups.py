"""`POST /wallet/top-ups`: put money on the signed-in user's wallet (Idempotency-Key required).

A ``wallet_top_up`` payment is started like any other (the domain checks the wallet's limits
and cap against its current balance, as for a top-up started by ``POST /payments`` or over
gRPC): the wallet is credited when the provider confirms it succeeded.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response
from parovoz_kit.auth import CurrentUserId
from parovoz_kit.http.fields import Flag, RequestModel
from parovoz_kit.idempotency import IdempotencyKey
from parovoz_kit.idempotency.store import Proceed
from parovoz_kit.infrastructure import Infrastructure
from pydantic import ConfigDict, Field

from parovoz_payment.api.deps import RequestId
from parovoz_payment.api.documented_errors import PAYMENT_START, TOP_UP, documented
from parovoz_payment.api.payments import (
    PaymentAttributes,
    return_url_or_default,
    run_payment_creation,
    start_payment_document,
)
from parovoz_payment.api.schemas import (
    CheckoutFields,
    Document,
    MethodText,
    MoneyInput,
)
from parovoz_payment.clients.providers.registry import ProviderRegistry
from parovoz_payment.domain.methods import parse_method_choice
from parovoz_payment.domain.payment_purposes import Origin, Route
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose
from parovoz_payment.use_cases.payment_flow import PaymentOrder

#: The wallet is a Russian e-wallet (161-FZ): topped up in RUB from Russia.
TOP_UP_REGION = "RU"


class TopUpAttributes(CheckoutFields):
    amount: MoneyInput = Field(
        description=(
            "Required. How much to put on the wallet, in RUB: within the wallet's top-up "
            "limits (`GET /wallet`: 100.00..15,000.00 RUB by default) and the balance cap."
        )
    )
    method: MethodText | None = Field(
        default=None,
        description=(
            "How the user pays: `bank_card`, `sbp`, `sberpay`, `yoomoney`, or a saved "
            "method's id; never `wallet` (422 TOP_UP_METHOD_NOT_ALLOWED). Optional: null lets "
            "the user choose on the provider's page."
        ),
    )
    save_method: Flag = Field(
        default=False,
        description="Optional, default false. true: keep the card for later payments.",
    )


class TopUpData(RequestModel):
    type: Literal["walletTopUp"] = Field(description="Required: `walletTopUp`.")
    attributes: TopUpAttributes = Field(description="The top-up.")


class TopUpBody(RequestModel):
    """`POST /wallet/top-ups`: a top-up of the signed-in user's wallet."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "data": {
                        "type": "walletTopUp",
                        "attributes": {
                            "amount": {"amount_minor": 50000, "currency": "RUB"},
                            "method": "bank_card",
                            "return_url": "https://parovoz.example/wallet",
                        },
                    }
                }
            ]
        }
    )

    data: TopUpData = Field(description="The top-up.")


def top_ups_router(infrastructure: Infrastructure, providers: ProviderRegistry) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    router = APIRouter(prefix=prefix, tags=["wallet"])

    @router.post(
        "/wallet/top-ups",
        status_code=201,
        response_model=Document[PaymentAttributes],
        responses=documented(PAYMENT_START, TOP_UP),
        summary="Top up the wallet; the answer's confirmation_url is where the user pays",
        description=(
            "Starts a `wallet_top_up` payment of the signed-in user (Idempotency-Key "
            "required). The amount is checked against the top-up limits and the 161-FZ "
            "balance cap; the wallet is credited when the provider confirms the payment."
        ),
    )
    async def post_top_up(
        request: Request,
        body: TopUpBody,
        user_id: CurrentUserId,
        key: IdempotencyKey,
        request_id: RequestId,
    ) -> Response:
        attributes = body.data.attributes
        # The wallet's limits, its cap and "not from itself" are the domain's, checked where
        # every top-up is created (create_payment), whichever endpoint or RPC starts it.
        order = PaymentOrder(
            user_id=user_id,
            purpose=PaymentPurpose.WALLET_TOP_UP,
            amount=attributes.amount.money(),
            region=TOP_UP_REGION,
            choice=parse_method_choice(attributes.method),
            return_url=return_url_or_default(infrastructure, attributes.return_url),
            origin=Origin.user(Route.WALLET_TOP_UPS),
            save_method=attributes.save_method,
            customer_email=attributes.customer_email,
        )

        async def handler(_: Proceed) -> Document[PaymentAttributes]:
            return await start_payment_document(infrastructure, providers, order, request_id)

        return await run_payment_creation(request, infrastructure, user_id, key, handler)

    return router
