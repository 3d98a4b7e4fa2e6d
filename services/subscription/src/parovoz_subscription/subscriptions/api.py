"""REST of subscriptions (thin: parse -> one use case -> document): create, read, list the
caller's own, cancel at the period end, resume before it. Someone else's subscription is 404,
like an unknown one (no existence leak)."""

import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response
from parovoz_kit.auth import CurrentUserId
from parovoz_kit.http.fields import Text
from parovoz_kit.http.filters import listed
from parovoz_kit.http.openapi import error_responses
from parovoz_kit.http.paging import PageRequest, page_query
from parovoz_kit.idempotency import IdempotencyKey, run_idempotent
from parovoz_kit.infrastructure import Infrastructure

from parovoz_subscription.billing.service.payments import start_first_payment
from parovoz_subscription.clients.payment import payment_client
from parovoz_subscription.subscriptions import service as use_cases
from parovoz_subscription.subscriptions.domain import Subscription, SubscriptionStatus
from parovoz_subscription.subscriptions.rules import SubscriptionRules
from parovoz_subscription.subscriptions.schemas import (
    CANCELLATION_EXAMPLE,
    SubscriptionCancellationDocument,
    SubscriptionCreationDocument,
    SubscriptionDocument,
    SubscriptionListDocument,
    TrialEligibilityAttributes,
    TrialEligibilityDocument,
    TrialEligibilityResource,
    json_response,
    subscription_document,
    subscription_resource,
)
from parovoz_subscription.unit_of_work import subscription_unit_of_work

SubscriptionId = Annotated[uuid.UUID, Path(description="The subscription's id (UUID).")]
FilterValues = Annotated[str, Text(200)]

_NOT_FOUND = {404: ["SUBSCRIPTION_NOT_FOUND"]}


def subscriptions_router(infrastructure: Infrastructure) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    rules: SubscriptionRules = infrastructure.settings.subscription_rules()
    router = APIRouter(prefix=prefix, tags=["subscriptions"])

    async def first_payment(uow: Any, subscription: Subscription, return_url: str) -> Any:
        return await start_first_payment(
            uow,
            payment_client(infrastructure),
            subscription,
            return_url=return_url,
            now=subscription.created_at,
        )

    @router.post(
        "",
        status_code=201,
        response_model=SubscriptionDocument,
        summary="Subscribe to a plan (a trial when eligible, else the first payment)",
        description=(
            "The price is what new subscribers pay now in `region` for `billing_period`. When "
            "the plan has a trial (`trial_days` > 0) and the caller never had a trial of the "
            "plan's type, the subscription is a `trial` at once (its period is the trial; "
            "`subscription.subscription.activated.v1`); it converts to paid at its end if a "
            "card is bound (`POST /{id}/payment-method`), else it expires. Otherwise it is "
            "`incomplete` and `meta.confirmation_url` is payment's page for the first period: "
            "it becomes `active` when the payment succeeds. One live subscription per plan "
            "type: another is 409 `SUBSCRIPTION_ALREADY_EXISTS`. `Idempotency-Key` is "
            "required: the same key and body answer the first answer again, another body 422 "
            "`IDEMPOTENCY_KEY_REUSED`. The new subscription's page is in `Location`."
        ),
        responses=error_responses(
            {
                400: ["INVALID_TIME_ZONE"],
                404: ["PLAN_NOT_FOUND"],
                409: ["SUBSCRIPTION_ALREADY_EXISTS", "TRIAL_ALREADY_TAKEN"],
                422: ["PLAN_NOT_AVAILABLE", "PLAN_REGION_RESTRICTED"],
                503: ["PAYMENT_UNAVAILABLE"],
            }
        ),
    )
    async def create_subscription(
        body: SubscriptionCreationDocument,
        request: Request,
        user_id: CurrentUserId,
        idempotency_key: IdempotencyKey,
    ) -> Response:
        attributes = body.data.attributes
        creation = use_cases.Creation(
            user_id=user_id,
            plan_id=attributes.plan_id,
            billing_period=attributes.billing_period,
            region=attributes.region,
            time_zone=attributes.time_zone or rules.default_time_zone,
            return_url=attributes.return_url or rules.default_return_url,
        )

        async def create(_: object) -> Response:
            async with subscription_unit_of_work(infrastructure) as uow:
                created = await use_cases.create_subscription(
                    uow, first_payment, creation, infrastructure.clock.now()
                )
            document = subscription_document(
                created.subscription,
                prefix,
                meta={"confirmation_url": created.confirmation_url},
            )
            return Response(
                document.model_dump_json(),
                status_code=201,
                media_type="application/json",
                headers={"Location": document.data.links["self"]},
            )

        return await run_idempotent(
            request,
            infrastructure.idempotency,
            scope=f"user:{user_id}",
            key=idempotency_key,
            handler=create,
            success_status=201,
        )

    # The collection: GET {prefix} (the kit then serves its service index elsewhere only), and
    # GET {prefix}/ for clients that add the slash.
    @router.get("/", include_in_schema=False)
    @router.get(
        "",
        response_model=SubscriptionListDocument,
        summary="The caller's own subscriptions, newest first, a page at a time",
        description=(
            "`filter[status]`: one status or several, comma-separated (an unknown one "
            "is 400 `INVALID_FILTER`). Pages: `page[size]` "
            f"(1-{rules.max_page_size}, default {rules.default_page_size}); `links.next` is the "
            "next page (null on the last), stable while subscriptions are added; a "
            "`page[cursor]` not taken from a `links.next` is 400 `INVALID_PAGE_CURSOR`."
        ),
        responses=error_responses({400: ["INVALID_FILTER", "INVALID_PAGE_CURSOR"]}),
    )
    async def list_subscriptions(
        paging: Annotated[
            PageRequest,
            Depends(page_query("Subscriptions", rules.default_page_size, rules.max_page_size)),
        ],
        user_id: CurrentUserId,
        status: Annotated[
            FilterValues | None,
            Query(alias="filter[status]", description="Statuses, comma-separated."),
        ] = None,
    ) -> Response:
        statuses = listed(SubscriptionStatus, status, "filter[status]")
        async with subscription_unit_of_work(infrastructure) as uow:
            page = await use_cases.list_subscriptions(
                uow, user_id, statuses, paging.cursor, paging.size
            )
        query = {"page[size]": str(paging.size)}
        if status is not None:
            query["filter[status]"] = status
        next_link = None
        if page.next_cursor:
            next_link = f"{prefix}?{urlencode({**query, 'page[cursor]': page.next_cursor})}"
        document = SubscriptionListDocument(
            data=[subscription_resource(sub, prefix) for sub in page.subscriptions],
            links={"self": f"{prefix}?{urlencode(query)}", "next": next_link},
        )
        return json_response(document)

    @router.get(
        "/trials/eligibility",
        response_model=TrialEligibilityDocument,
        summary="Would a subscription to this plan start with a free trial for me?",
        description=(
            "Yes when the plan is on sale, has a trial (`trial_days` > 0) and the caller never "
            "had a trial of the plan's type (one per user per type, whatever became of it). "
            "An unknown plan is 404 `PLAN_NOT_FOUND`."
        ),
        responses=error_responses({404: ["PLAN_NOT_FOUND"]}),
    )
    async def trial_eligibility(
        user_id: CurrentUserId,
        plan_id: Annotated[uuid.UUID, Query(description="The plan (UUID).")],
    ) -> Response:
        async with subscription_unit_of_work(infrastructure) as uow:
            answer = await use_cases.trial_eligibility(uow, user_id, plan_id)
        document = TrialEligibilityDocument(
            data=TrialEligibilityResource(
                type="trialEligibility",
                id=answer.plan_id,
                attributes=TrialEligibilityAttributes(
                    plan_id=answer.plan_id,
                    plan_type=answer.plan_type,
                    eligible=answer.eligible,
                    trial_days=answer.trial_days,
                ),
            )
        )
        return json_response(document)

    @router.get(
        "/{subscription_id:uuid}",
        response_model=SubscriptionDocument,
        summary="One of the caller's subscriptions",
        description=(
            "Someone else's subscription is 404 `SUBSCRIPTION_NOT_FOUND`, like an unknown one."
        ),
        responses=error_responses(_NOT_FOUND),
    )
    async def get_subscription(subscription_id: SubscriptionId, user_id: CurrentUserId) -> Response:
        async with subscription_unit_of_work(infrastructure) as uow:
            subscription = await use_cases.view_subscription(uow, user_id, subscription_id)
        return json_response(subscription_document(subscription, prefix))

    @router.post(
        "/{subscription_id}/cancel",
        response_model=SubscriptionDocument,
        summary="Stop auto-renewal: access lasts until the period end, then it expires",
        description=(
            "From `trial`, `active` or `pending_payment` (422 `SUBSCRIPTION_STATUS_CONFLICT` "
            "otherwise, e.g. cancelled already). The status becomes `cancelled`, `access_until` "
            "stays the current period's end (a trial's end for a trial). Emits "
            "`subscription.subscription.cancelled.v1` with the optional reason."
        ),
        responses=error_responses({**_NOT_FOUND, 422: ["SUBSCRIPTION_STATUS_CONFLICT"]}),
    )
    async def cancel_subscription(
        subscription_id: SubscriptionId,
        user_id: CurrentUserId,
        body: Annotated[
            SubscriptionCancellationDocument | None,
            Body(description="Optional: why.", examples=[CANCELLATION_EXAMPLE]),
        ] = None,
    ) -> Response:
        reason = body.data.attributes.reason if body else None
        async with subscription_unit_of_work(infrastructure) as uow:
            subscription = await use_cases.cancel(
                uow, user_id, subscription_id, reason, infrastructure.clock.now()
            )
        return json_response(subscription_document(subscription, prefix))

    @router.post(
        "/{subscription_id}/resume",
        response_model=SubscriptionDocument,
        summary="Turn auto-renewal back on before the period end",
        description=(
            "Only a `cancelled` subscription whose period has not ended (422 "
            "`SUBSCRIPTION_NOT_RESUMABLE` otherwise). A cancelled trial becomes a `trial` "
            "again (nothing was paid: it still converts, or expires, at its end); anything "
            "else becomes `active` and renews at the period end."
        ),
        responses=error_responses({**_NOT_FOUND, 422: ["SUBSCRIPTION_NOT_RESUMABLE"]}),
    )
    async def resume_subscription(
        subscription_id: SubscriptionId, user_id: CurrentUserId
    ) -> Response:
        async with subscription_unit_of_work(infrastructure) as uow:
            subscription = await use_cases.resume(
                uow, user_id, subscription_id, infrastructure.clock.now()
            )
        return json_response(subscription_document(subscription, prefix))

    return router
