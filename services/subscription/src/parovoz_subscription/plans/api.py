"""REST of plans (thin: parse -> one use case -> document): the public list and plan, and the
admin's changes (platform role `admin`). Catalog routes: ``catalog_api.py``."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from parovoz_kit.auth import Principal, require_roles
from parovoz_kit.http.fields import CountryCode
from parovoz_kit.http.openapi import error_responses
from parovoz_kit.idempotency import OptionalIdempotencyKey, run_with_optional_key
from parovoz_kit.infrastructure import Infrastructure

from parovoz_subscription.plans import service as use_cases
from parovoz_subscription.plans.catalog_api import catalog_routes
from parovoz_subscription.plans.rules import PlanRules
from parovoz_subscription.plans.schemas import (
    PlanChangeDocument,
    PlanCreationDocument,
    PlanDocument,
    PlanListDocument,
    PriceListDocument,
    json_response,
    plan_document,
    plan_resource,
    price_settings,
)
from parovoz_subscription.unit_of_work import subscription_unit_of_work

PlanId = Annotated[uuid.UUID, Path(description="The plan's id (UUID).")]
Admin = Annotated[Principal, Depends(require_roles("admin"))]

_ADMIN = {403: ["PERMISSION_DENIED"]}
_PLAN = {404: ["PLAN_NOT_FOUND"]}
_PRICES = "/data/attributes/prices"


def plans_router(infrastructure: Infrastructure) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    rules: PlanRules = infrastructure.settings.plan_rules()
    router = APIRouter(prefix=f"{prefix}/plans", tags=["plans"])
    clock = infrastructure.clock

    @router.get(
        "",
        response_model=PlanListDocument,
        summary="Plans on sale in a region, with that region's prices (public)",
        description=(
            "No token needed. Active plans sold in `region` that have a price there, each with "
            "what a new subscriber pays per billing period. `region` is an ISO 3166-1 alpha-2 "
            "code in capitals (400 `VALIDATION_ERROR` otherwise); `RU` when left out."
        ),
    )
    async def list_plans(
        region: Annotated[
            CountryCode,
            Query(description="ISO 3166-1 alpha-2 region, e.g. `RU` (the default)."),
        ] = "RU",
    ) -> Response:
        now = clock.now()
        async with subscription_unit_of_work(infrastructure) as uow:
            views = await use_cases.plans_on_sale(uow, region, now)
        document = PlanListDocument(
            data=[plan_resource(view, prefix, now) for view in views],
            links={"self": f"{prefix}/plans?region={region}"},
        )
        return json_response(document)

    @router.get(
        "/{plan_id}",
        response_model=PlanDocument,
        summary="A plan, retired or not, with its prices in every region (public)",
        description="No token needed. An unknown plan is 404 `PLAN_NOT_FOUND`.",
        responses=error_responses(_PLAN),
    )
    async def get_plan(plan_id: PlanId) -> Response:
        async with subscription_unit_of_work(infrastructure) as uow:
            view = await use_cases.view_plan(uow, plan_id)
        return json_response(plan_document(view, prefix, clock.now()))

    @router.post(
        "",
        status_code=201,
        response_model=PlanDocument,
        summary="Create a plan (admin)",
        description=(
            "Platform role `admin` (403 `PERMISSION_DENIED` otherwise; 401 without a token). "
            "The plan is `active` at once; its page is in `Location`. A price for a region not "
            "in `available_regions` is 422 `PLAN_REGION_RESTRICTED`; two currencies in one "
            "region 422 `PLAN_CURRENCY_MISMATCH`; two prices for one region and period 400. "
            "`Idempotency-Key` is optional: the same key and body answer the first plan again."
        ),
        responses=error_responses(
            {**_ADMIN, 422: ["PLAN_REGION_RESTRICTED", "PLAN_CURRENCY_MISMATCH"]}
        ),
    )
    async def create_plan(
        body: PlanCreationDocument,
        request: Request,
        admin: Admin,
        idempotency_key: OptionalIdempotencyKey,
    ) -> Response:
        attributes = body.data.attributes

        async def create() -> Response:
            now = clock.now()
            async with subscription_unit_of_work(infrastructure) as uow:
                view = await use_cases.create_plan(
                    uow,
                    name=attributes.name,
                    description=attributes.description,
                    plan_type=attributes.plan_type,
                    features=[item.feature() for item in attributes.features],
                    trial_days=attributes.trial_days,
                    max_devices=attributes.max_devices,
                    new_releases=attributes.new_releases,
                    new_release_days=attributes.new_release_days,
                    available_regions=attributes.available_regions,
                    prices=price_settings(attributes.prices, _PRICES),
                    rules=rules,
                    now=now,
                )
            document = plan_document(view, prefix, now)
            return Response(
                document.model_dump_json(),
                status_code=201,
                media_type="application/json",
                headers={"Location": document.data.links["self"]},
            )

        return await run_with_optional_key(
            request,
            infrastructure.idempotency,
            scope=f"plans-admin:{admin.subject}",
            key=idempotency_key,
            handler=create,
            success_status=201,
        )

    @router.patch(
        "/{plan_id}",
        response_model=PlanDocument,
        summary="Change a plan's name, description, features, trial, devices, regions (admin)",
        description=(
            "Platform role `admin` (403 `PERMISSION_DENIED` otherwise). Only the attributes sent "
            "change (null is refused, 400). A trial length applies to new trials; a device "
            "limit, new releases and regions apply at once (cached access answers of the plan "
            "are forgotten). An unknown plan is 404 `PLAN_NOT_FOUND`."
        ),
        responses=error_responses({**_ADMIN, **_PLAN}),
    )
    async def change_plan(plan_id: PlanId, body: PlanChangeDocument, admin: Admin) -> Response:
        changes = body.data.attributes.changes()
        now = clock.now()
        async with subscription_unit_of_work(infrastructure) as uow:
            view = await use_cases.change_plan_attributes(uow, plan_id, changes, now)
        return json_response(plan_document(view, prefix, now))

    @router.put(
        "/{plan_id}/prices",
        response_model=PlanDocument,
        summary="Set prices per region and period (admin)",
        description=(
            "Platform role `admin`. Each price named is set; the others stay. A changed price "
            "is paid by new subscribers at once and by existing subscribers from their first "
            f"period starting {rules.price_change_notice.days} days after the change or later "
            "(`upcoming_prices`); each change emits `subscription.plan.price_changed.v1`. The "
            "same price again changes nothing. A region keeps its currency (422 "
            "`PLAN_CURRENCY_MISMATCH`) and must be one of the plan's regions (422 "
            "`PLAN_REGION_RESTRICTED`)."
        ),
        responses=error_responses(
            {**_ADMIN, **_PLAN, 422: ["PLAN_REGION_RESTRICTED", "PLAN_CURRENCY_MISMATCH"]}
        ),
    )
    async def set_prices(plan_id: PlanId, body: PriceListDocument, admin: Admin) -> Response:
        settings = price_settings(body.data.attributes.prices, _PRICES)
        now = clock.now()
        async with subscription_unit_of_work(infrastructure) as uow:
            view = await use_cases.set_prices(uow, plan_id, settings, rules, now)
        return json_response(plan_document(view, prefix, now))

    @router.post(
        "/{plan_id}/retire",
        response_model=PlanDocument,
        summary="Retire a plan: no longer sold, its subscribers keep it (admin)",
        description=(
            "Platform role `admin`. The plan leaves `GET /plans` and new subscriptions to it "
            "are refused (422 `PLAN_NOT_AVAILABLE`); existing subscriptions go on. Retiring a "
            "retired plan is 422 `PLAN_ALREADY_RETIRED`."
        ),
        responses=error_responses({**_ADMIN, **_PLAN, 422: ["PLAN_ALREADY_RETIRED"]}),
    )
    async def retire_plan(plan_id: PlanId, admin: Admin) -> Response:
        now = clock.now()
        async with subscription_unit_of_work(infrastructure) as uow:
            view = await use_cases.retire(uow, plan_id, now)
        return json_response(plan_document(view, prefix, now))

    catalog_routes(router, infrastructure, rules)
    return router
