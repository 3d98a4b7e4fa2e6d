"""REST of submissions (thin: parse -> one use case -> document): write a draft, edit it,
submit it (the fee), withdraw it, read one, the public list and the caller's account's own.
A submission the caller may not see is 404, like an unknown one (no existence leak)."""

import uuid
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from parovoz_kit.auth import CurrentUserId, Principal, current_user_id
from parovoz_kit.auth.dependencies import request_verifier
from parovoz_kit.auth.verifier import JwtVerifier
from parovoz_kit.errors import ValidationFailed
from parovoz_kit.http.fields import QueryInt64, Text
from parovoz_kit.http.filters import listed
from parovoz_kit.http.openapi import error_responses
from parovoz_kit.idempotency.rest import OptionalIdempotencyKey, run_with_optional_key
from parovoz_kit.infrastructure import Infrastructure

from parovoz_greenlight.clients.developer_portal import developer_portal
from parovoz_greenlight.submissions import service as use_cases
from parovoz_greenlight.submissions.domain import SubmissionStatus
from parovoz_greenlight.submissions.fee_desk import fees_context
from parovoz_greenlight.submissions.rules import SubmissionRules
from parovoz_greenlight.submissions.schemas import (
    SubmissionChangeDocument,
    SubmissionCreationDocument,
    SubmissionDocument,
    SubmissionListDocument,
    json_response,
    submission_document,
    submission_resource,
)
from parovoz_greenlight.submissions.trending import trending_scores
from parovoz_greenlight.unit_of_work import greenlight_unit_of_work

SubmissionId = Annotated[uuid.UUID, Path(description="The submission's id (UUID).")]
FilterValue = Annotated[str, Text(200)]
Cursor = Annotated[str, Text(200, min_length=1)]

#: Platform roles that see every submission (staff).
STAFF_ROLES = frozenset({"admin", "moderator", "curator", "support"})

_NOT_FOUND = {404: ["SUBMISSION_NOT_FOUND"]}
_MEMBER = {403: ["DEVELOPER_MEMBERSHIP_REQUIRED"], 503: ["DEVELOPER_PORTAL_UNAVAILABLE"]}
_bearer = HTTPBearer(auto_error=False, description="An access token from the auth service.")


async def optional_principal(
    verifier: Annotated[JwtVerifier, Depends(request_verifier)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal | None:
    """The caller when a token is sent (an invalid one is 401), None for an anonymous one."""
    if credentials is None:
        return None
    return await verifier.verify(credentials.credentials)


MaybePrincipal = Annotated[Principal | None, Depends(optional_principal)]


def _viewer(principal: Principal | None) -> tuple[uuid.UUID | None, bool]:
    if principal is None or principal.is_service:
        return None, principal is not None
    return current_user_id(principal), principal.has_any_role(STAFF_ROLES)


def submissions_router(infrastructure: Infrastructure) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    rules: SubmissionRules = infrastructure.settings.submission_rules()  # type: ignore[attr-defined]
    router = APIRouter(prefix=prefix, tags=["submissions"])
    developers = developer_portal(infrastructure)
    fees = fees_context(infrastructure)
    page_size_query = Query(
        alias="page[size]",
        ge=1,
        le=rules.max_page_size,
        description=f"Submissions a page: 1 to {rules.max_page_size}.",
    )

    def document(submission: use_cases.Submission, **meta: str | None) -> Response:
        return json_response(submission_document(submission, prefix, meta or None))

    @router.post(
        "/submissions",
        status_code=201,
        response_model=SubmissionDocument,
        summary="Write a draft submission of a developer-portal game",
        description=(
            "The caller must be an owner, admin or editor of the developer account that owns "
            "`game_id` (developer-portal's `GetGame` and `GetDeveloper`): else 403 "
            "`DEVELOPER_MEMBERSHIP_REQUIRED`; an unknown game is 422 `GAME_NOT_FOUND`. One "
            "open submission per game (409 `SUBMISSION_ALREADY_EXISTS`; a rejected or "
            "withdrawn one does not count). The draft is not public. `Idempotency-Key` is "
            "welcome: the same key and body answer the first answer again."
        ),
        responses=error_responses(
            {
                **_MEMBER,
                409: ["SUBMISSION_ALREADY_EXISTS"],
                422: ["GAME_NOT_FOUND"],
            }
        ),
    )
    async def create_submission(
        body: SubmissionCreationDocument,
        request: Request,
        user_id: CurrentUserId,
        idempotency_key: OptionalIdempotencyKey,
    ) -> Response:
        attributes = body.data.attributes
        draft = use_cases.Draft(
            game_id=attributes.game_id,
            title=attributes.title,
            description=attributes.description,
            genres=tuple(attributes.genres),
            target_audience=attributes.target_audience,
            selling_points=tuple(attributes.selling_points),
            team=attributes.team,
            timeline=attributes.timeline,
            demo_links=tuple(attributes.demo_links),
            business_plan=attributes.business_plan,
        )

        async def create() -> Response:
            async with greenlight_unit_of_work(infrastructure) as uow:
                created = await use_cases.create_draft(
                    uow, developers, user_id, draft, infrastructure.clock.now()
                )
            response = json_response(submission_document(created, prefix), 201)
            response.headers["Location"] = f"{prefix}/submissions/{created.id}"
            return response

        return await run_with_optional_key(
            request,
            infrastructure.idempotency,
            scope=f"user:{user_id}",
            key=idempotency_key,
            handler=create,
            success_status=201,
        )

    @router.get("/submissions/", include_in_schema=False)
    @router.get(
        "/submissions",
        response_model=SubmissionListDocument,
        summary="The public submissions: in voting, voting completed, approved",
        description=(
            "No token needed. `filter[status]`: `active_voting`, `voting_completed`, `approved` "
            "(comma-separated; other statuses are never public); `filter[genre]`: one genre "
            "slug. `sort=newest` (default): newest first, keyset pages (`links.next`; a "
            "`page[cursor]` not taken from one is 400 `INVALID_PAGE_CURSOR`). "
            "`sort=trending`: by the lower bound of the 95 % Wilson interval of the weighted "
            f"yes share (each item's `meta.wilson_lower_bound`), among the newest "
            f"{rules.trending_candidates} public submissions."
        ),
        responses=error_responses({400: ["INVALID_FILTER", "INVALID_PAGE_CURSOR"]}),
    )
    async def list_submissions(
        status: Annotated[
            FilterValue | None,
            Query(alias="filter[status]", description="Public statuses, comma-separated."),
        ] = None,
        genre: Annotated[
            FilterValue | None, Query(alias="filter[genre]", description="A genre slug.")
        ] = None,
        sort: Annotated[
            Literal["newest", "trending"], Query(description="`newest` or `trending`.")
        ] = "newest",
        page_size: Annotated[QueryInt64, page_size_query] = rules.default_page_size,
        cursor: Annotated[
            Cursor | None,
            Query(alias="page[cursor]", description="`links.next` of the previous page has it."),
        ] = None,
    ) -> Response:
        statuses = listed(SubmissionStatus, status, "filter[status]")
        query = {"page[size]": str(page_size), "sort": sort}
        if status is not None:
            query["filter[status]"] = status
        if genre is not None:
            query["filter[genre]"] = genre
        async with greenlight_unit_of_work(infrastructure) as uow:
            if sort == "trending":
                offset = _offset(cursor)
                scores = trending_scores(uow)
                ranked, next_offset = await use_cases.trending_list(
                    uow,
                    scores,
                    statuses=statuses,
                    genre=genre,
                    offset=offset,
                    size=page_size,
                    candidates=rules.trending_candidates,
                )
                data = [
                    submission_resource(item.submission, prefix, {"wilson_lower_bound": item.score})
                    for item in ranked
                ]
                next_cursor = None if next_offset is None else f"offset-{next_offset}"
            else:
                page = await use_cases.public_list(
                    uow, statuses=statuses, genre=genre, cursor=cursor, size=page_size
                )
                data = [submission_resource(item, prefix) for item in page.submissions]
                next_cursor = page.next_cursor
        next_link = None
        if next_cursor:
            next_link = f"{prefix}/submissions?{urlencode({**query, 'page[cursor]': next_cursor})}"
        return json_response(
            SubmissionListDocument(
                data=data,
                links={"self": f"{prefix}/submissions?{urlencode(query)}", "next": next_link},
                meta={"sort": sort},
            )
        )

    @router.get(
        "/submissions/mine",
        response_model=SubmissionListDocument,
        summary="The submissions of the caller's developer account, any status, newest first",
        description=(
            "The account the caller is a team member of (developer-portal); none when in no "
            "team. `filter[status]`: statuses, comma-separated. Keyset pages (`links.next`)."
        ),
        responses=error_responses(
            {
                400: ["INVALID_FILTER", "INVALID_PAGE_CURSOR"],
                503: ["DEVELOPER_PORTAL_UNAVAILABLE"],
            }
        ),
    )
    async def my_submissions(
        user_id: CurrentUserId,
        status: Annotated[
            FilterValue | None,
            Query(alias="filter[status]", description="Statuses, comma-separated."),
        ] = None,
        page_size: Annotated[QueryInt64, page_size_query] = rules.default_page_size,
        cursor: Annotated[
            Cursor | None,
            Query(alias="page[cursor]", description="`links.next` of the previous page has it."),
        ] = None,
    ) -> Response:
        statuses = listed(SubmissionStatus, status, "filter[status]")
        async with greenlight_unit_of_work(infrastructure) as uow:
            page = await use_cases.developer_submissions(
                uow, developers, user_id, statuses=statuses, cursor=cursor, size=page_size
            )
        query = {"page[size]": str(page_size)}
        if status is not None:
            query["filter[status]"] = status
        next_link = None
        if page.next_cursor:
            next_link = (
                f"{prefix}/submissions/mine?"
                f"{urlencode({**query, 'page[cursor]': page.next_cursor})}"
            )
        return json_response(
            SubmissionListDocument(
                data=[submission_resource(item, prefix) for item in page.submissions],
                links={"self": f"{prefix}/submissions/mine?{urlencode(query)}", "next": next_link},
            )
        )

    @router.get(
        "/submissions/{submission_id:uuid}",
        response_model=SubmissionDocument,
        summary="One submission",
        description=(
            "Public (no token needed) once in voting, voting completed or approved; before "
            "that (and when rejected or withdrawn) only the developer's team and staff "
            "(admin, moderator, curator, support) see it: anyone else gets 404 "
            "`SUBMISSION_NOT_FOUND`, like an unknown one."
        ),
        responses=error_responses(
            {
                **_NOT_FOUND,
                401: ["TOKEN_INVALID"],
                503: ["DEVELOPER_PORTAL_UNAVAILABLE"],
            }
        ),
    )
    async def get_submission(submission_id: SubmissionId, principal: MaybePrincipal) -> Response:
        viewer, staff = _viewer(principal)
        async with greenlight_unit_of_work(infrastructure) as uow:
            submission = await use_cases.view_submission(
                uow, developers, submission_id, viewer, staff=staff
            )
        return document(submission)

    @router.patch(
        "/submissions/{submission_id:uuid}",
        response_model=SubmissionDocument,
        summary="Change a draft's texts",
        description=(
            "Only members sent change (`null` clears an optional text). Owner, admin or editor "
            "of the submitting account only (403 `DEVELOPER_MEMBERSHIP_REQUIRED`); only a "
            "`draft` (also one whose changes a curator asked for): else 422 "
            "`SUBMISSION_STATUS_CONFLICT`."
        ),
        responses=error_responses(
            {
                **_NOT_FOUND,
                **_MEMBER,
                409: ["SUBMISSION_CHANGED_CONCURRENTLY"],
                422: ["SUBMISSION_STATUS_CONFLICT"],
            }
        ),
    )
    async def change_submission(
        submission_id: SubmissionId, body: SubmissionChangeDocument, user_id: CurrentUserId
    ) -> Response:
        changes = body.data.attributes.changes()
        async with greenlight_unit_of_work(infrastructure) as uow:
            submission = await use_cases.edit_draft(
                uow, developers, submission_id, user_id, changes, infrastructure.clock.now()
            )
        return document(submission)

    @router.post(
        "/submissions/{submission_id:uuid}/submit",
        response_model=SubmissionDocument,
        status_code=202,
        summary="Submit a draft: pay the fee, then moderation",
        description=(
            "The caller must be an owner, admin or editor (403 "
            "`DEVELOPER_MEMBERSHIP_REQUIRED`) of an `active` developer account (422 "
            "`DEVELOPER_ACCOUNT_NOT_ACTIVE`) that owns the game (422 `GAME_NOT_OWNED`). "
            "202: the submission is `submitted` and `meta.confirmation_url` is payment's page "
            "for the fee (5,000.00 RUB); it goes to `under_moderation` when payment reports "
            "the fee paid (back to `draft` if the payment is cancelled). Submitting a "
            "`submitted` one again answers the same payment. 200: a draft whose changes a "
            "curator asked for, with the fee paid, goes straight to `under_moderation`. "
            "Another status: 422 `SUBMISSION_STATUS_CONFLICT`. An incomplete draft: 422 "
            f"`INVALID_SUBMISSION_DATA`, one error per field (`source.pointer`): a description "
            f"of at least {rules.min_description_chars} characters, a genre, the target "
            f"audience, team, timeline and business plan (at least {rules.min_detail_chars} "
            "characters each) and a demo link; nothing changes and no fee is asked."
        ),
        responses=error_responses(
            {
                **_NOT_FOUND,
                **_MEMBER,
                409: ["SUBMISSION_CHANGED_CONCURRENTLY"],
                422: [
                    "SUBMISSION_STATUS_CONFLICT",
                    "DEVELOPER_ACCOUNT_NOT_ACTIVE",
                    "GAME_NOT_OWNED",
                    "INVALID_SUBMISSION_DATA",
                ],
                503: ["DEVELOPER_PORTAL_UNAVAILABLE", "PAYMENT_UNAVAILABLE"],
            }
        )
        | {
            200: {
                "model": SubmissionDocument,
                "description": "The fee was paid already: the submission is under moderation.",
            }
        },
    )
    async def submit_submission(submission_id: SubmissionId, user_id: CurrentUserId) -> Response:
        async with greenlight_unit_of_work(infrastructure) as uow:
            submitted = await use_cases.submit(
                uow, developers, fees, submission_id, user_id, infrastructure.clock.now(), rules
            )
        fee = submitted.fee
        meta = {
            "confirmation_url": fee.confirmation_url if fee else None,
            "fee_id": str(fee.fee_id) if fee else None,
        }
        return json_response(
            submission_document(submitted.submission, prefix, meta),
            202 if fee is not None and fee.confirmation_url else 200,
        )

    @router.post(
        "/submissions/{submission_id:uuid}/withdraw",
        response_model=SubmissionDocument,
        summary="Withdraw a submission before its result",
        description=(
            "From `draft`, `submitted`, `under_moderation` or `active_voting` (422 "
            "`SUBMISSION_STATUS_CONFLICT` otherwise). A fee paid before voting started is "
            "refunded through payment (reason SUBMISSION_WITHDRAWN), once; none once voting "
            "started. Owner, admin or editor of the submitting account only."
        ),
        responses=error_responses(
            {
                **_NOT_FOUND,
                **_MEMBER,
                409: ["SUBMISSION_CHANGED_CONCURRENTLY"],
                422: ["SUBMISSION_STATUS_CONFLICT"],
                503: ["DEVELOPER_PORTAL_UNAVAILABLE", "PAYMENT_UNAVAILABLE"],
            }
        ),
    )
    async def withdraw_submission(submission_id: SubmissionId, user_id: CurrentUserId) -> Response:
        async with greenlight_unit_of_work(infrastructure) as uow:
            submission = await use_cases.withdraw(
                uow, developers, fees, submission_id, user_id, infrastructure.clock.now()
            )
        return document(submission)

    return router


def _offset(cursor: str | None) -> int:
    """A trending page's cursor: ``offset-N``."""
    if cursor is None:
        return 0
    number = cursor.removeprefix("offset-")
    if cursor.startswith("offset-") and number.isdigit() and len(number) < 7:
        return int(number)
    raise ValidationFailed(
        "page[cursor] is not a cursor of this list; start from the first page.",
        detail_ru="page[cursor] — не курсор этого списка: начните с первой страницы.",
        code="INVALID_PAGE_CURSOR",
        parameter="page[cursor]",
    )
