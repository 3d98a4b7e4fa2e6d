"""`POST /gift-cards/purchases` (a user buys a gift card; Idempotency-Key required; the answer
is the ``gift_card`` payment) and `POST /gift-cards/purchases/{payment_id}/reveal` (the buyer
sees the code, once; then 409 ``GIFT_CARD_ALREADY_REVEALED``)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Request, Response
from parovoz_kit.auth import CurrentUserId
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
from parovoz_payment.domain.gift_card_purchases import PurchaseLimits, new_purchase
from parovoz_payment.domain.methods import parse_method_choice
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose
from parovoz_payment.use_cases.gift_card_purchases import record_purchase, reveal_code
from parovoz_payment.use_cases.payment_flow import PaymentOrder

#: Gift cards are sold in roubles, in Russia.
PURCHASE_REGION = "RU"


class PurchaseAttributes(BaseModel):
    amount: MoneyBody
    #: bank_card / sbp / sberpay / yoomoney / wallet, a saved method id, or null.
    method: str | None = None
    use_wallet: bool = False
    return_url: str | None = Field(default=None, max_length=2048)
    customer_email: str | None = Field(default=None, max_length=254)
    #: Whom the card is for (kept with the order; the buyer passes the code on).
    recipient_email: str | None = Field(default=None, max_length=254)
    message: str | None = Field(default=None, max_length=2000)


class PurchaseData(BaseModel):
    type: Literal["giftCardPurchase"]
    attributes: PurchaseAttributes


class PurchaseBody(BaseModel):
    data: PurchaseData


class RevealedCodeAttributes(BaseModel):
    #: ``ABCD-EFGH-JKMN-PQRS``: shown in this answer only.
    code: str
    value: MoneyBody
    expires_at: datetime


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
        summary="Buy a gift card; the answer is its payment",
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
                amount=Money(attributes.amount.amount_minor, attributes.amount.currency),
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
                return_url=attributes.return_url,
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
        summary="The bought card's code, shown once to its buyer",
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
