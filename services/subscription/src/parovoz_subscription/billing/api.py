"""REST of billing's money side (thin: parse -> one use case -> document):

- `POST /{subscription_id}/payment-method`: the owner binds or changes the card (a 1.00 RUB
  verification payment, answered with its confirmation URL);
- `GET /{subscription_id}/charges`: the charge history (owner or admin);
- `POST /{subscription_id}/refund`: the owner's full refund within the window of the first
  payment (the subscription ends at once), or an admin's refund of any charge.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response
from parovoz_kit.auth import CurrentPrincipal
from parovoz_kit.auth.dependencies import current_user_id
from parovoz_kit.errors import PermissionDenied
from parovoz_kit.http.openapi import error_responses
from parovoz_kit.idempotency import OptionalIdempotencyKey, run_with_optional_key
from parovoz_kit.infrastructure import Infrastructure
from pydantic import BaseModel

from parovoz_subscription.billing.rules import BillingRules
from parovoz_subscription.billing.schemas import (
    BindingDocument,
    BindingStartedDocument,
    ChargeListDocument,
    RefundAnswerDocument,
    RefundAttributes,
    RefundDocument,
    binding_document,
    charge_resource,
    refund_document,
)
from parovoz_subscription.billing.service import payments as use_cases
from parovoz_subscription.clients.payment import payment_client
from parovoz_subscription.unit_of_work import subscription_unit_of_work

ADMIN_ROLE = "admin"


def _json(document: BaseModel, status_code: int = 200) -> Response:
    return Response(
        document.model_dump_json(), status_code=status_code, media_type="application/json"
    )


def _owner_only_options(attributes: RefundAttributes) -> None:
    given = [
        name
        for name in ("charge_id", "amount_minor", "end_subscription")
        if getattr(attributes, name) is not None
    ]
    if given:
        raise PermissionDenied(
            f"Only an admin chooses {given[0]}; the owner's refund is the whole first payment.",
            code="REFUND_OPTIONS_ADMIN_ONLY",
            detail_ru=(
                f"Поле {given[0]} задаёт только администратор; подписчику возвращается вся "
                "первая оплата."
            ),
            pointer=f"/data/attributes/{given[0]}",
        )


def billing_router(infrastructure: Infrastructure) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    rules: BillingRules = infrastructure.settings.billing_rules()  # type: ignore[attr-defined]
    router = APIRouter(prefix=prefix, tags=["billing"])

    @router.post(
        "/{subscription_id}/payment-method",
        status_code=201,
        response_model=BindingStartedDocument,
        summary="Bind or change the card renewals are charged to (a 1.00 RUB verification)",
        description=(
            "The owner, during a trial or on any live subscription already paid for (422 "
            "`SUBSCRIPTION_STATUS_CONFLICT` while `incomplete` or once `expired`). Starts a "
            "1.00 RUB card verification at payment and answers its `confirmation_url` in "
            "`meta`: the user confirms the card there; payment gives the 1.00 RUB back at once "
            "and the card becomes the subscription's saved method. Another user's subscription "
            "is 404 `SUBSCRIPTION_NOT_FOUND`; payment unreachable is 503 "
            "`PAYMENT_UNAVAILABLE`. The body is optional. `Idempotency-Key` is optional."
        ),
        responses=error_responses(
            {
                404: ["SUBSCRIPTION_NOT_FOUND"],
                422: ["SUBSCRIPTION_STATUS_CONFLICT"],
                503: ["PAYMENT_UNAVAILABLE"],
            }
        ),
    )
    async def bind_payment_method(
        subscription_id: uuid.UUID,
        request: Request,
        principal: CurrentPrincipal,
        idempotency_key: OptionalIdempotencyKey,
        body: BindingDocument | None = None,
    ) -> Response:
        user_id = current_user_id(principal)
        return_url = body.data.attributes.return_url if body is not None else None

        async def bind() -> Response:
            async with subscription_unit_of_work(infrastructure) as uow:
                started = await use_cases.bind_payment_method(
                    uow,
                    payment_client(infrastructure),
                    rules,
                    subscription_id=subscription_id,
                    user_id=user_id,
                    return_url=return_url,
                    now=infrastructure.clock.now(),
                )
            assert started.charge is not None
            return _json(binding_document(started.charge, started), 201)

        return await run_with_optional_key(
            request,
            infrastructure.idempotency,
            scope=f"user:{user_id}:payment-method:{subscription_id}",
            key=idempotency_key,
            handler=bind,
            success_status=201,
        )

    @router.get(
        "/{subscription_id}/charges",
        response_model=ChargeListDocument,
        summary="A subscription's charges, newest first",
        description=(
            "The owner or an admin (role `admin`): every charge of the subscription — the "
            "first payment, renewals and their retries, upgrades, card verifications — with "
            "its status, amount, what was refunded and payment's decline reason. Anyone else "
            "is 404 `SUBSCRIPTION_NOT_FOUND`."
        ),
        responses=error_responses({404: ["SUBSCRIPTION_NOT_FOUND"]}),
    )
    async def list_charges(subscription_id: uuid.UUID, principal: CurrentPrincipal) -> Response:
        user_id = current_user_id(principal)
        async with subscription_unit_of_work(infrastructure) as uow:
            charges = await use_cases.list_charges(
                uow, subscription_id, user_id, principal.has_any_role({ADMIN_ROLE})
            )
        return _json(ChargeListDocument(data=[charge_resource(charge) for charge in charges]))

    @router.post(
        "/{subscription_id}/refund",
        response_model=RefundAnswerDocument,
        summary="Refund a subscription's payment",
        description=(
            "The owner: the whole first payment, within "
            f"{rules.owner_refund_window.days} days of paying it (422 `REFUND_WINDOW_CLOSED` "
            "after); the subscription ends at once (`expired`, access stops). The body is "
            "optional and takes none of the admin's fields (403 `REFUND_OPTIONS_ADMIN_ONLY`). "
            "An admin (role `admin`): any charge of the subscription (`charge_id`, the latest "
            "paid one by default), any amount up to what is left of it (`amount_minor`, all by "
            "default; 422 `REFUND_EXCEEDS_PAID` above), ending the subscription only with "
            "`end_subscription`. Nothing left to refund is 422 `NOTHING_TO_REFUND`. The money "
            "goes back through payment (its refund state is answered; the charge becomes "
            "`refunded` when payment reports it). `Idempotency-Key` is optional: with it, a "
            "repeated request refunds once."
        ),
        responses=error_responses(
            {
                403: ["REFUND_OPTIONS_ADMIN_ONLY"],
                404: ["SUBSCRIPTION_NOT_FOUND", "CHARGE_NOT_FOUND"],
                409: ["SUBSCRIPTION_CHANGED_CONCURRENTLY"],
                422: [
                    "REFUND_WINDOW_CLOSED",
                    "REFUND_EXCEEDS_PAID",
                    "NOTHING_TO_REFUND",
                    "SUBSCRIPTION_STATUS_CONFLICT",
                ],
                503: ["PAYMENT_UNAVAILABLE"],
            }
        ),
    )
    async def refund(
        subscription_id: uuid.UUID,
        request: Request,
        principal: CurrentPrincipal,
        idempotency_key: OptionalIdempotencyKey,
        body: RefundDocument | None = None,
    ) -> Response:
        user_id = current_user_id(principal)
        is_admin = principal.has_any_role({ADMIN_ROLE})
        attributes = body.data.attributes if body is not None else RefundAttributes()
        if not is_admin:
            _owner_only_options(attributes)
        request_key = idempotency_key or str(uuid.uuid4())

        async def refund_now() -> Response:
            async with subscription_unit_of_work(infrastructure) as uow:
                done = await use_cases.refund_subscription(
                    uow,
                    payment_client(infrastructure),
                    rules,
                    subscription_id=subscription_id,
                    actor_id=user_id,
                    is_admin=is_admin,
                    request_key=request_key,
                    now=infrastructure.clock.now(),
                    charge_id=attributes.charge_id,
                    amount_minor=attributes.amount_minor,
                    end_subscription=bool(attributes.end_subscription),
                )
            return _json(refund_document(done))

        return await run_with_optional_key(
            request,
            infrastructure.idempotency,
            scope=f"user:{user_id}:refund:{subscription_id}",
            key=idempotency_key,
            handler=refund_now,
        )

    return router
