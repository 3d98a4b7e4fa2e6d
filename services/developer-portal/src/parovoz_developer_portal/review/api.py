"""review: REST routes (parse -> one use case -> document).

- ``POST /games/{game_id}/versions/{version_id}/submit-for-review`` (seed 001 §3.1.4);
- ``GET /games/{game_id}/versions/{version_id}/review``: the version's submissions and the
  moderators' decisions.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Request, Response
from parovoz_kit.http.openapi import error_responses
from parovoz_kit.idempotency import OptionalIdempotencyKey, run_with_optional_key
from parovoz_kit.infrastructure import Infrastructure
from pydantic import BaseModel, Field

from parovoz_developer_portal.builds.domain import GameVersion
from parovoz_developer_portal.fields import GameId, VersionId
from parovoz_developer_portal.review import service as use_cases
from parovoz_developer_portal.review.domain import Submission
from parovoz_developer_portal.schemas import Document, Resource
from parovoz_developer_portal.team.api import CurrentActor
from parovoz_developer_portal.unit_of_work import portal_unit_of_work

#: Why a version may not be submitted (besides state conflicts), by builds' own codes.
BUILDS_INCOMPLETE_CODES = ["BUILDS_INCOMPLETE"]


class VersionReviewState(BaseModel):
    version_name: str = Field(description="Version name, e.g. `1.0.1`.")
    status: str = Field(description="The version's status: `in_review` once submitted.")
    status_reason: str | None = Field(
        description="Why the version is rejected (the moderator's reason); else null."
    )


class SubmittedVersion(BaseModel):
    type: Literal["gameVersion"] = Field(description="Resource type (JSON:API).")
    id: uuid.UUID = Field(description="The version's id.")
    status: str = Field(description="The version's status, `in_review` (seed 001's answer).")
    attributes: VersionReviewState = Field(description="The version's review state.")
    links: dict[str, str] = Field(
        description="`self`: the version; `review`: its submissions and decisions."
    )


class SubmittedDocument(BaseModel):
    data: SubmittedVersion = Field(description="The submitted version.")


class ModeratorDecision(BaseModel):
    outcome: Literal["approved", "rejected"] = Field(description="What moderation decided.")
    note: str | None = Field(
        description="The moderator's comment (approved) or reason (rejected); may be null."
    )
    moderator_id: uuid.UUID | None = Field(
        description="The moderator's user id; null for a decision made by the system."
    )
    decided_at: datetime = Field(description="When the decision was made.")


class SubmissionEntry(BaseModel):
    id: uuid.UUID = Field(description="The submission's id.")
    submitted_at: datetime = Field(description="When it was submitted.")
    submitted_by_user_id: uuid.UUID = Field(
        description="Who submitted it (an API key's creator when it came through a key)."
    )
    api_key_id: uuid.UUID | None = Field(description="The API key it came through, if any.")
    decision: ModeratorDecision | None = Field(description="The decision; null while pending.")


class ReviewAttributes(VersionReviewState):
    submissions: list[SubmissionEntry] = Field(
        description="Each submission of the version to moderation, oldest first."
    )


def _links(prefix: str, version: GameVersion) -> dict[str, str]:
    base = f"{prefix}/games/{version.game_id}/versions/{version.id}"
    return {"self": base, "review": f"{base}/review"}


def _entry(submission: Submission) -> SubmissionEntry:
    decision = None
    if submission.outcome is not None and submission.decided_at is not None:
        decision = ModeratorDecision(
            outcome=submission.outcome.value,
            note=submission.note,
            moderator_id=submission.moderator_id,
            decided_at=submission.decided_at,
        )
    return SubmissionEntry(
        id=submission.id,
        submitted_at=submission.submitted_at,
        submitted_by_user_id=submission.submitted_by_user_id,
        api_key_id=submission.api_key_id,
        decision=decision,
    )


def review_router(infrastructure: Infrastructure) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    router = APIRouter(prefix=f"{prefix}/games", tags=["review"])

    @router.post(
        "/{game_id}/versions/{version_id}/submit-for-review",
        response_model=SubmittedDocument,
        summary="Send a version to moderation (owner, admin, editor or an API key)",
        description=(
            "The version must be `ready_for_review`: a verified build for every platform it "
            "targets (422 `BUILDS_INCOMPLETE`, or `VERSION_STATE_CONFLICT` in another status). "
            "An account on the `greenlight` track needs greenlight's approval of a submission "
            "linked to this game (422 `GREENLIGHT_APPROVAL_REQUIRED`); a verified studio "
            "(`direct` track) needs none; a suspended account is 422 `ACCOUNT_SUSPENDED`. The "
            "version goes `in_review`; a draft, rejected or unpublished game too (a published "
            "game stays published); `developer.game.submitted.v1` tells the Admin Service, whose "
            'decision shows in `GET .../review`. Answer: seed 001\'s `{"data": {"status": '
            '"in_review"}}` plus the version. Another account\'s game or version is 404; '
            "viewer and finance get 403. `Idempotency-Key` is optional."
        ),
        responses=error_responses(
            {
                403: ["TEAM_ROLE_FORBIDS"],
                404: ["RESOURCE_NOT_FOUND"],
                422: [
                    "GREENLIGHT_APPROVAL_REQUIRED",
                    *BUILDS_INCOMPLETE_CODES,
                    "VERSION_STATE_CONFLICT",
                    "GAME_STATE_CONFLICT",
                    "ACCOUNT_SUSPENDED",
                ],
            }
        ),
    )
    async def submit_for_review(
        game_id: GameId,
        version_id: VersionId,
        request: Request,
        actor: CurrentActor,
        idempotency_key: OptionalIdempotencyKey,
    ) -> Response:
        async def submit() -> Response:
            async with portal_unit_of_work(infrastructure) as uow:
                version = await use_cases.submit_version_for_review(
                    uow, actor, game_id, version_id, infrastructure.clock.now()
                )
            document = SubmittedDocument(
                data=SubmittedVersion(
                    type="gameVersion",
                    id=version.id,
                    status=version.status.value,
                    attributes=VersionReviewState(
                        version_name=version.version_name,
                        status=version.status.value,
                        status_reason=version.status_reason,
                    ),
                    links=_links(prefix, version),
                )
            )
            return Response(document.model_dump_json(), media_type="application/json")

        return await run_with_optional_key(
            request,
            infrastructure.idempotency,
            scope=f"user:{actor.user_id}",
            key=idempotency_key,
            handler=submit,
        )

    @router.get(
        "/{game_id}/versions/{version_id}/review",
        response_model=Document[ReviewAttributes],
        summary="A version's submissions to moderation and the decisions on them",
        description=(
            "Every member of the account (and an API key) may read it: each submission (when, "
            "by whom) with the moderator's decision (`approved` with an optional comment, or "
            "`rejected` with the reason; who, when), oldest first. Another account's game or "
            "version is 404."
        ),
        responses=error_responses({404: ["RESOURCE_NOT_FOUND"]}),
    )
    async def version_review(
        game_id: GameId, version_id: VersionId, actor: CurrentActor
    ) -> Document[ReviewAttributes]:
        async with portal_unit_of_work(infrastructure) as uow:
            version, submissions = await use_cases.review_history(uow, actor, game_id, version_id)
        links = _links(prefix, version)
        return Document(
            data=Resource(
                type="versionReview",
                id=version.id,
                attributes=ReviewAttributes(
                    version_name=version.version_name,
                    status=version.status.value,
                    status_reason=version.status_reason,
                    submissions=[_entry(s) for s in submissions],
                ),
                links={"self": links["review"], "version": links["self"]},
            )
        )

    return router
