"""`POST /gift-cards/purchases` (a user buys a gift card; Idempotency-Key required; the answer
is the ``gift_card`` payment) and `POST /gift-cards/purchases/{payment_id}/reveal` (the buyer
sees the code, once; then 409 ``GIFT_CARD_ALREADY_REVEALED``)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Request, Response
from parovoz_kit.auth import CurrentUserId
from parovoz_kit.http.fields import RequestModel, Text
from parovoz_kit.idempotency import IdempotencyKey
from parovoz_kit.idempotency.store import Proceed
from parovoz_kit.infrastructure import Infrastructure
from pydantic import BaseModel, ConfigDict, Field

from parovoz_payment.api.deps import RequestId
from parovoz_payment.api.documented_errors import (
    GIFT_CARD_PURCHASE,
    GIFT_CARD_REVEAL,
    PAYMENT_START,
    documented,
)
from parovoz_payment.api.payments import (
    PaymentAttributes,
    return_url_or_default,
    run_payment_creation,
    start_payment_document,
)
from parovoz_payment.api.schemas import (
    EMAIL_LENGTH,
    Document,
    MoneyBody,
    MoneyInput,
    Resource,
    WalletCheckoutFields,
)
from parovoz_payment.clients.providers.registry import ProviderRegistry
from parovoz_payment.domain.gift_card_purchases import (
    MESSAGE_MAX_LENGTH,
    PurchaseLimits,
    new_purchase,
)
from parovoz_payment.domain.methods import parse_method_choice
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_purposes import Origin, Route
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose
from parovoz_payment.use_cases.gift_card_purchases import record_purchase, reveal_code
from parovoz_payment.use_cases.payment_flow import PaymentOrder

#: Gift cards are sold in roubles, in Russia.
PURCHASE_REGION = "RU"


class PurchaseAttributes(WalletCheckoutFields):
    amount: MoneyInput = Field(
        description=(
            "Required. The card's value, in RUB, 500.00..15,000.00 RUB by default "
            "(422 INVALID_GIFT_CARD_VALUE outside, GIFT_CARD_CURRENCY_NOT_SUPPORTED in another "
            "currency)."
        )
    )
    recipient_email: Annotated[str, Text(EMAIL_LENGTH)] | None = Field(
        default=None,
        description=(
            "Optional. Whom the card is for, kept with the order (the buyer passes the code "
            "on); an e-mail address, at most 254 characters."
        ),
    )
    message: Annotated[str, Text(MESSAGE_MAX_LENGTH)] | None = Field(
        default=None,
        description="Optional. A message for the recipient, at most 500 characters.",
    )


class PurchaseData(RequestModel):
    type: Literal["giftCardPurchase"] = Field(description="Required: `giftCardPurchase`.")
    attributes: PurchaseAttributes = Field(description="The purchase.")


class PurchaseBody(RequestModel):
    """`POST /gift-cards/purchases`: buy a gift card."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "data": {
                        "type": "giftCardPurchase",
                        "attributes": {
                            "amount": {"amount_minor": 100000, "currency": "RUB"},
                            "method": "bank_card",
                            "return_url": "https://parovoz.example/payments/return",
                            "recipient_email": "friend@example.com",
                            "message": "С днём рождения!",
                        },
                    }
                }
            ]
        }
    )

    data: PurchaseData = Field(description="The purchase.")


class RevealedCodeAttributes(BaseModel):
    code: str = Field(
        description="The card's code, `ABCD-EFGH-JKMN-PQRS`: shown in this answer only."
    )
    value: MoneyBody = Field(description="The card's value.")
    expires_at: datetime = Field(description="When the card expires (ISO 8601).")


def gift_card_purchases_router(
    infrastructure: Infrastructure, providers: ProviderRegistry
) -> APIRouter:
    settings = infrastructure.settings
    prefix = f"{settings.api_prefix}/gift-cards/purchases"
    router = APIRouter(prefix=prefix, tags=["gift cards"])
    limits = PurchaseLimits(
        currency=settings.gift_card_purchase_currency,  # type: ignore[attr-defined]
        min_minor=settings.gift_card_purchase_min_minor,  # type: ignore[attr-defined]
        max_minor=settings.gift_card_purchase_max_minor,  # type: ignore[attr-defined]
    )

    @router.post(
        "",
        status_code=201,
        response_model=Document[PaymentAttributes],
        responses=documented(PAYMENT_START, GIFT_CARD_PURCHASE),
        summary="Buy a gift card; the answer is its payment",
        description=(
            "Records a gift card order of the signed-in user and starts its `gift_card` "
            "payment (Idempotency-Key required). When the payment succeeds the card is "
            "issued; its buyer sees the code once with `POST "
            "/gift-cards/purchases/{payment_id}/reveal`."
        ),
    )
    async def post_purchase(
        request: Request,
        body: PurchaseBody,
        user_id: CurrentUserId,
        key: IdempotencyKey,
        request_id: RequestId,
    ) -> Response:
        attributes = body.data.attributes

        async def handler(_: Proceed) -> Document[PaymentAttributes]:
            order = new_purchase(
                user_id=user_id,
                amount=attributes.amount.money(),
                recipient_email=attributes.recipient_email,
                message=attributes.message,
                limits=limits,
                now=infrastructure.clock.now(),
            )
            choice = parse_method_choice(attributes.method)
            await record_purchase(infrastructure.unit_of_work, order)
            payment_order = PaymentOrder(
                user_id=user_id,
                purpose=PaymentPurpose.GIFT_CARD,
                amount=order.amount,
                region=PURCHASE_REGION,
                choice=choice,
                return_url=return_url_or_default(infrastructure, attributes.return_url),
                origin=Origin.user(Route.GIFT_CARD_PURCHASES),
                use_wallet=attributes.use_wallet,
                reference=order.payment_reference,
                customer_email=attributes.customer_email,
            )
            return await start_payment_document(
                infrastructure, providers, payment_order, request_id
            )

        return await run_payment_creation(request, infrastructure, user_id, key, handler)

    @router.post(
        "/{payment_id}/reveal",
        response_model=Document[RevealedCodeAttributes],
        responses=documented(GIFT_CARD_REVEAL),
        summary="The bought card's code, shown once to its buyer",
        description=(
            "The code of the card bought by the payment, for its buyer, once: a second "
            "reveal is 409 GIFT_CARD_ALREADY_REVEALED; before the payment succeeded, 409 "
            "GIFT_CARD_NOT_ISSUED."
        ),
    )
    async def post_reveal(
        payment_id: uuid.UUID, user_id: CurrentUserId, response: Response
    ) -> Document[RevealedCodeAttributes]:
        response.headers["Cache-Control"] = "no-store"  # a secret: no cache keeps it
        revealed = await reveal_code(
            infrastructure.unit_of_work, infrastructure.clock, user_id, payment_id
        )
        card = revealed.card
        return Document(
            data=Resource(
                type="giftCardCode",
                id=str(card.id),
                attributes=RevealedCodeAttributes(
                    code=revealed.code,
                    value=MoneyBody.of(Money(card.initial_minor, card.currency)),
                    expires_at=card.expires_at,
                ),
            )
        )

    return router
