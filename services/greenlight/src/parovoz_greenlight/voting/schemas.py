"""Request and response bodies of voting's REST (JSON:API-ish)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Response
from parovoz_kit.http.fields import Flag, RequestModel, Text
from pydantic import BaseModel, ConfigDict, Field, Strict

from parovoz_greenlight.voting.domain import (
    Ballot,
    Category,
    Eligibility,
    LiveResults,
    Vote,
    VoteChoice,
    WeightReason,
    reason_text,
)
from parovoz_greenlight.voting.repository import COMMENT_COLUMN
from parovoz_greenlight.voting.rules import VotingRules

VOTE_EXAMPLE: dict[str, Any] = {
    "data": {
        "type": "vote",
        "attributes": {
            "choice": "yes",
            "scores": {
                "gameplay": 5,
                "presentation": 4,
                "innovation": 4,
                "market_appeal": 3,
                "technical_quality": 4,
            },
            "comment": "Отличная демоверсия, жду релиза.",
            "played_demo": True,
            "would_recommend": True,
        },
    }
}

Score = Annotated[int, Strict(), Field(ge=1, le=5)]
_WHY = {
    WeightReason.BASE: "counted with weight 1.0",
    WeightReason.PLAYED_DEMO: "counted with weight 1.5: the voter played the demo",
    WeightReason.FLAGGED: "not counted (weight 0): flagged invalid",
}


# --- requests ---------------------------------------------------------------------------------
class ScoresAttributes(RequestModel):
    gameplay: Score = Field(description="1-5.")
    presentation: Score = Field(description="1-5.")
    innovation: Score = Field(description="1-5.")
    market_appeal: Score = Field(description="1-5.")
    technical_quality: Score = Field(description="1-5.")


class VoteAttributes(RequestModel):
    choice: VoteChoice = Field(description="`yes`, `no` or `abstain`. Required.")
    scores: ScoresAttributes = Field(description="The five category scores, 1-5 each. Required.")
    comment: Annotated[str, Text(COMMENT_COLUMN)] | None = Field(
        default=None, description=f"Optional, at most {COMMENT_COLUMN} characters."
    )
    played_demo: Flag = Field(
        default=False, description="The voter played the demo (the vote weighs 1.5)."
    )
    would_recommend: Flag = Field(default=False, description="Would recommend it to friends.")

    def ballot(self) -> Ballot:
        return Ballot(
            choice=self.choice,
            scores={category: getattr(self.scores, category.value) for category in Category},
            comment=self.comment,
            played_demo=self.played_demo,
            would_recommend=self.would_recommend,
        )


class VoteData(RequestModel):
    type: Literal["vote"] = Field(description="Always `vote`.")
    attributes: VoteAttributes = Field(description="The vote.")


class VoteDocument(RequestModel):
    """A vote: cast (POST) or the whole new version of mine (PUT)."""

    model_config = ConfigDict(json_schema_extra={"examples": [VOTE_EXAMPLE]})

    data: VoteData = Field(description="The vote.")


# --- responses --------------------------------------------------------------------------------
class VoteView(BaseModel):
    submission_id: uuid.UUID
    window_id: uuid.UUID
    choice: VoteChoice
    scores: dict[Category, int] = Field(description="Category scores, 1-5.")
    comment: str | None
    played_demo: bool
    would_recommend: bool
    counted: bool = Field(description="Whether the vote counts (weight above 0).")
    weight: float = Field(description="1.0, 1.5 (played the demo) or 0 (flagged).")
    weight_tenths: int = Field(description="The weight in tenths: 10, 15 or 0.")
    weight_reason: WeightReason = Field(description="`base`, `played_demo` or `flagged`.")
    why: str = Field(description="The receipt in words.")
    flagged_reason: str | None = Field(description="Why it was flagged, when it was.")
    created_at: datetime
    updated_at: datetime


class VoteResource(BaseModel):
    type: Literal["vote"] = "vote"
    id: uuid.UUID
    attributes: VoteView
    links: dict[str, str]


class VoteResponseDocument(BaseModel):
    data: VoteResource


class VoteListDocument(BaseModel):
    data: list[VoteResource]
    links: dict[str, str | None]


def vote_resource(vote: Vote, prefix: str) -> VoteResource:
    why = _WHY[vote.weight_reason]
    if vote.flagged_reason:
        why = f"{why} ({vote.flagged_reason})"
    return VoteResource(
        id=vote.id,
        attributes=VoteView(
            submission_id=vote.submission_id,
            window_id=vote.window_id,
            choice=vote.choice,
            scores=dict(vote.scores),
            comment=vote.comment,
            played_demo=vote.played_demo,
            would_recommend=vote.would_recommend,
            counted=vote.counted,
            weight=vote.weight / 10,
            weight_tenths=vote.weight,
            weight_reason=vote.weight_reason,
            why=why,
            flagged_reason=vote.flagged_reason,
            created_at=vote.created_at,
            updated_at=vote.updated_at,
        ),
        links={"self": f"{prefix}/submissions/{vote.submission_id}/votes/mine"},
    )


class ReasonView(BaseModel):
    code: str = Field(description="USER_UNKNOWN, ACCOUNT_TOO_NEW, NO_PURCHASES, ...")
    detail: str


class EligibilityRulesView(BaseModel):
    min_account_age_days: int = Field(description="The account must be older than this.")
    min_purchases: int
    weight: float
    demo_weight: float


class EligibilityView(BaseModel):
    eligible: bool
    reasons: list[ReasonView] = Field(description="Every reason the caller may not vote now.")
    eligible_from: datetime | None = Field(description="When the account is old enough.")
    suspended_until: datetime | None = Field(
        description="Until when a penalty suspends voting; null when none does or when it never "
        "ends (then `suspended_permanently`)."
    )
    suspended_permanently: bool = Field(
        description="True when a penalty (a permanent ban) suspends voting for good."
    )
    rules: EligibilityRulesView


class EligibilityResource(BaseModel):
    type: Literal["votingEligibility"] = "votingEligibility"
    id: uuid.UUID = Field(description="The caller's user id.")
    attributes: EligibilityView


class EligibilityDocument(BaseModel):
    data: EligibilityResource


def eligibility_document(
    user_id: uuid.UUID, answer: Eligibility, rules: VotingRules
) -> EligibilityDocument:
    return EligibilityDocument(
        data=EligibilityResource(
            id=user_id,
            attributes=EligibilityView(
                eligible=answer.eligible,
                reasons=[ReasonView(code=r.value, detail=reason_text(r)) for r in answer.reasons],
                eligible_from=answer.eligible_from,
                suspended_until=answer.suspended_until,
                suspended_permanently=answer.suspended_permanently,
                rules=EligibilityRulesView(
                    min_account_age_days=rules.min_account_age.days,
                    min_purchases=rules.min_purchases,
                    weight=rules.base_weight_tenths / 10,
                    demo_weight=rules.demo_weight_tenths / 10,
                ),
            ),
        )
    )


class CountsView(BaseModel):
    yes: int
    no: int
    abstain: int
    total: int


class WeightedView(BaseModel):
    yes: float
    no: float
    abstain: float
    yes_share: float | None = Field(description="Weighted yes / (yes + no); None without any.")


class LiveView(BaseModel):
    submission_id: uuid.UUID
    window_id: uuid.UUID | None = Field(description="The open (else latest) window counted.")
    votes: CountsView
    weighted: WeightedView
    category_averages: dict[Category, float | None]
    source: str = Field(description="`redis` (kept counters) or `database` (counted now).")


class LiveResource(BaseModel):
    type: Literal["liveResults"] = "liveResults"
    id: uuid.UUID
    attributes: LiveView


class LiveDocument(BaseModel):
    data: LiveResource


def live_document(live: LiveResults) -> LiveDocument:
    yes, no = live.count("weighted_yes"), live.count("weighted_no")
    return LiveDocument(
        data=LiveResource(
            id=live.submission_id,
            attributes=LiveView(
                submission_id=live.submission_id,
                window_id=live.window_id,
                votes=CountsView(
                    yes=live.count("yes"),
                    no=live.count("no"),
                    abstain=live.count("abstain"),
                    total=live.count("scored"),
                ),
                weighted=WeightedView(
                    yes=yes / 10,
                    no=no / 10,
                    abstain=live.count("weighted_abstain") / 10,
                    yes_share=round(yes / (yes + no), 4) if yes + no else None,
                ),
                category_averages=live.category_averages(),
                source=live.source,
            ),
        )
    )


def json_response(document: BaseModel, status_code: int = 200, **headers: str) -> Response:
    return Response(
        document.model_dump_json(),
        status_code=status_code,
        media_type="application/json",
        headers=headers or None,
    )
