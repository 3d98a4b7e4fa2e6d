"""`POST /payments` (create, Idempotency-Key required) and `GET /payments/{payment_id}`."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Request, Response
from parovoz_kit.auth import CurrentPrincipal, CurrentUserId
from parovoz_kit.errors import ParovozError
from parovoz_kit.idempotency import IdempotencyKey, run_idempotent
from parovoz_kit.idempotency.store import Proceed
from parovoz_kit.infrastructure import Infrastructure
from pydantic import BaseModel, Field

from parovoz_payment.api.deps import RequestId
from parovoz_payment.api.schemas import Document, MoneyBody, Resource
from parovoz_payment.clients.providers.registry import ProviderRegistry
from parovoz_payment.domain.methods import parse_method_choice
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose
from parovoz_payment.use_cases.discounts import CodeOffer
from parovoz_payment.use_cases.fraud import fraud_screen
from parovoz_payment.use_cases.gift_cards import LookupLimiter
from parovoz_payment.use_cases.payment_flow import (
    PaymentOrder,
    PaymentView,
    create_payment,
    payment_for,
)


class PaymentCreationAttributes(BaseModel):
    purpose: PaymentPurpose
    amount: MoneyBody
    region: str = Field(examples=["RU"])
    game_id: uuid.UUID | None = None
    #: bank_card / sbp / sberpay / yoomoney / wallet, a saved method id, or null (choose at
    #: the provider's page).
    method: str | None = None
    return_url: str | None = Field(default=None, max_length=2048)
    customer_email: str | None = Field(default=None, max_length=254)
    use_wallet: bool = False
    save_method: bool = False
    reference: str | None = None
    #: One coupon, or several offered (``coupon_codes``): the best single one applies.
    coupon_code: str | None = Field(default=None, max_length=64)
    coupon_codes: list[str] = Field(default_factory=list, max_length=5)
    #: Gift cards paying the order, used in this order (several may be combined).
    gift_card_codes: list[str] = Field(default_factory=list, max_length=5)


class PaymentCreationData(BaseModel):
    type: Literal["paymentCreation"]
    attributes: PaymentCreationAttributes


class PaymentCreationBody(BaseModel):
    data: PaymentCreationData


class PaymentAttributes(BaseModel):
    status: str
    purpose: str
    amount: MoneyBody
    wallet_amount: MoneyBody
    #: Paid with gift cards; the card part is amount - wallet_amount - gift_card_amount.
    gift_card_amount: MoneyBody
    #: The price before the coupon, its discount, and the coupon (null without one).
    list_amount: MoneyBody
    discount: MoneyBody
    coupon_id: uuid.UUID | None
    region: str
    game_id: uuid.UUID | None
    reference: str | None
    method: str | None
    provider: str | None
    #: Send the buyer here to confirm the payment; null for wallet-only payments.
    confirmation_url: str | None
    cancellation_reason: str | None
    created_at: datetime
    expires_at: datetime
    succeeded_at: datetime | None


def payment_document(view: PaymentView, prefix: str) -> Document[PaymentAttributes]:
    payment = view.payment
    return Document(
        data=Resource(
            type="payment",
            id=str(payment.id),
            attributes=PaymentAttributes(
                status=payment.status.value,
                purpose=payment.purpose.value,
                amount=MoneyBody.of(payment.amount),
                wallet_amount=MoneyBody.of(payment.wallet_amount),
                gift_card_amount=MoneyBody.of(payment.gift_card_amount),
                list_amount=MoneyBody.of(payment.list_amount),
                discount=MoneyBody.of(payment.discount),
                coupon_id=payment.coupon_id,
                region=payment.region,
                game_id=payment.game_id,
                reference=payment.reference,
                method=payment.method.value if payment.method else None,
                provider=payment.provider.value if payment.provider else None,
                confirmation_url=view.confirmation_url,
                cancellation_reason=(
                    payment.cancellation_reason.value if payment.cancellation_reason else None
                ),
                created_at=payment.created_at,
                expires_at=payment.expires_at,
                succeeded_at=payment.succeeded_at,
            ),
            links={"self": f"{prefix}/{payment.id}"},
        )
    )


async def start_payment_document(
    infrastructure: Infrastructure,
    providers: ProviderRegistry,
    order: PaymentOrder,
    request_id: str | None,
) -> Document[PaymentAttributes]:
    """Create the payment (fraud-screened) and answer it as a JSON:API document."""
    view = await create_payment(
        infrastructure.unit_of_work,
        providers,
        infrastructure.clock,
        order,
        request_id=request_id,
        fraud=fraud_screen(infrastructure),
    )
    return payment_document(view, infrastructure.settings.api_prefix)


async def run_payment_creation(
    request: Request,
    infrastructure: Infrastructure,
    user_id: uuid.UUID,
    key: str,
    handler: Callable[[Proceed], Awaitable[Document[PaymentAttributes]]],
) -> Response:
    """Every route that creates a payment (payments, top-ups, donations) shares one key scope:
    one Idempotency-Key names one payment of the user, whichever route created it."""
    return await run_idempotent(
        request,
        infrastructure.idempotency,
        scope=f"payments:{user_id}",
        key=key,
        handler=handler,
        success_status=201,
    )


_ATTRIBUTES = "/data/attributes"


def _offers(attributes: PaymentCreationAttributes) -> tuple[CodeOffer, ...]:
    single = () if attributes.coupon_code is None else (attributes.coupon_code,)
    offers = [CodeOffer(code, f"{_ATTRIBUTES}/coupon_code") for code in single]
    offers += [
        CodeOffer(code, f"{_ATTRIBUTES}/coupon_codes/{index}")
        for index, code in enumerate(attributes.coupon_codes)
    ]
    return tuple(offers)


def payments_router(infrastructure: Infrastructure, providers: ProviderRegistry) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    router = APIRouter(prefix=prefix, tags=["payments"])
    gift_card_lookups = LookupLimiter(
        infrastructure.redis,
        infrastructure.settings.gift_card_lookup_limit,  # type: ignore[attr-defined]
        infrastructure.settings.gift_card_lookup_window_seconds,  # type: ignore[attr-defined]
    )

    @router.post(
        "",
        status_code=201,
        response_model=Document[PaymentAttributes],
        summary="Start a payment; the answer's confirmation_url is where the buyer pays",
    )
    async def post_payment(
        request: Request,
        body: PaymentCreationBody,
        user_id: CurrentUserId,
        key: IdempotencyKey,
        request_id: RequestId,
    ) -> Response:
        attributes = body.data.attributes
        order = PaymentOrder(
            user_id=user_id,
            purpose=attributes.purpose,
            amount=Money(attributes.amount.amount_minor, attributes.amount.currency),
            region=attributes.region,
            choice=parse_method_choice(attributes.method),
            return_url=attributes.return_url,
            use_wallet=attributes.use_wallet,
            save_method=attributes.save_method,
            reference=attributes.reference,
            game_id=attributes.game_id,
            customer_email=attributes.customer_email,
            coupons=_offers(attributes),
            gift_cards=tuple(
                CodeOffer(code, f"{_ATTRIBUTES}/gift_card_codes/{index}")
                for index, code in enumerate(attributes.gift_card_codes)
            ),
        )

        async def handler(_: Proceed) -> Document[PaymentAttributes]:
            if order.gift_cards:
                await gift_card_lookups.check(user_id)
            try:
                return await start_payment_document(infrastructure, providers, order, request_id)
            except ParovozError as error:
                if error.code == "GIFT_CARD_NOT_FOUND":  # a guess counts like a balance check
                    await gift_card_lookups.failed(user_id)
                raise

        return await run_payment_creation(request, infrastructure, user_id, key, handler)

    # Only a uuid matches: /docs, /openapi.json and unknown paths under the prefix stay theirs.
    @router.get(
        "/{payment_id:uuid}",
        response_model=Document[PaymentAttributes],
        summary="A payment: for its payer or any service",
    )
    async def get_payment(
        payment_id: uuid.UUID, principal: CurrentPrincipal
    ) -> Document[PaymentAttributes]:
        viewer: uuid.UUID | None = None
        if not principal.is_service:
            try:
                viewer = uuid.UUID(principal.subject)
            except ValueError:
                viewer = uuid.UUID(int=0)  # matches nobody: 404 like any stranger
        view = await payment_for(infrastructure.unit_of_work, viewer, payment_id)
        return payment_document(view, prefix)

    return router
