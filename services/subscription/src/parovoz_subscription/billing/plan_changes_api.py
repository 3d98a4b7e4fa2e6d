"""REST of plan changes (thin: parse -> one use case -> document):

- `POST /{subscription_id}/change-preview`: the exact kopecks charged now, the price from the
  next period and when the change applies; nothing is charged or stored;
- `POST /{subscription_id}/change-plan` (optional `Idempotency-Key`): an upgrade is charged now
  and applies at once; a downgrade or a change of billing period is scheduled for the period end.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from parovoz_kit.auth import CurrentPrincipal
from parovoz_kit.auth.dependencies import current_user_id
from parovoz_kit.http.fields import RequestModel
from parovoz_kit.http.openapi import error_responses
from parovoz_kit.idempotency import OptionalIdempotencyKey, run_with_optional_key
from parovoz_kit.infrastructure import Infrastructure
from pydantic import BaseModel, ConfigDict, Field

from parovoz_subscription.billing.service.plan_changes import (
    ChangeDone,
    ChangePreview,
    change_plan,
    preview_change,
)
from parovoz_subscription.clients.payment import payment_client
from parovoz_subscription.subscriptions.domain import BillingPeriod
from parovoz_subscription.unit_of_work import subscription_unit_of_work

CHANGE_EXAMPLE: dict[str, Any] = {
    "data": {
        "type": "planChange",
        "attributes": {
            "plan_id": "6a1d3c2e-4b5f-4e7a-9c8d-1f2e3a4b5c6d",
            "billing_period": "monthly",
        },
    }
}

_PREVIEW_ERRORS: dict[int, list[str]] = {
    404: ["SUBSCRIPTION_NOT_FOUND", "PLAN_NOT_FOUND"],
    409: ["SUBSCRIPTION_ALREADY_EXISTS"],
    422: [
        "SUBSCRIPTION_STATUS_CONFLICT",
        "PLAN_CHANGE_NOTHING_TO_CHANGE",
        "PLAN_NOT_AVAILABLE",
        "PLAN_REGION_RESTRICTED",
    ],
}
_CHANGE_ERRORS: dict[int, list[str]] = {
    **_PREVIEW_ERRORS,
    409: ["SUBSCRIPTION_ALREADY_EXISTS", "SUBSCRIPTION_CHANGED_CONCURRENTLY", "PAYMENT_PENDING"],
    422: [*_PREVIEW_ERRORS[422], "PAYMENT_METHOD_REQUIRED", "PAYMENT_DECLINED"],
    503: ["PAYMENT_UNAVAILABLE"],
}


# --- request ------------------------------------------------------------------------------------
class ChangeAttributes(RequestModel):
    plan_id: uuid.UUID = Field(description="The plan to change to (UUID), from `GET /plans`.")
    billing_period: BillingPeriod | None = Field(
        default=None,
        description="`monthly`, `quarterly` or `yearly`; the current one when left out. A "
        "change of period applies at the period end.",
    )


class ChangeData(RequestModel):
    type: Literal["planChange"] = Field(description="Always `planChange`.")
    attributes: ChangeAttributes = Field(description="The change.")


class ChangeDocument(RequestModel):
    """A plan change (or its preview)."""

    model_config = ConfigDict(json_schema_extra={"examples": [CHANGE_EXAMPLE]})

    data: ChangeData = Field(description="The change.")


# --- response -----------------------------------------------------------------------------------
class Amount(BaseModel):
    amount_minor: int = Field(description="Minor units (kopecks for RUB), VAT included.")
    currency: str = Field(description="ISO 4217 code.")


class ChangeAnswerAttributes(BaseModel):
    current_plan_id: uuid.UUID = Field(description="The plan before the change.")
    plan_id: uuid.UUID = Field(description="The plan after the change.")
    billing_period: BillingPeriod = Field(description="The billing period after the change.")
    timing: Literal["now", "period_end"] = Field(
        description="`now`: an upgrade, applied at once; `period_end`: scheduled for the end "
        "of the current period."
    )
    applies_at: datetime = Field(description="When the new plan applies (ISO 8601, UTC).")
    charge_now: Amount = Field(
        description="Charged now: the price difference for the unused seconds of the current "
        "period, rounded down to the kopeck; 0 for a scheduled change."
    )
    new_price: Amount = Field(description="Price of one period from the next period.")
    next_charge_at: datetime = Field(description="When the next period is charged.")
    unused_seconds: int = Field(description="Seconds left of the current period.")
    period_seconds: int = Field(description="Real seconds of the current period.")
    charge_id: uuid.UUID | None = Field(
        default=None, description="The upgrade's charge (change-plan only; null otherwise)."
    )
    payment_id: uuid.UUID | None = Field(
        default=None, description="payment's payment of the upgrade (change-plan only)."
    )


class ChangeAnswer(BaseModel):
    type: Literal["planChangePreview", "planChange"] = Field(description="The kind of answer.")
    id: uuid.UUID = Field(description="The subscription.")
    attributes: ChangeAnswerAttributes = Field(description="The change.")


class ChangeAnswerDocument(BaseModel):
    data: ChangeAnswer = Field(description="What the change costs and does.")


def _answer(preview: ChangePreview, done: ChangeDone | None) -> ChangeAnswerDocument:
    subscription, proration = preview.subscription, preview.proration
    charge = done.charge if done is not None else None
    return ChangeAnswerDocument(
        data=ChangeAnswer(
            type="planChange" if done is not None else "planChangePreview",
            id=subscription.id,
            attributes=ChangeAnswerAttributes(
                current_plan_id=subscription.plan_id if done is None else done.previous_plan_id,
                plan_id=preview.plan.id,
                billing_period=preview.billing_period,
                timing=preview.timing.value,
                applies_at=preview.applies_at,
                charge_now=Amount(amount_minor=proration.amount_minor, currency=preview.currency),
                new_price=Amount(amount_minor=preview.new_price_minor, currency=preview.currency),
                next_charge_at=preview.next_charge_at,
                unused_seconds=proration.unused_seconds,
                period_seconds=proration.period_seconds,
                charge_id=charge.id if charge else None,
                payment_id=charge.payment_id if charge else None,
            ),
        )
    )


def _json(document: BaseModel) -> Response:
    return Response(document.model_dump_json(), media_type="application/json")


def plan_changes_router(infrastructure: Infrastructure) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    router = APIRouter(prefix=prefix, tags=["billing"])

    @router.post(
        "/{subscription_id}/change-preview",
        response_model=ChangeAnswerDocument,
        summary="What a plan change would cost now, cost from the next period, and when",
        description=(
            "The owner of an `active` subscription. Answers the exact kopecks an upgrade charges "
            "now (the price difference for the unused seconds of the period, rounded down), the "
            "price from the next period and when the change applies (`now` for an upgrade, "
            "`period_end` for a downgrade or a change of billing period). Nothing is charged or "
            "stored. Another user's subscription is 404 `SUBSCRIPTION_NOT_FOUND`."
        ),
        responses=error_responses(_PREVIEW_ERRORS),
    )
    async def preview(
        subscription_id: uuid.UUID, body: ChangeDocument, principal: CurrentPrincipal
    ) -> Response:
        user_id = current_user_id(principal)
        attributes = body.data.attributes
        async with subscription_unit_of_work(infrastructure) as uow:
            answer = await preview_change(
                uow,  # type: ignore[arg-type]
                subscription_id=subscription_id,
                user_id=user_id,
                plan_id=attributes.plan_id,
                billing_period=attributes.billing_period,
                now=infrastructure.clock.now(),
            )
        return _json(_answer(answer, None))

    @router.post(
        "/{subscription_id}/change-plan",
        response_model=ChangeAnswerDocument,
        summary="Change plan: an upgrade charged and applied now, a downgrade at the period end",
        description=(
            "The owner of an `active` subscription with a saved card (422 "
            "`PAYMENT_METHOD_REQUIRED`). An upgrade charges the preview's amount at once to the "
            "saved card and switches the plan from now (the period end stays); a declined card "
            "changes nothing (422 `PAYMENT_DECLINED`). A downgrade or a change of billing period "
            "is scheduled for the period end; changing back to the current plan cancels a "
            "scheduled change. `Idempotency-Key` is optional."
        ),
        responses=error_responses(_CHANGE_ERRORS),
    )
    async def change(
        subscription_id: uuid.UUID,
        body: ChangeDocument,
        request: Request,
        principal: CurrentPrincipal,
        idempotency_key: OptionalIdempotencyKey,
    ) -> Response:
        user_id = current_user_id(principal)
        attributes = body.data.attributes

        async def run() -> Response:
            async with subscription_unit_of_work(infrastructure) as uow:
                done = await change_plan(
                    uow,  # type: ignore[arg-type]
                    payment_client(infrastructure),
                    subscription_id=subscription_id,
                    user_id=user_id,
                    plan_id=attributes.plan_id,
                    billing_period=attributes.billing_period,
                    now=infrastructure.clock.now(),
                )
            return _json(_answer(done.preview, done))

        return await run_with_optional_key(
            request,
            infrastructure.idempotency,
            scope=f"user:{user_id}:change-plan:{subscription_id}",
            key=idempotency_key,
            handler=run,
            success_status=200,
        )

    return router
