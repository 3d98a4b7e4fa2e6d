"""REST of manipulation reports (thin: parse -> one use case -> document); staff only."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Response
from parovoz_kit.auth import Principal, require_roles
from parovoz_kit.http.openapi import error_responses
from parovoz_kit.infrastructure import Infrastructure
from pydantic import BaseModel, Field

from parovoz_greenlight.integrity import reports_service as use_cases
from parovoz_greenlight.integrity.reports_repository import SqlReports
from parovoz_greenlight.unit_of_work import greenlight_unit_of_work

SubmissionId = Annotated[uuid.UUID, Path(description="The submission's id (UUID).")]
Staff = Annotated[Principal, Depends(require_roles("moderator", "curator", "admin"))]


class ManipulationReportAttributes(BaseModel):
    submission_id: uuid.UUID = Field(description="The submission.")
    window_id: uuid.UUID = Field(description="The voting window the audit examined.")
    votes_examined: int = Field(description="Votes of the window the rules looked at.")
    rate_limit_votes: int = Field(description="Votes flagged: over 30 votes in an hour by a user.")
    burst_votes: int = Field(
        description="Votes flagged: more than 20 in 10 minutes on the submission from young "
        "accounts or voters sharing a device or an IPv4 /24."
    )
    lockstep_votes: int = Field(
        description="Votes flagged: accounts voting the same submissions the same way within "
        "minutes, repeatedly."
    )
    flagged_vote_ids: list[uuid.UUID] = Field(description="Every flagged vote of the window.")
    created_at: datetime = Field(description="When the audit wrote the report.")


class ManipulationReportResource(BaseModel):
    type: Literal["manipulation-reports"] = "manipulation-reports"
    id: uuid.UUID = Field(description="The window's id (one report per window).")
    attributes: ManipulationReportAttributes


class ManipulationReportDocument(BaseModel):
    data: ManipulationReportResource


def reports_router(infrastructure: Infrastructure) -> APIRouter:
    router = APIRouter(prefix=infrastructure.settings.api_prefix, tags=["integrity"])

    @router.get(
        "/submissions/{submission_id}/manipulation-report",
        response_model=ManipulationReportDocument,
        summary="The manipulation report of a submission's latest audited window (staff)",
        description="Platform roles `moderator`, `curator`, `admin` (403 otherwise).",
        responses=error_responses(
            {
                403: ["PERMISSION_DENIED"],
                404: ["SUBMISSION_NOT_FOUND", "MANIPULATION_REPORT_NOT_FOUND"],
            }
        ),
    )
    async def manipulation_report(submission_id: SubmissionId, principal: Staff) -> Response:
        async with greenlight_unit_of_work(infrastructure) as uow:
            report = await use_cases.manipulation_report(
                uow,  # type: ignore[arg-type]
                SqlReports(uow.session),
                submission_id,
            )
        attributes = ManipulationReportAttributes(
            submission_id=report.submission_id,
            window_id=report.window_id,
            votes_examined=report.votes_examined,
            rate_limit_votes=report.rate_limit_votes,
            burst_votes=report.burst_votes,
            lockstep_votes=report.lockstep_votes,
            flagged_vote_ids=list(report.flagged_vote_ids),
            created_at=report.created_at,
        )
        document = ManipulationReportDocument(
            data=ManipulationReportResource(id=report.window_id, attributes=attributes)
        )
        return Response(document.model_dump_json(), media_type="application/json")

    return router
