"""`/plans/{plan_id}/catalog`: the games named in a plan's catalog (public), and the admin's
inclusions, exclusions and announced removals."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response
from parovoz_kit.auth import Principal, require_roles
from parovoz_kit.http.fields import Instant
from parovoz_kit.http.openapi import error_responses
from parovoz_kit.infrastructure import Infrastructure

from parovoz_subscription.plans import service as use_cases
from parovoz_subscription.plans.catalog_schemas import (
    CatalogEntryDocument,
    CatalogEntryResponse,
    CatalogListDocument,
    catalog_resource,
)
from parovoz_subscription.plans.domain import CatalogMode
from parovoz_subscription.plans.rules import PlanRules
from parovoz_subscription.plans.schemas import json_response
from parovoz_subscription.unit_of_work import subscription_unit_of_work

PlanId = Annotated[uuid.UUID, Path(description="The plan's id (UUID).")]
GameId = Annotated[uuid.UUID, Path(description="The game's id (UUID, developer-portal's).")]
Admin = Annotated[Principal, Depends(require_roles("admin"))]
EffectiveAt = Annotated[
    Instant | None,
    Query(
        description="When the game leaves (ISO 8601 with an offset); no earlier than the notice "
        "(14 days) from now, which is the default."
    ),
]


def catalog_routes(router: APIRouter, infrastructure: Infrastructure, rules: PlanRules) -> None:
    prefix = infrastructure.settings.api_prefix
    clock = infrastructure.clock
    notice = rules.catalog_removal_notice.days

    @router.get(
        "/{plan_id}/catalog",
        response_model=CatalogListDocument,
        summary="The games named in a plan's catalog, and until when each stays (public)",
        description=(
            "No token needed. Games included (`status` `included`, or `leaving` with "
            "`available_until` when a removal is announced), removed, or excluded. New releases "
            "are in the plan without being listed here (when the plan has `new_releases`)."
        ),
        responses=error_responses({404: ["PLAN_NOT_FOUND"]}),
    )
    async def list_catalog(plan_id: PlanId) -> Response:
        async with subscription_unit_of_work(infrastructure) as uow:
            entries = await use_cases.plan_catalog(uow, plan_id)
        now = clock.now()
        url = f"{prefix}/plans/{plan_id}"
        document = CatalogListDocument(
            data=[catalog_resource(entry, prefix, now) for entry in entries],
            links={"self": f"{url}/catalog", "plan": url},
        )
        return json_response(document)

    @router.get(
        "/{plan_id}/catalog/{game_id}",
        response_model=CatalogEntryResponse,
        summary="One game of a plan's catalog, and until when it stays (public)",
        description="No token needed. A game the catalog does not name is 404.",
        responses=error_responses({404: ["PLAN_NOT_FOUND", "GAME_NOT_IN_PLAN_CATALOG"]}),
    )
    async def get_entry(plan_id: PlanId, game_id: GameId) -> Response:
        async with subscription_unit_of_work(infrastructure) as uow:
            entry = await use_cases.catalog_entry(uow, plan_id, game_id)
        return json_response(
            CatalogEntryResponse(data=catalog_resource(entry, prefix, clock.now()))
        )

    @router.put(
        "/{plan_id}/catalog/{game_id}",
        response_model=CatalogEntryResponse,
        summary="Include a game in a plan or exclude it (admin)",
        description=(
            "Platform role `admin`. `included`: the plan has the game from now on (an "
            "announced removal is cancelled). `excluded`: never in the plan, not even as a new "
            "release; a game the plan includes leaves only through an announced removal "
            "(`DELETE`, 422 `CATALOG_REMOVAL_REQUIRED` here)."
        ),
        responses=error_responses(
            {403: ["PERMISSION_DENIED"], 404: ["PLAN_NOT_FOUND"], 422: ["CATALOG_REMOVAL_REQUIRED"]}
        ),
    )
    async def put_entry(
        plan_id: PlanId, game_id: GameId, body: CatalogEntryDocument, admin: Admin
    ) -> Response:
        included = body.data.attributes.mode is CatalogMode.INCLUDED
        now = clock.now()
        async with subscription_unit_of_work(infrastructure) as uow:
            entry = await use_cases.put_in_catalog(uow, plan_id, game_id, included, now)
        return json_response(CatalogEntryResponse(data=catalog_resource(entry, prefix, now)))

    @router.delete(
        "/{plan_id}/catalog/{game_id}",
        response_model=CatalogEntryResponse,
        summary=f"Announce a game's removal from a plan (at least {notice} days ahead; admin)",
        description=(
            f"Platform role `admin`. The game leaves the plan at `effective_at` (default and "
            f"earliest: {notice} days from now; earlier is 422 `CATALOG_NOTICE_TOO_SHORT`); "
            "until then subscribers keep it and the catalog shows `available_until`. Emits "
            "`subscription.plan.catalog_removal_announced.v1`. Announcing again moves the "
            "time; `PUT` with `included` cancels it. A game the plan does not include is 404 "
            "`GAME_NOT_IN_PLAN_CATALOG`."
        ),
        responses=error_responses(
            {
                403: ["PERMISSION_DENIED"],
                404: ["PLAN_NOT_FOUND", "GAME_NOT_IN_PLAN_CATALOG"],
                422: ["CATALOG_NOTICE_TOO_SHORT"],
            }
        ),
    )
    async def remove_entry(
        plan_id: PlanId,
        game_id: GameId,
        admin: Admin,
        effective_at: EffectiveAt = None,
    ) -> Response:
        now = clock.now()
        async with subscription_unit_of_work(infrastructure) as uow:
            entry = await use_cases.remove_from_catalog(
                uow, plan_id, game_id, effective_at, rules, now
            )
        return json_response(CatalogEntryResponse(data=catalog_resource(entry, prefix, now)))
