"""REST of statistics (thin: parse -> one use case -> document): the system metrics of a
period (public) and a submission's analytics (its team and staff)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from parovoz_kit.auth import CurrentPrincipal
from parovoz_kit.auth.dependencies import current_user_id
from parovoz_kit.http.fields import Text
from parovoz_kit.http.openapi import error_responses
from parovoz_kit.infrastructure import Infrastructure
from pydantic import BaseModel

from parovoz_greenlight.clients.developer_portal import developer_portal
from parovoz_greenlight.stats import service as use_cases
from parovoz_greenlight.stats.cache import metrics_cache
from parovoz_greenlight.stats.domain import FROM_PARAMETER, TO_PARAMETER, period_of
from parovoz_greenlight.stats.rules import StatsRules
from parovoz_greenlight.stats.schemas import (
    SubmissionAnalyticsDocument,
    SystemMetricsDocument,
    analytics_document,
    system_metrics_document,
)
from parovoz_greenlight.unit_of_work import greenlight_unit_of_work

SubmissionId = Annotated[uuid.UUID, Path(description="The submission's id (UUID).")]
DateText = Annotated[str, Text(10)]


def _json(document: BaseModel) -> Response:
    return Response(
        document.model_dump_json(by_alias=True), status_code=200, media_type="application/json"
    )


def stats_router(infrastructure: Infrastructure) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    rules: StatsRules = infrastructure.settings.stats_rules()  # type: ignore[attr-defined]
    router = APIRouter(prefix=prefix, tags=["stats"])
    clock = infrastructure.clock
    cache = metrics_cache(infrastructure)
    developers = developer_portal(infrastructure)

    @router.get(
        "/stats",
        response_model=SystemMetricsDocument,
        summary="System metrics of a period (public)",
        description=(
            "No token needed. Dates are UTC days, `filter[to]` excluded; without "
            f"`filter[to]` up to today (included), without `filter[from]` the "
            f"{rules.default_period_days} days before `filter[to]`. At most "
            f"{rules.longest_period_days} days at once; `from` must be before `to` (400 "
            "`VALIDATION_ERROR` naming the parameter). Submissions created, votings active now "
            "and completed, the approval rate of the results decided, the average voting "
            "duration, participation, removed votes and the quality score. Counted figures are "
            f"kept for {rules.cache_ttl_seconds} s (`as_of` says when they were counted)."
        ),
        responses=error_responses({400: ["VALIDATION_ERROR"]}),
    )
    async def get_system_metrics(
        from_: Annotated[
            DateText | None,
            Query(alias=FROM_PARAMETER, description="First UTC day, YYYY-MM-DD (included)."),
        ] = None,
        to: Annotated[
            DateText | None,
            Query(alias=TO_PARAMETER, description="Last UTC day, YYYY-MM-DD (excluded)."),
        ] = None,
    ) -> Response:
        now = clock.now()
        period = period_of(from_, to, now.date(), rules)
        async with greenlight_unit_of_work(infrastructure) as uow:
            metrics = await use_cases.system_metrics_of(uow, cache, rules, period, now)
        return _json(system_metrics_document(metrics, f"{prefix}/stats"))

    @router.get(
        "/submissions/{submission_id:uuid}/analytics",
        response_model=SubmissionAnalyticsDocument,
        summary="A submission's analytics (its team, curators, moderators, admins)",
        description=(
            "For a member of the submitting developer account and the platform roles "
            "`curator`, `moderator`, `admin`. Anyone else: 404 `SUBMISSION_NOT_FOUND` while "
            "the submission is not public (like an unknown one), 403 "
            "`ANALYTICS_NOT_AUTHORIZED` once it is; a service token 403 "
            "`USER_TOKEN_REQUIRED`. Of the latest voting window: valid and removed votes per "
            "UTC day and choice, the category averages, the shares of voters who played the "
            "demo and would recommend, the weighted yes and no."
        ),
        responses=error_responses(
            {
                403: ["ANALYTICS_NOT_AUTHORIZED", "USER_TOKEN_REQUIRED"],
                404: ["SUBMISSION_NOT_FOUND"],
                503: ["DEVELOPER_PORTAL_UNAVAILABLE"],
            }
        ),
    )
    async def get_submission_analytics(
        submission_id: SubmissionId, principal: CurrentPrincipal
    ) -> Response:
        viewer = current_user_id(principal)
        async with greenlight_unit_of_work(infrastructure) as uow:
            analytics = await use_cases.analytics_of(
                uow,  # type: ignore[arg-type]
                developers,
                submission_id,
                viewer,
                principal.roles,
                clock.now(),
            )
        return _json(analytics_document(analytics, prefix))

    return router
