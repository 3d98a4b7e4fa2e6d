"""REST of results (thin: parse -> one use case -> document): a submission's results, public.

While the window is open or in its audit the figures are provisional (flagged votes may still
be removed); once final they are the announced ones."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Response
from parovoz_kit.http.openapi import error_responses
from parovoz_kit.infrastructure import Infrastructure
from pydantic import BaseModel, Field

from parovoz_greenlight.results import service as use_cases
from parovoz_greenlight.results.ballots import VotingBallots
from parovoz_greenlight.results.domain import CONFIDENCE, WEIGHT_UNIT, Outcome, WindowStatus
from parovoz_greenlight.results.rules import ResultsRules
from parovoz_greenlight.unit_of_work import greenlight_unit_of_work

SubmissionId = Annotated[uuid.UUID, Path(description="The submission's id (UUID).")]


class ResultsWindow(BaseModel):
    number: int = Field(description="1 for the first window, 2 for the one an appeal opened.")
    status: WindowStatus = Field(description="`open`, `audit` (closed, being checked), `final`.")
    opens_at: datetime = Field(description="When voting opened.")
    closes_at: datetime = Field(description="When voting closes (closed).")
    audit_ends_at: datetime | None = Field(
        description="When the audit ends and the result becomes final; null while open."
    )


class ResultsWilsonInterval(BaseModel):
    lower: float = Field(description="Lower bound of the weighted yes share (0-1).")
    upper: float = Field(description="Upper bound of the weighted yes share (0-1).")
    confidence: float = Field(description="Confidence level of the interval (0.95).")


class ResultsApprovalRule(BaseModel):
    minimum_valid_votes: int = Field(description="Valid votes needed at least for approval.")
    approval_threshold_basis_points: int = Field(
        description="Weighted yes ÷ (yes + no) needed at least, in basis points (6000 = 60 %)."
    )


class ResultsAttributes(BaseModel):
    provisional: bool = Field(
        description="True while the window is open or in its audit (flagged votes may still be "
        "removed); false once the result is final."
    )
    outcome: Outcome | None = Field(
        description="Once final: `approved`, `not_enough_votes`, `approval_below_threshold` or "
        "`withdrawn`; null while provisional."
    )
    window: ResultsWindow = Field(description="The submission's latest voting window.")
    valid_votes: int = Field(description="Votes counted (not flagged).")
    removed_votes: int = Field(description="Votes removed as invalid (flagged: weight 0).")
    weighted_yes: float = Field(description="Sum of the weights of valid yes votes (1.0 or 1.5).")
    weighted_no: float = Field(description="Sum of the weights of valid no votes.")
    approval_basis_points: int = Field(
        description="Weighted yes ÷ (yes + no) in basis points, rounded down; 0 without votes."
    )
    wilson: ResultsWilsonInterval = Field(
        description="Wilson score interval (95 %) of the yes share."
    )
    votes_needed: int = Field(description="Valid votes still missing to reach the minimum.")
    rule: ResultsApprovalRule = Field(description="The approval rule the result is decided by.")


class ResultsResource(BaseModel):
    type: Literal["submissionResults"] = Field(description="Always `submissionResults`.")
    id: uuid.UUID = Field(description="The submission's id.")
    attributes: ResultsAttributes


class ResultsDocument(BaseModel):
    data: ResultsResource
    links: dict[str, str] = Field(description="`self`, `submission`.")


def results_document(results: use_cases.Results, prefix: str) -> ResultsDocument:
    window, counts = results.window, results.counts
    lower, upper = results.wilson
    url = f"{prefix}/submissions/{results.submission_id}"
    return ResultsDocument(
        data=ResultsResource(
            type="submissionResults",
            id=results.submission_id,
            attributes=ResultsAttributes(
                provisional=results.provisional,
                outcome=results.outcome,
                window=ResultsWindow(
                    number=window.number,
                    status=window.status,
                    opens_at=window.opens_at,
                    closes_at=window.closes_at,
                    audit_ends_at=window.audit_ends_at,
                ),
                valid_votes=counts.valid_votes,
                removed_votes=counts.removed_votes,
                weighted_yes=counts.weighted_yes / WEIGHT_UNIT,
                weighted_no=counts.weighted_no / WEIGHT_UNIT,
                approval_basis_points=counts.approval_basis_points,
                wilson=ResultsWilsonInterval(
                    lower=round(lower, 4), upper=round(upper, 4), confidence=CONFIDENCE
                ),
                votes_needed=results.votes_needed,
                rule=ResultsApprovalRule(
                    minimum_valid_votes=results.rule.minimum_valid_votes,
                    approval_threshold_basis_points=results.rule.threshold_basis_points,
                ),
            ),
        ),
        links={"self": f"{url}/results", "submission": url},
    )


def results_router(infrastructure: Infrastructure) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    router = APIRouter(prefix=prefix, tags=["results"])
    rules: ResultsRules = infrastructure.settings.results_rules()  # type: ignore[attr-defined]
    ballots = VotingBallots()

    @router.get(
        "/submissions/{submission_id:uuid}/results",
        response_model=ResultsDocument,
        summary="A submission's voting results (public; provisional until final)",
        description=(
            "No token needed. While the window is open or in its 24-hour audit the figures are "
            "provisional; then final (the decision announced). Counts of valid and removed "
            "votes, weighted yes and no, the Wilson interval (95 %) of the yes share, the valid "
            "votes still needed and the approval rule."
        ),
        responses=error_responses({404: ["SUBMISSION_NOT_FOUND", "RESULTS_NOT_AVAILABLE"]}),
    )
    async def get_results(submission_id: SubmissionId) -> Response:
        async with greenlight_unit_of_work(infrastructure) as uow:
            results = await use_cases.results_of(uow, ballots, rules, submission_id)  # type: ignore[arg-type]
        document = results_document(results, prefix)
        return Response(document.model_dump_json(), status_code=200, media_type="application/json")

    return router
