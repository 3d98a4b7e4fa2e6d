"""`POST /payments` (create, Idempotency-Key required) and `GET /payments/{payment_id}`."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Request, Response
from parovoz_kit.auth import CurrentPrincipal, CurrentUserId
from parovoz_kit.errors import ParovozError
from parovoz_kit.http.fields import CountryCode, Flag, RequestModel, Text
from parovoz_kit.idempotency import IdempotencyKey, run_idempotent
from parovoz_kit.idempotency.store import Proceed
from parovoz_kit.infrastructure import Infrastructure
from pydantic import BaseModel, ConfigDict, Field

from parovoz_payment.api.deps import RequestId
from parovoz_payment.api.documented_errors import PAYMENT, PAYMENT_READ, PAYMENT_START, documented
from parovoz_payment.api.schemas import (
    COUPON_CODE_LENGTH,
    GIFT_CARD_CODE_LENGTH,
    METHOD_DESCRIPTION,
    CheckoutFields,
    Document,
    MethodText,
    MoneyBody,
    MoneyInput,
    Resource,
)
from parovoz_payment.clients.providers.registry import ProviderRegistry
from parovoz_payment.domain.methods import parse_method_choice
from parovoz_payment.domain.payment_purposes import Origin, Route
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

PURPOSE_DESCRIPTION = (
    "Required. What the payment is for; here: `game_purchase` (a game published in the store; "
    "`game_id` required, the amount must be the game's price in the region, "
    "`GET /game-prices/{game_id}`), `wallet_top_up` (money onto the Parovoz wallet, within its "
    "limits; `POST /wallet/top-ups` does the same), `card_verification` (binds a new bank card "
    "with a 1.00 RUB authorization that is then cancelled: `save_method` true, `method` "
    "`bank_card` or null). Every other purpose has its own path and is refused here with 422 "
    "`PAYMENT_PURPOSE_NOT_ALLOWED`: `donation` (`POST /donations`), `gift_card` "
    "(`POST /gift-cards/purchases`), `preorder` (`POST /preorders`: the preorder's own "
    "prepayment), `subscription` and `greenlight_fee` (started over gRPC by the subscription "
    "and greenlight services only)."
)
REFERENCE_DESCRIPTION = (
    "Optional. What the payment pays for, in the calling product's words, 1 to 255 "
    "characters, kept with the payment and sent back in its events (the services' purposes set "
    "it over gRPC: for `subscription` the subscription and period, e.g. "
    "`subscription:<uuid>:2026-01`; the routes for donations, gift cards and preorders set it "
    "themselves). Null when the purpose and `game_id` say it all."
)
_EXAMPLE_ATTRIBUTES = {
    "purpose": "wallet_top_up",
    "amount": {"amount_minor": 150000, "currency": "RUB"},
    "region": "RU",
    "method": "bank_card",
    "return_url": "https://parovoz.example/payments/return",
}


class PaymentCreationAttributes(CheckoutFields):
    purpose: PaymentPurpose = Field(description=PURPOSE_DESCRIPTION)
    amount: MoneyInput = Field(
        description=(
            "Required. The amount to pay before coupons, positive, in a currency payments are "
            "taken in (RUB, KZT, BYN, UAH, USD, EUR); for a game, exactly its price."
        )
    )
    region: CountryCode = Field(
        description=(
            "Required. The buyer's region: ISO 3166-1 alpha-2 code in capitals (RU, KZ, BY, "
            "...); it chooses the game's regional price and is kept for the receipts."
        ),
        examples=["RU"],
    )
    game_id: uuid.UUID | None = Field(
        default=None,
        description=(
            "The game paid for: required for `game_purchase` and `preorder`, refused for "
            "every other purpose."
        ),
    )
    method: MethodText | None = Field(default=None, description=METHOD_DESCRIPTION)
    use_wallet: Flag = Field(
        default=False,
        description=(
            "Optional, default false. true: the wallet balance pays as much as it can and the "
            "rest goes to the method (not for `wallet_top_up` and `card_verification`)."
        ),
    )
    save_method: Flag = Field(
        default=False,
        description=(
            "Optional, default false. true: the provider keeps the card (or wallet) so later "
            "payments may use it as a saved method; required for `card_verification`."
        ),
    )
    reference: Annotated[str, Text(255, min_length=1)] | None = Field(
        default=None, description=REFERENCE_DESCRIPTION
    )
    coupon_code: Annotated[str, Text(COUPON_CODE_LENGTH)] | None = Field(
        default=None,
        description=(
            "Optional. A coupon code (case-insensitive, at most 32 characters) to discount "
            "the amount. With `coupon_codes` too, the single best applicable coupon applies."
        ),
        examples=["WINTER25"],
    )
    coupon_codes: list[Annotated[str, Text(COUPON_CODE_LENGTH)]] = Field(
        default_factory=list,
        max_length=5,
        description=(
            "Optional. Up to 5 coupon codes offered at once: the one giving the largest "
            "discount applies (never more than one)."
        ),
    )
    gift_card_codes: list[Annotated[str, Text(GIFT_CARD_CODE_LENGTH)]] = Field(
        default_factory=list,
        max_length=5,
        description=(
            "Optional. Up to 5 gift card codes (`ABCD-EFGH-JKMN-PQRS`; dashes and spaces "
            "ignored) paying the order, used in this order; the method pays what they leave. "
            "Wrong codes count against the gift-card lookup limit (429)."
        ),
    )


class PaymentCreationData(RequestModel):
    type: Literal["paymentCreation"] = Field(description="Required: `paymentCreation`.")
    attributes: PaymentCreationAttributes = Field(description="The payment to start.")


class PaymentCreationBody(RequestModel):
    """`POST /payments`: a new payment (JSON:API document)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"data": {"type": "paymentCreation", "attributes": _EXAMPLE_ATTRIBUTES}}]
        }
    )

    data: PaymentCreationData = Field(description="The payment to start.")


class PaymentAttributes(BaseModel):
    status: str = Field(
        description=(
            "pending (waiting for the buyer at confirmation_url), waiting_for_capture, "
            "succeeded, cancelled (see cancellation_reason), on_hold (held by a fraud rule "
            "for an admin's decision)."
        )
    )
    purpose: str = Field(description="What the payment is for (see the request's purpose).")
    amount: MoneyBody = Field(description="The amount paid, after the coupon's discount.")
    wallet_amount: MoneyBody = Field(description="The part paid from the Parovoz wallet.")
    gift_card_amount: MoneyBody = Field(
        description=(
            "The part paid with gift cards; the method pays amount - wallet_amount - "
            "gift_card_amount."
        )
    )
    list_amount: MoneyBody = Field(description="The price before the coupon.")
    discount: MoneyBody = Field(description="The coupon's discount (zero without one).")
    coupon_id: uuid.UUID | None = Field(description="The coupon applied, or null.")
    region: str = Field(description="The buyer's region, ISO 3166-1 alpha-2.")
    game_id: uuid.UUID | None = Field(description="The game paid for, or null.")
    reference: str | None = Field(description="What the payment pays for, or null.")
    method: str | None = Field(
        description="bank_card, sbp, sberpay, yoomoney or wallet; null while not chosen yet."
    )
    provider: str | None = Field(
        description="yookassa or tbank; null when no provider is involved (wallet, gift cards)."
    )
    confirmation_url: str | None = Field(
        description=(
            "Send the buyer here to confirm the payment; null for payments needing no "
            "confirmation (wallet, gift cards, saved methods) and when read later."
        )
    )
    cancellation_reason: str | None = Field(
        description=(
            "Why a cancelled payment was cancelled (expired_on_confirmation, card_declined, "
            "insufficient_funds, fraud_suspected, ...); null otherwise."
        )
    )
    created_at: datetime = Field(description="When the payment was started (ISO 8601, UTC).")
    expires_at: datetime = Field(
        description="A pending payment not confirmed by then is cancelled (1 hour)."
    )
    succeeded_at: datetime | None = Field(description="When it succeeded, or null.")


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


def return_url_or_default(infrastructure: Infrastructure, return_url: str | None) -> str:
    """The client's return URL, or the service's default page: every payment that visits a
    provider's page needs one (YooKassa refuses a redirect without it)."""
    return return_url or infrastructure.settings.default_return_url  # type: ignore[attr-defined]


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
        responses=documented(PAYMENT_START, PAYMENT),
        summary="Start a payment; the answer's confirmation_url is where the buyer pays",
        description=(
            "Starts a payment of the signed-in user (Idempotency-Key required: a retry with "
            "the same key and body answers the same payment). Coupons, gift cards and the "
            "wallet are applied first; what is left is paid through a provider (YooKassa or "
            "T-Bank, chosen by method and currency): send the buyer to `confirmation_url`. "
            "The outcome arrives by the provider's notification; read it with "
            "`GET /payments/{payment_id}`. A payment a fraud rule holds is answered `on_hold`."
        ),
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
            amount=attributes.amount.money(),
            region=attributes.region,
            choice=parse_method_choice(attributes.method),
            return_url=return_url_or_default(infrastructure, attributes.return_url),
            origin=Origin.user(Route.PAYMENTS),
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
        responses=documented(PAYMENT_READ),
        summary="A payment: for its payer or any service",
        description=(
            "The payment with its status, amounts and provider. Its payer and services see "
            "it; for anyone else it does not exist (404)."
        ),
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
