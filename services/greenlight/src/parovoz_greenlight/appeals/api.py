"""REST of appeals (thin: parse -> one use case -> document): file an appeal of a rejected
submission, list its appeals, decide one."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Response
from parovoz_kit.auth import CurrentPrincipal, Principal
from parovoz_kit.auth.dependencies import current_user_id
from parovoz_kit.http.openapi import error_responses
from parovoz_kit.infrastructure import Infrastructure
from pydantic import BaseModel

from parovoz_greenlight.appeals import service as use_cases
from parovoz_greenlight.appeals.rules import AppealRules
from parovoz_greenlight.appeals.schemas import (
    AppealDocument,
    AppealListDocument,
    AppealResponseDocument,
    DecisionDocument,
    appeal_resource,
)
from parovoz_greenlight.clients.developer_portal import developer_portal
from parovoz_greenlight.results.service import open_window
from parovoz_greenlight.unit_of_work import greenlight_unit_of_work

SubmissionId = Annotated[uuid.UUID, Path(description="The submission's id (UUID).")]
AppealId = Annotated[uuid.UUID, Path(description="The appeal's id (UUID).")]


def _caller(principal: Principal) -> use_cases.Caller:
    return use_cases.Caller(current_user_id(principal), principal.roles)


def _json(document: BaseModel, status_code: int = 200) -> Response:
    return Response(
        document.model_dump_json(), status_code=status_code, media_type="application/json"
    )


def appeals_router(infrastructure: Infrastructure) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    rules: AppealRules = infrastructure.settings.appeal_rules()
    router = APIRouter(prefix=prefix, tags=["appeals"])
    clock = infrastructure.clock
    teams = developer_portal(infrastructure)

    @router.post(
        "/submissions/{submission_id}/appeals",
        status_code=201,
        response_model=AppealResponseDocument,
        summary="Appeal a rejected submission (its developer team)",
        description=(
            "The owner, an admin or an editor of the submitting developer account (403 "
            "`PERMISSION_DENIED` otherwise). Only a `rejected` submission (422 "
            f"`APPEAL_NOT_ALLOWED`), within {rules.period.days} days of the rejection (422 "
            "`APPEAL_DEADLINE_PASSED`), once per submission (409 `APPEAL_NOT_ALLOWED`). "
            "`significant_improvements` must list the improvements (422 "
            "`INSUFFICIENT_IMPROVEMENTS`)."
        ),
        responses=error_responses(
            {
                403: ["PERMISSION_DENIED"],
                404: ["SUBMISSION_NOT_FOUND"],
                409: ["APPEAL_NOT_ALLOWED"],
                422: ["APPEAL_NOT_ALLOWED", "APPEAL_DEADLINE_PASSED", "INSUFFICIENT_IMPROVEMENTS"],
                503: ["DEVELOPER_PORTAL_UNAVAILABLE"],
            }
        ),
    )
    async def file_appeal(
        submission_id: SubmissionId, body: AppealDocument, principal: CurrentPrincipal
    ) -> Response:
        attributes = body.data.attributes
        async with greenlight_unit_of_work(infrastructure) as uow:
            appeal = await use_cases.file_appeal(
                uow,
                teams,
                submission_id,
                _caller(principal),
                reason=attributes.reason,
                explanation=attributes.explanation,
                improvements=attributes.improvements,
                rules=rules,
                now=clock.now(),
            )
        return _json(AppealResponseDocument(data=appeal_resource(appeal)), 201)

    @router.get(
        "/submissions/{submission_id}/appeals",
        response_model=AppealListDocument,
        summary="A submission's appeals (staff or the developer's team)",
        description=(
            "Platform roles `admin`, `moderator`, `curator`, or a member of the submitting "
            "developer account (403 `PERMISSION_DENIED` otherwise)."
        ),
        responses=error_responses(
            {
                403: ["PERMISSION_DENIED"],
                404: ["SUBMISSION_NOT_FOUND"],
                503: ["DEVELOPER_PORTAL_UNAVAILABLE"],
            }
        ),
    )
    async def list_appeals(submission_id: SubmissionId, principal: CurrentPrincipal) -> Response:
        async with greenlight_unit_of_work(infrastructure) as uow:
            appeals = await use_cases.appeals_of(uow, teams, submission_id, _caller(principal))
        return _json(AppealListDocument(data=[appeal_resource(a) for a in appeals]))

    @router.post(
        "/appeals/{appeal_id}/decision",
        response_model=AppealResponseDocument,
        summary="Decide an appeal (moderator or active curator)",
        description=(
            "Platform role `moderator`, or `curator` acting in the registry (403 "
            "`MODERATOR_NOT_AUTHORIZED`). A pending appeal only (422 `APPEAL_NOT_ALLOWED`). "
            f"`approved` opens a new {rules.window_days}-day voting window and the submission "
            "is `active_voting` again; `rejected` keeps it rejected. The decision, its notes "
            "and who made it are kept."
        ),
        responses=error_responses(
            {
                403: ["MODERATOR_NOT_AUTHORIZED"],
                404: ["APPEAL_NOT_FOUND", "SUBMISSION_NOT_FOUND"],
                409: ["SUBMISSION_CHANGED_CONCURRENTLY"],
                422: ["APPEAL_NOT_ALLOWED", "SUBMISSION_STATUS_CONFLICT"],
            }
        ),
    )
    async def decide_appeal(
        appeal_id: AppealId, body: DecisionDocument, principal: CurrentPrincipal
    ) -> Response:
        attributes = body.data.attributes
        async with greenlight_unit_of_work(infrastructure) as uow:
            appeal = await use_cases.decide_appeal(
                uow,
                appeal_id,
                _caller(principal),
                attributes.decision,
                notes=attributes.notes,
                rules=rules,
                open_window=open_window,
                now=clock.now(),
            )
        return _json(AppealResponseDocument(data=appeal_resource(appeal)))

    return router
