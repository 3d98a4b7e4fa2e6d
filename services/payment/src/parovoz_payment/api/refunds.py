"""Refunds: `POST/GET /payments/{payment_id}/refunds` (the payer or a service) and
`POST /admin/refunds/{refund_id}/decision` (admins)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request, Response
from parovoz_kit.auth import CurrentPrincipal, require_roles
from parovoz_kit.auth.principal import Principal
from parovoz_kit.errors import PermissionDenied
from parovoz_kit.idempotency import IdempotencyKey, run_idempotent
from parovoz_kit.idempotency.store import Proceed
from parovoz_kit.infrastructure import Infrastructure
from pydantic import BaseModel, Field

from parovoz_payment.api.deps import RequestId
from parovoz_payment.api.schemas import Document, ListDocument, MoneyBody, Resource
from parovoz_payment.clients.providers.registry import ProviderRegistry
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.refunds import (
    Refund,
    RefundDestination,
    RefundReason,
    ReviewDecision,
)
from parovoz_payment.use_cases.refunds import (
    RefundOrder,
    RefundService,
    decide_refund,
    refunds_of_payment,
    request_refund,
)

#: What a payer may give as the reason; the others are for services and admins.
USER_REASONS = frozenset(
    {RefundReason.CUSTOMER_REQUEST, RefundReason.DUPLICATE, RefundReason.OTHER}
)


class RefundRequestAttributes(BaseModel):
    #: Null: everything still refundable.
    amount: MoneyBody | None = None
    reason: RefundReason = RefundReason.CUSTOMER_REQUEST
    destination: RefundDestination = RefundDestination.ORIGINAL_METHOD
    comment: str | None = Field(default=None, max_length=1000)


class RefundRequestData(BaseModel):
    type: Literal["refundRequest"]
    attributes: RefundRequestAttributes


class RefundRequestBody(BaseModel):
    data: RefundRequestData


class RefundDecisionAttributes(BaseModel):
    decision: ReviewDecision
    comment: str | None = Field(default=None, max_length=1000)


class RefundDecisionData(BaseModel):
    type: Literal["refundDecision"]
    attributes: RefundDecisionAttributes


class RefundDecisionBody(BaseModel):
    data: RefundDecisionData


class RefundAttributes(BaseModel):
    payment_id: uuid.UUID
    #: requires_review → pending → succeeded | failed.
    status: str
    amount: MoneyBody
    #: The parts returned to the payment method and to the wallet.
    to_method: MoneyBody
    to_wallet: MoneyBody
    reason: str
    destination: str
    requested_destination: str
    review_decision: str | None
    failure_reason: str | None
    created_at: datetime
    succeeded_at: datetime | None


def refund_resource(refund: Refund, prefix: str) -> Resource[RefundAttributes]:
    return Resource(
        type="refund",
        id=str(refund.id),
        attributes=RefundAttributes(
            payment_id=refund.payment_id,
            status=refund.status.value,
            amount=MoneyBody.of(refund.amount),
            to_method=MoneyBody.of(refund.to_method),
            to_wallet=MoneyBody.of(refund.to_wallet),
            reason=refund.reason.value,
            destination=refund.destination.value,
            requested_destination=refund.requested_destination.value,
            review_decision=refund.review_decision.value if refund.review_decision else None,
            failure_reason=refund.failure_reason,
            created_at=refund.created_at,
            succeeded_at=refund.succeeded_at,
        ),
        links={"payment": f"{prefix}/{refund.payment_id}"},
    )


def _viewer(principal: Principal) -> uuid.UUID | None:
    """None for a service (any payment); the user's id otherwise (their payments only)."""
    if principal.is_service:
        return None
    try:
        return uuid.UUID(principal.subject)
    except ValueError:
        return uuid.UUID(int=0)  # matches nobody: 404 like any stranger


def refunds_router(infrastructure: Infrastructure, providers: ProviderRegistry) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    router = APIRouter(prefix=prefix, tags=["refunds"])
    wallet_rules = infrastructure.settings.wallet_rules()  # type: ignore[attr-defined]
    service = RefundService(
        infrastructure.unit_of_work, providers, infrastructure.clock, wallet_rules
    )

    @router.post(
        "/admin/refunds/{refund_id:uuid}/decision",
        response_model=Document[RefundAttributes],
        summary="Approve (the money goes back now) or reject a refund in review (admins only)",
    )
    async def post_decision(
        refund_id: uuid.UUID,
        body: RefundDecisionBody,
        admin: Annotated[Principal, Depends(require_roles("admin"))],
        request_id: RequestId,
    ) -> Document[RefundAttributes]:
        attributes = body.data.attributes
        refund = await decide_refund(
            service,
            admin.subject,
            refund_id,
            attributes.decision,
            attributes.comment,
            request_id=request_id,
        )
        return Document(data=refund_resource(refund, prefix))

    @router.post(
        "/{payment_id:uuid}/refunds",
        status_code=201,
        response_model=Document[RefundAttributes],
        summary="Refund a payment, fully (amount null) or partly; games within 14 days are "
        "automatic, everything else waits for an admin",
    )
    async def post_refund(
        request: Request,
        payment_id: uuid.UUID,
        body: RefundRequestBody,
        principal: CurrentPrincipal,
        key: IdempotencyKey,
        request_id: RequestId,
    ) -> Response:
        attributes = body.data.attributes
        viewer = _viewer(principal)
        if viewer is not None and attributes.reason not in USER_REASONS:
            raise PermissionDenied(
                f"A refund for {attributes.reason.value} is asked for by a service.",
                code="REFUND_REASON_NOT_ALLOWED",
            )
        amount = attributes.amount
        order = RefundOrder(
            payment_id=payment_id,
            viewer=viewer,
            actor=principal.subject,
            amount=None if amount is None else Money(amount.amount_minor, amount.currency),
            reason=attributes.reason,
            destination=attributes.destination,
            comment=attributes.comment,
        )

        async def handler(_: Proceed) -> Document[RefundAttributes]:
            refund = await request_refund(service, order, request_id=request_id)
            return Document(data=refund_resource(refund, prefix))

        return await run_idempotent(
            request,
            infrastructure.idempotency,
            scope=f"refunds:{principal.subject}:{payment_id}",
            key=key,
            handler=handler,
            success_status=201,
        )

    @router.get(
        "/{payment_id:uuid}/refunds",
        response_model=ListDocument[RefundAttributes],
        summary="A payment's refunds, oldest first: for its payer or any service",
    )
    async def get_refunds(
        payment_id: uuid.UUID, principal: CurrentPrincipal
    ) -> ListDocument[RefundAttributes]:
        refunds = await refunds_of_payment(service, _viewer(principal), payment_id)
        return ListDocument(data=[refund_resource(refund, prefix) for refund in refunds])

    return router
