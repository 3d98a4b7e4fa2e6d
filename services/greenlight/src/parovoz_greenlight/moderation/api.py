"""REST of moderation (thin: parse -> one use case -> document): the curator registry (admin or
moderator), moderation actions and their audit log, expert reviews."""

import uuid
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from parovoz_kit.auth import CurrentPrincipal, Principal, get_verifier, require_roles
from parovoz_kit.auth.dependencies import current_user_id
from parovoz_kit.http.fields import QueryInt64
from parovoz_kit.http.openapi import error_responses
from parovoz_kit.infrastructure import Infrastructure

from parovoz_greenlight.clients.developer_portal import developer_portal
from parovoz_greenlight.moderation import service as use_cases
from parovoz_greenlight.moderation.domain import CuratorStatus
from parovoz_greenlight.moderation.rules import ModerationRules
from parovoz_greenlight.moderation.schemas import (
    CuratorChangeDocument,
    CuratorCreationDocument,
    CuratorListDocument,
    CuratorResponseDocument,
    ExpertReviewDocument,
    ExpertReviewListDocument,
    ExpertReviewResponseDocument,
    ModerationActionDocument,
    ModerationDocument,
    ModerationLogDocument,
    action_resource,
    curator_resource,
    json_response,
    review_resource,
)
from parovoz_greenlight.results.service import open_window
from parovoz_greenlight.unit_of_work import greenlight_unit_of_work

SubmissionId = Annotated[uuid.UUID, Path(description="The submission's id (UUID).")]
CuratorId = Annotated[uuid.UUID, Path(description="The curator's user id (UUID).")]
Registrar = Annotated[Principal, Depends(require_roles("admin", "moderator"))]

_REGISTRAR = {403: ["PERMISSION_DENIED"]}
_SUBMISSION = {404: ["SUBMISSION_NOT_FOUND"]}
_optional_bearer = HTTPBearer(auto_error=False, description="An access token (optional).")


def _caller(principal: Principal) -> use_cases.Caller:
    return use_cases.Caller(current_user_id(principal), principal.roles)


async def _optional_caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_optional_bearer)],
) -> use_cases.Caller:
    """Anonymous callers are welcome; a token sent must be valid (401 otherwise)."""
    if credentials is None:
        return use_cases.Caller(None)
    principal = await get_verifier(request).verify(credentials.credentials)
    if principal.is_service:
        return use_cases.Caller(None)
    return _caller(principal)


OptionalCaller = Annotated[use_cases.Caller, Depends(_optional_caller)]


def moderation_router(infrastructure: Infrastructure) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    rules: ModerationRules = infrastructure.settings.moderation_rules()
    router = APIRouter(prefix=prefix, tags=["moderation"])
    clock = infrastructure.clock
    # The submitting team: members of the submission's developer account (developer-portal).
    teams = developer_portal(infrastructure)

    # --- curators ---------------------------------------------------------------------------
    @router.post(
        "/curators",
        status_code=201,
        response_model=CuratorResponseDocument,
        summary="Register a curator (admin or moderator)",
        description=(
            "Platform role `admin` or `moderator` (403 `PERMISSION_DENIED` otherwise). The user "
            "also needs the platform role `curator` to act. A user already registered is 409 "
            "`CURATOR_ALREADY_REGISTERED`. Status `probation` unless given."
        ),
        responses=error_responses({**_REGISTRAR, 409: ["CURATOR_ALREADY_REGISTERED"]}),
    )
    async def register_curator(body: CuratorCreationDocument, registrar: Registrar) -> Response:
        attributes = body.data.attributes
        now = clock.now()
        async with greenlight_unit_of_work(infrastructure) as uow:
            curator = await use_cases.register_curator(
                uow,
                user_id=attributes.user_id,
                display_name=attributes.display_name,
                specialties=attributes.specialties,
                status=attributes.status,
                added_by=current_user_id(registrar),
                now=now,
            )
        document = CuratorResponseDocument(data=curator_resource(curator, prefix))
        response = json_response(document, 201)
        response.headers["Location"] = document.data.links["self"]
        return response

    @router.get(
        "/curators",
        response_model=CuratorListDocument,
        summary="The curator registry (admin or moderator)",
        description=(
            "Platform role `admin` or `moderator`. Ordered by user id; `filter[status]` keeps "
            "one status; `links.next` has the next page."
        ),
        responses=error_responses(_REGISTRAR),
    )
    async def list_curators(
        registrar: Registrar,
        status: Annotated[
            CuratorStatus | None, Query(alias="filter[status]", description="One status.")
        ] = None,
        page_size: Annotated[
            QueryInt64,
            Query(
                alias="page[size]",
                ge=1,
                le=rules.max_page_size,
                description=f"Curators a page: 1 to {rules.max_page_size}.",
            ),
        ] = rules.default_page_size,
        after: Annotated[
            uuid.UUID | None,
            Query(alias="page[after]", description="`links.next` of the previous page has it."),
        ] = None,
    ) -> Response:
        async with greenlight_unit_of_work(infrastructure) as uow:
            found = await use_cases.list_curators(uow, status, after, page_size)
        query = {"page[size]": str(page_size)}
        if status is not None:
            query["filter[status]"] = status.value
        next_link = None
        if len(found) == page_size:
            next_query = {**query, "page[after]": str(found[-1].user_id)}
            next_link = f"{prefix}/curators?{urlencode(next_query)}"
        document = CuratorListDocument(
            data=[curator_resource(curator, prefix) for curator in found],
            links={"self": f"{prefix}/curators?{urlencode(query)}", "next": next_link},
        )
        return json_response(document)

    @router.get(
        "/curators/{user_id}",
        response_model=CuratorResponseDocument,
        summary="A curator (admin or moderator)",
        description="Platform role `admin` or `moderator`. Unknown: 404 `CURATOR_NOT_FOUND`.",
        responses=error_responses({**_REGISTRAR, 404: ["CURATOR_NOT_FOUND"]}),
    )
    async def get_curator(user_id: CuratorId, registrar: Registrar) -> Response:
        async with greenlight_unit_of_work(infrastructure) as uow:
            curator = await use_cases.curator_of(uow, user_id)
        return json_response(CuratorResponseDocument(data=curator_resource(curator, prefix)))

    @router.patch(
        "/curators/{user_id}",
        response_model=CuratorResponseDocument,
        summary="Change a curator's status, name or specialties (admin or moderator)",
        description=(
            "Platform role `admin` or `moderator`. Only the attributes sent change (null is "
            "400). `active` and `probation` curators may moderate; `inactive` and `suspended` "
            "may not, from the next request on. Unknown: 404 `CURATOR_NOT_FOUND`."
        ),
        responses=error_responses({**_REGISTRAR, 404: ["CURATOR_NOT_FOUND"]}),
    )
    async def change_curator(
        user_id: CuratorId, body: CuratorChangeDocument, registrar: Registrar
    ) -> Response:
        attributes = body.data.attributes.checked()
        now = clock.now()
        async with greenlight_unit_of_work(infrastructure) as uow:
            curator = await use_cases.change_curator(
                uow,
                user_id,
                display_name=attributes.display_name,
                specialties=attributes.specialties,
                status=attributes.status,
                now=now,
            )
        return json_response(CuratorResponseDocument(data=curator_resource(curator, prefix)))

    # --- moderation actions -----------------------------------------------------------------
    @router.post(
        "/submissions/{submission_id}/moderation",
        status_code=201,
        response_model=ModerationActionDocument,
        summary="Moderate a submission (moderator or active curator)",
        description=(
            "Platform role `moderator`, or `curator` with an `active` or `probation` entry in "
            "the registry (403 `MODERATOR_NOT_AUTHORIZED` otherwise). Only a submission "
            "`under_moderation` (422 `MODERATION_CONFLICT`, also for the loser of two actions "
            "at once; `SUBMISSION_FEE_NOT_PAID` while the fee is awaited). `APPROVE` opens the "
            "voting window (`active_voting`); a flagged or "
            "escalated submission needs an expert review written since (422 "
            "`EXPERT_REVIEW_REQUIRED`). `REJECT` rejects it (appealable; "
            "`greenlight.submission.rejected.v1`). `REQUEST_CHANGES` sends it back to `draft` "
            f"with `required_changes`, due by `changes_due_at` (default "
            f"{rules.changes_deadline.days} days, at most "
            f"{rules.longest_changes_deadline.days}). `ESCALATE_TO_EXPERTS` and "
            "`FLAG_FOR_REVIEW` flag it; its status stays. Every action joins the audit log."
        ),
        responses=error_responses(
            {
                403: ["MODERATOR_NOT_AUTHORIZED"],
                **_SUBMISSION,
                409: ["SUBMISSION_CHANGED_CONCURRENTLY"],
                422: ["MODERATION_CONFLICT", "SUBMISSION_FEE_NOT_PAID", "EXPERT_REVIEW_REQUIRED"],
            }
        ),
    )
    async def moderate(
        submission_id: SubmissionId, body: ModerationDocument, principal: CurrentPrincipal
    ) -> Response:
        attributes = body.data.attributes.checked()
        caller = _caller(principal)
        now = clock.now()
        async with greenlight_unit_of_work(infrastructure) as uow:
            outcome = await use_cases.moderate(
                uow,
                submission_id,
                caller,
                attributes.action,
                comment=attributes.comment,
                required_changes=attributes.required_changes,
                changes_due_at=attributes.changes_due_at,
                rules=rules,
                open_window=open_window,
                now=now,
            )
        return json_response(ModerationActionDocument(data=action_resource(outcome.record)), 201)

    @router.get(
        "/submissions/{submission_id}/moderation",
        response_model=ModerationLogDocument,
        summary="The moderation audit log of a submission (staff or the developer's team)",
        description=(
            "Platform roles `admin`, `moderator`, `curator`, or a member of the submitting "
            "developer account (403 `PERMISSION_DENIED` otherwise). Every action, oldest first; "
            "the log is append-only."
        ),
        responses=error_responses({403: ["PERMISSION_DENIED"], **_SUBMISSION}),
    )
    async def moderation_log(submission_id: SubmissionId, principal: CurrentPrincipal) -> Response:
        async with greenlight_unit_of_work(infrastructure) as uow:
            records = await use_cases.moderation_log(uow, submission_id, _caller(principal), teams)
        return json_response(ModerationLogDocument(data=[action_resource(r) for r in records]))

    # --- expert reviews ---------------------------------------------------------------------
    @router.post(
        "/submissions/{submission_id}/expert-reviews",
        status_code=201,
        response_model=ExpertReviewResponseDocument,
        summary="Write an expert review (active curator)",
        description=(
            "Platform role `curator` with an `active` or `probation` registry entry (403 "
            "`MODERATOR_NOT_AUTHORIZED`). One review per curator and submission (409 "
            "`EXPERT_REVIEW_EXISTS`); a submission not yet in moderation or withdrawn is 422 "
            "`EXPERT_REVIEW_NOT_ALLOWED`. Scores 1-5 for every category and overall."
        ),
        responses=error_responses(
            {
                403: ["MODERATOR_NOT_AUTHORIZED"],
                **_SUBMISSION,
                409: ["EXPERT_REVIEW_EXISTS"],
                422: ["EXPERT_REVIEW_NOT_ALLOWED"],
            }
        ),
    )
    async def write_expert_review(
        submission_id: SubmissionId, body: ExpertReviewDocument, principal: CurrentPrincipal
    ) -> Response:
        attributes = body.data.attributes
        now = clock.now()
        async with greenlight_unit_of_work(infrastructure) as uow:
            review = await use_cases.write_expert_review(
                uow,
                submission_id,
                _caller(principal),
                scores=attributes.scores.by_category(),
                overall=attributes.overall,
                strengths=attributes.strengths,
                weaknesses=attributes.weaknesses,
                recommendations=attributes.recommendations,
                is_public=attributes.is_public,
                now=now,
            )
        return json_response(ExpertReviewResponseDocument(data=review_resource(review)), 201)

    @router.get(
        "/submissions/{submission_id}/expert-reviews",
        response_model=ExpertReviewListDocument,
        summary="Expert reviews of a submission",
        description=(
            "Token optional. Public reviews of a public submission (in voting or after) to "
            "everybody; private reviews too to staff (`admin`, `moderator`, `curator`) and the "
            "submitting developer's team. A submission the caller may not see is 404."
        ),
        responses=error_responses({401: ["TOKEN_INVALID", "TOKEN_EXPIRED"], **_SUBMISSION}),
    )
    async def list_expert_reviews(submission_id: SubmissionId, caller: OptionalCaller) -> Response:
        async with greenlight_unit_of_work(infrastructure) as uow:
            reviews = await use_cases.expert_reviews(uow, submission_id, caller, teams)
        return json_response(ExpertReviewListDocument(data=[review_resource(r) for r in reviews]))

    return router
