"""`/payments/preorders`: preorder a game not yet released (Idempotency-Key required), list and
read one's own preorders, cancel one before the release (what was paid is refunded)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Request, Response
from parovoz_kit.auth import CurrentUserId
from parovoz_kit.errors import ParovozError
from parovoz_kit.http.fields import CountryCode, CurrencyCode, Flag, RequestModel
from parovoz_kit.idempotency import IdempotencyKey, run_idempotent
from parovoz_kit.idempotency.store import Proceed
from parovoz_kit.infrastructure import Infrastructure
from pydantic import BaseModel, ConfigDict, Field

from parovoz_payment.api.deps import RequestId
from parovoz_payment.api.documented_errors import (
    PAYMENT_START,
    PREORDER,
    PREORDER_CANCEL,
    PREORDER_READ,
    documented,
)
from parovoz_payment.api.payments import return_url_or_default
from parovoz_payment.api.schemas import (
    CheckoutFields,
    Document,
    MethodText,
    MoneyBody,
    Resource,
)
from parovoz_payment.clients.providers.registry import ProviderRegistry
from parovoz_payment.domain.methods import parse_method_choice
from parovoz_payment.domain.preorders import Preorder, PrepaymentKind
from parovoz_payment.jobs.preorders import preorder_release
from parovoz_payment.use_cases.fraud import fraud_screen
from parovoz_payment.use_cases.preorder_release import refund_preorder
from parovoz_payment.use_cases.preorders import (
    PreorderRequest,
    PreorderView,
    cancel_preorder,
    create_preorder,
    preorder_for,
    preorders_of,
)


class PreorderCreationAttributes(CheckoutFields):
    game_id: uuid.UUID = Field(
        description="Required. The game, open for preorders and not yet released."
    )
    region: CountryCode = Field(
        description=(
            "Required. The buyer's region, ISO 3166-1 alpha-2 in capitals: it chooses the "
            "game's regional price."
        ),
        examples=["RU"],
    )
    currency: CurrencyCode = Field(
        description=(
            "Required. The currency of the game's price in the region (ISO 4217), as "
            "`GET /game-prices/{game_id}` shows it; another one is refused."
        ),
        examples=["RUB"],
    )
    prepayment: PrepaymentKind = Field(
        description=(
            "Required. `full`: the whole price now; `partial`: a share now, the rest charged "
            "with the saved method at the release."
        )
    )
    method: MethodText | None = Field(
        default=None,
        description=(
            "How the buyer pays: `bank_card`, `sbp`, `sberpay`, `yoomoney`, or a saved "
            "method's id. Optional: null lets the buyer choose on the provider's page."
        ),
    )
    save_method: Flag = Field(
        default=False,
        description=(
            "Optional, default false. true: keep the card for later payments (a `partial` "
            "prepayment charges the remainder with it at the release)."
        ),
    )


class PreorderCreationData(RequestModel):
    type: Literal["preorderCreation"] = Field(description="Required: `preorderCreation`.")
    attributes: PreorderCreationAttributes = Field(description="The preorder.")


class PreorderCreationBody(RequestModel):
    """`POST /preorders`: preorder a game not yet released."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "data": {
                        "type": "preorderCreation",
                        "attributes": {
                            "game_id": "3c2b1a09-8f7e-4d6c-9b5a-1e2d3c4b5a69",
                            "region": "RU",
                            "currency": "RUB",
                            "prepayment": "full",
                            "method": "bank_card",
                            "return_url": "https://parovoz.example/payments/return",
                        },
                    }
                }
            ]
        }
    )

    data: PreorderCreationData = Field(description="The preorder.")


class PreorderAttributes(BaseModel):
    status: str = Field(
        description=(
            "awaiting_prepayment, prepaid (waiting for the release), awaiting_remainder, "
            "completed (the game is the buyer's) or cancelled."
        )
    )
    game_id: uuid.UUID = Field(description="The game preordered.")
    region: str = Field(description="The buyer's region, ISO 3166-1 alpha-2.")
    prepayment: str = Field(description="full or partial.")
    price: MoneyBody = Field(description="The game's price in the region.")
    prepayment_amount: MoneyBody = Field(description="What is paid now.")
    remainder_amount: MoneyBody = Field(description="What is charged at the release.")
    prepayment_payment_id: uuid.UUID | None = Field(description="The prepayment's payment.")
    remainder_payment_id: uuid.UUID | None = Field(
        description="The remainder's payment, once charged."
    )
    remainder_attempts: int = Field(description="How many times the remainder was tried.")
    next_attempt_at: datetime | None = Field(
        description="When the remainder is tried again, or null."
    )
    cancel_reason: str | None = Field(description="Why it was cancelled, or null.")
    refund_pending: bool = Field(
        description="A cancelled preorder whose money is still on its way back."
    )
    confirmation_url: str | None = Field(
        description="Where to pay the prepayment (only in the creation's answer)."
    )
    created_at: datetime = Field(description="When it was created.")
    completed_at: datetime | None = Field(description="When it completed, or null.")
    cancelled_at: datetime | None = Field(description="When it was cancelled, or null.")


class PreorderList(BaseModel):
    data: list[Resource[PreorderAttributes]] = Field(description="The preorders.")


def _resource(view: PreorderView, prefix: str) -> Resource[PreorderAttributes]:
    p: Preorder = view.preorder
    return Resource(
        type="preorder",
        id=str(p.id),
        attributes=PreorderAttributes(
            status=p.status.value,
            game_id=p.game_id,
            region=p.region,
            prepayment=p.kind.value,
            price=MoneyBody.of(p.price),
            prepayment_amount=MoneyBody.of(p.prepayment),
            remainder_amount=MoneyBody.of(p.remainder),
            prepayment_payment_id=p.prepayment_payment_id,
            remainder_payment_id=p.remainder_payment_id,
            remainder_attempts=p.remainder_attempts,
            next_attempt_at=p.next_attempt_at,
            cancel_reason=p.cancel_reason.value if p.cancel_reason else None,
            refund_pending=p.refund_due,
            confirmation_url=view.confirmation_url,
            created_at=p.created_at,
            completed_at=p.completed_at,
            cancelled_at=p.cancelled_at,
        ),
        links={"self": f"{prefix}/{p.id}"},
    )


def preorders_router(infrastructure: Infrastructure, providers: ProviderRegistry) -> APIRouter:
    prefix = f"{infrastructure.settings.api_prefix}/preorders"
    router = APIRouter(prefix=prefix, tags=["preorders"])
    rules = infrastructure.settings.preorder_rules()  # type: ignore[attr-defined]

    @router.post(
        "",
        status_code=201,
        response_model=Document[PreorderAttributes],
        responses=documented(PAYMENT_START, PREORDER),
        summary="Preorder a game not yet released; pay the prepayment at confirmation_url",
        description=(
            "Creates a preorder of the signed-in user and starts its prepayment "
            "(Idempotency-Key required); the buyer pays it at `confirmation_url`. At the "
            "release a `partial` preorder's remainder is charged; the game is the buyer's "
            "when everything is paid."
        ),
    )
    async def post_preorder(
        request: Request,
        body: PreorderCreationBody,
        user_id: CurrentUserId,
        key: IdempotencyKey,
        request_id: RequestId,
    ) -> Response:
        attributes = body.data.attributes
        order = PreorderRequest(
            user_id=user_id,
            game_id=attributes.game_id,
            region=attributes.region,
            currency=attributes.currency,
            kind=attributes.prepayment,
            choice=parse_method_choice(attributes.method),
            return_url=return_url_or_default(infrastructure, attributes.return_url),
            save_method=attributes.save_method,
            customer_email=attributes.customer_email,
        )

        async def handler(_: Proceed) -> Document[PreorderAttributes]:
            view = await create_preorder(
                infrastructure.unit_of_work,
                providers,
                infrastructure.clock,
                order,
                rules,
                fraud=fraud_screen(infrastructure),
                request_id=request_id,
            )
            return Document(data=_resource(view, prefix))

        return await run_idempotent(
            request,
            infrastructure.idempotency,
            scope=f"preorders:{user_id}",
            key=key,
            handler=handler,
            success_status=201,
        )

    @router.get(
        "",
        response_model=PreorderList,
        summary="The caller's preorders, newest first",
        description="Every preorder of the signed-in user, newest first, with its payments.",
    )
    async def list_preorders(user_id: CurrentUserId) -> PreorderList:
        found = await preorders_of(infrastructure.unit_of_work, user_id)
        return PreorderList(data=[_resource(PreorderView(p), prefix) for p in found])

    @router.get(
        "/{preorder_id:uuid}",
        response_model=Document[PreorderAttributes],
        responses=documented(PREORDER_READ),
        summary="A preorder",
        description="One preorder of the signed-in user (another user's is 404).",
    )
    async def get_preorder(
        preorder_id: uuid.UUID, user_id: CurrentUserId
    ) -> Document[PreorderAttributes]:
        preorder = await preorder_for(infrastructure.unit_of_work, user_id, preorder_id)
        return Document(data=_resource(PreorderView(preorder), prefix))

    @router.post(
        "/{preorder_id:uuid}/cancel",
        response_model=Document[PreorderAttributes],
        responses=documented(PREORDER_CANCEL),
        summary="Cancel before the release; everything paid is refunded",
        description=(
            "Cancels a preorder of the signed-in user before the release; what was paid goes "
            "back (refund_pending is true while it is on its way). Cancelling a cancelled "
            "preorder answers it again; a completed one cannot be cancelled (422)."
        ),
    )
    async def post_cancel(
        preorder_id: uuid.UUID, user_id: CurrentUserId
    ) -> Document[PreorderAttributes]:
        # Cancelling twice is harmless (the same cancelled preorder), so no key is needed.
        cancelled = await cancel_preorder(
            infrastructure.unit_of_work, infrastructure.clock, user_id, preorder_id
        )
        if cancelled.refund_due:
            try:
                await refund_preorder(preorder_release(infrastructure).refunds, preorder_id)
            except ParovozError:
                pass  # the preorders-release job refunds it
            cancelled = await preorder_for(infrastructure.unit_of_work, user_id, preorder_id)
        return Document(data=_resource(PreorderView(cancelled), prefix))

    return router
