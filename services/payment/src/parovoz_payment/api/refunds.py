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
from parovoz_kit.http.fields import RequestModel
from parovoz_kit.idempotency import IdempotencyKey, run_idempotent
from parovoz_kit.idempotency.store import Proceed
from parovoz_kit.infrastructure import Infrastructure
from pydantic import BaseModel, ConfigDict, Field

from parovoz_payment.api.deps import RequestId
from parovoz_payment.api.documented_errors import (
    PAYMENT_READ,
    REFUND_DECISION,
    REFUND_REQUEST,
    documented,
)
from parovoz_payment.api.schemas import (
    CommentText,
    Document,
    ListDocument,
    MoneyBody,
    MoneyInput,
    Resource,
)
from parovoz_payment.clients.providers.registry import ProviderRegistry
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


class RefundRequestAttributes(RequestModel):
    amount: MoneyInput | None = Field(
        default=None,
        description=(
            "Optional. How much to refund, positive, in the payment's currency, at most what "
            "is still refundable; null or omitted: everything still refundable."
        ),
    )
    reason: RefundReason = Field(
        default=RefundReason.CUSTOMER_REQUEST,
        description=(
            "Optional, default `customer_request`. Why: `customer_request`, `duplicate`, "
            "`other` (anyone); `submission_withdrawn` (a greenlight fee), "
            "`subscription_adjustment`, `preorder_cancelled`, `fraud` (services only: 403 "
            "REFUND_REASON_NOT_ALLOWED for a user). `wallet_cap_overflow` is payment's own "
            "and refused."
        ),
    )
    destination: RefundDestination = Field(
        default=RefundDestination.ORIGINAL_METHOD,
        description=(
            "Optional, default `original_method`: the card part back to the card, the wallet "
            "part to the wallet. `wallet`: everything to the Parovoz wallet (within its cap)."
        ),
    )
    comment: CommentText | None = Field(
        default=None,
        description="Optional. Why, in the payer's words, for the admin who reviews it "
        "(at most 1,000 characters).",
    )


class RefundRequestData(RequestModel):
    type: Literal["refundRequest"] = Field(description="Required: `refundRequest`.")
    attributes: RefundRequestAttributes = Field(description="The refund asked for.")


class RefundRequestBody(RequestModel):
    """`POST /{payment_id}/refunds`: refund a payment."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "data": {
                        "type": "refundRequest",
                        "attributes": {
                            "amount": {"amount_minor": 50000, "currency": "RUB"},
                            "reason": "customer_request",
                            "destination": "original_method",
                            "comment": "Игра не запускается на моём компьютере.",
                        },
                    }
                }
            ]
        }
    )

    data: RefundRequestData = Field(description="The refund asked for.")


class RefundDecisionAttributes(RequestModel):
    decision: ReviewDecision = Field(
        description="Required. `approve`: the money goes back now; `reject`: the refund fails."
    )
    comment: CommentText | None = Field(
        default=None,
        description="Optional. The admin's reason, kept in the audit log (at most 1,000 "
        "characters).",
    )


class RefundDecisionData(RequestModel):
    type: Literal["refundDecision"] = Field(description="Required: `refundDecision`.")
    attributes: RefundDecisionAttributes = Field(description="The decision.")


class RefundDecisionBody(RequestModel):
    """`POST /admin/refunds/{refund_id}/decision`: an admin's decision on a refund."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "data": {
                        "type": "refundDecision",
                        "attributes": {"decision": "approve", "comment": "Дубликат покупки."},
                    }
                }
            ]
        }
    )

    data: RefundDecisionData = Field(description="The decision.")


class RefundAttributes(BaseModel):
    payment_id: uuid.UUID = Field(description="The payment refunded.")
    status: str = Field(
        description="requires_review (waits for an admin) → pending → succeeded | failed."
    )
    amount: MoneyBody = Field(description="The refund's amount.")
    to_method: MoneyBody = Field(description="The part returned to the payment method.")
    to_wallet: MoneyBody = Field(description="The part returned to the Parovoz wallet.")
    reason: str = Field(description="Why (see the request's reason).")
    destination: str = Field(description="Where it goes: original_method or wallet.")
    requested_destination: str = Field(
        description="Where it was asked to go (the wallet's cap may change it)."
    )
    review_decision: str | None = Field(description="approve or reject, or null.")
    failure_reason: str | None = Field(description="Why it failed, or null.")
    created_at: datetime = Field(description="When it was asked for.")
    succeeded_at: datetime | None = Field(description="When it succeeded, or null.")


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
        responses=documented(REFUND_DECISION),
        summary="Approve (the money goes back now) or reject a refund in review (admins only)",
        description=(
            "An admin's decision on a refund waiting for review (`requires_review`): approve "
            "sends the money back now, reject fails it. Audit-logged. A refund already "
            "decided is refused (422)."
        ),
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
        responses=documented(REFUND_REQUEST),
        summary="Refund a payment, fully (amount null) or partly; games within 14 days are "
        "automatic, everything else waits for an admin",
        description=(
            "Asks for a refund of a succeeded payment, by its payer or a service "
            "(Idempotency-Key required). A game refunded within 14 days of purchase is "
            "refunded at once; everything else waits for an admin (`requires_review`)."
        ),
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
            amount=None if amount is None else amount.money(),
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
        responses=documented(PAYMENT_READ),
        summary="A payment's refunds, oldest first: for its payer or any service",
        description="Every refund of the payment, oldest first, for its payer or a service.",
    )
    async def get_refunds(
        payment_id: uuid.UUID, principal: CurrentPrincipal
    ) -> ListDocument[RefundAttributes]:
        refunds = await refunds_of_payment(service, _viewer(principal), payment_id)
        return ListDocument(data=[refund_resource(refund, prefix) for refund in refunds])

    return router
