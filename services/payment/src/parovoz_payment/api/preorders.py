"""`/payments/preorders`: preorder a game not yet released (Idempotency-Key required), list and
read one's own preorders, cancel one before the release (what was paid is refunded)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Request, Response
from parovoz_kit.auth import CurrentUserId
from parovoz_kit.errors import ParovozError
from parovoz_kit.idempotency import IdempotencyKey, run_idempotent
from parovoz_kit.idempotency.store import Proceed
from parovoz_kit.infrastructure import Infrastructure
from pydantic import BaseModel, Field

from parovoz_payment.api.deps import RequestId
from parovoz_payment.api.schemas import Document, MoneyBody, Resource
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


class PreorderCreationAttributes(BaseModel):
    game_id: uuid.UUID
    region: str = Field(examples=["RU"])
    #: The price's currency in the region (checked against the price table).
    currency: str = Field(examples=["RUB"], min_length=3, max_length=3)
    #: full: the whole price now; partial: a share now, the rest charged at the release.
    prepayment: PrepaymentKind
    #: bank_card / sbp / sberpay / yoomoney, a saved method id, or null (provider's page).
    method: str | None = None
    save_method: bool = False
    return_url: str | None = Field(default=None, max_length=2048)
    customer_email: str | None = Field(default=None, max_length=254)


class PreorderCreationData(BaseModel):
    type: Literal["preorderCreation"]
    attributes: PreorderCreationAttributes


class PreorderCreationBody(BaseModel):
    data: PreorderCreationData


class PreorderAttributes(BaseModel):
    status: str
    game_id: uuid.UUID
    region: str
    prepayment: str
    price: MoneyBody
    prepayment_amount: MoneyBody
    remainder_amount: MoneyBody
    prepayment_payment_id: uuid.UUID | None
    remainder_payment_id: uuid.UUID | None
    remainder_attempts: int
    next_attempt_at: datetime | None
    cancel_reason: str | None
    #: A cancelled preorder whose money is still on its way back.
    refund_pending: bool
    #: Where to pay the prepayment (only in the creation's answer).
    confirmation_url: str | None
    created_at: datetime
    completed_at: datetime | None
    cancelled_at: datetime | None


class PreorderList(BaseModel):
    data: list[Resource[PreorderAttributes]]


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
        summary="Preorder a game not yet released; pay the prepayment at confirmation_url",
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
            return_url=attributes.return_url,
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

    @router.get("", response_model=PreorderList, summary="The caller's preorders, newest first")
    async def list_preorders(user_id: CurrentUserId) -> PreorderList:
        found = await preorders_of(infrastructure.unit_of_work, user_id)
        return PreorderList(data=[_resource(PreorderView(p), prefix) for p in found])

    @router.get(
        "/{preorder_id:uuid}", response_model=Document[PreorderAttributes], summary="A preorder"
    )
    async def get_preorder(
        preorder_id: uuid.UUID, user_id: CurrentUserId
    ) -> Document[PreorderAttributes]:
        preorder = await preorder_for(infrastructure.unit_of_work, user_id, preorder_id)
        return Document(data=_resource(PreorderView(preorder), prefix))

    @router.post(
        "/{preorder_id:uuid}/cancel",
        response_model=Document[PreorderAttributes],
        summary="Cancel before the release; everything paid is refunded",
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
