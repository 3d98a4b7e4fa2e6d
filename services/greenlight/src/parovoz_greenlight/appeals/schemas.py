"""Request and response bodies of appeals' routes (JSON:API-style documents, seed 001). String
bounds are the columns' (``domain.py``)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from parovoz_kit.http.fields import RequestModel, Text
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from parovoz_greenlight.appeals.domain import (
    EXPLANATION_LIMIT,
    IMPROVEMENT_LIMIT,
    MAX_IMPROVEMENTS,
    NOTES_LIMIT,
    Appeal,
    AppealDecision,
    AppealReason,
)


def _not_blank(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("at least one character that is not a space")
    return value


Explanation = Annotated[str, Text(EXPLANATION_LIMIT, min_length=1), AfterValidator(_not_blank)]
Improvement = Annotated[str, Text(IMPROVEMENT_LIMIT, min_length=1), AfterValidator(_not_blank)]
Notes = Annotated[str, Text(NOTES_LIMIT)]

APPEAL_EXAMPLE: dict[str, Any] = {
    "data": {
        "type": "appeal",
        "attributes": {
            "reason": "significant_improvements",
            "explanation": "Мы переработали обучение и исправили вылеты на старте.",
            "improvements": ["Новое обучение", "Исправлены вылеты при запуске"],
        },
    }
}
DECISION_EXAMPLE: dict[str, Any] = {
    "data": {
        "type": "appealDecision",
        "attributes": {"decision": "approved", "notes": "Улучшения существенные."},
    }
}


class AppealAttributes(RequestModel):
    reason: AppealReason = Field(
        description="`technical_issues`, `misunderstanding`, `significant_improvements`, "
        "`procedural_error` or `bias_claim`."
    )
    explanation: Explanation = Field(description="Why the rejection should be reconsidered.")
    improvements: list[Improvement] = Field(
        default_factory=list,
        max_length=MAX_IMPROVEMENTS,
        description="What was improved since the rejection (each 1-500 characters, up to 20); "
        "required for `significant_improvements`.",
    )


class AppealData(RequestModel):
    type: Literal["appeal"] = Field(description="Always `appeal`.")
    attributes: AppealAttributes = Field(description="The appeal.")


class AppealDocument(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [APPEAL_EXAMPLE]})

    data: AppealData = Field(description="The appeal.")


class DecisionAttributes(RequestModel):
    decision: AppealDecision = Field(description="`approved` or `rejected`.")
    notes: Notes | None = Field(default=None, description="The reviewer's notes (up to 2000).")


class DecisionData(RequestModel):
    type: Literal["appealDecision"] = Field(description="Always `appealDecision`.")
    attributes: DecisionAttributes = Field(description="The decision.")


class DecisionDocument(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [DECISION_EXAMPLE]})

    data: DecisionData = Field(description="The decision.")


class AppealResponseAttributes(BaseModel):
    submission_id: uuid.UUID
    developer_id: uuid.UUID
    filed_by: uuid.UUID
    reason: str
    explanation: str
    improvements: list[str]
    status: str
    filed_at: datetime
    decision: str | None
    decided_by: uuid.UUID | None
    decided_by_role: str | None
    notes: str | None
    decided_at: datetime | None
    window_id: uuid.UUID | None = Field(description="The voting window an approval opened.")


class AppealResource(BaseModel):
    type: Literal["appeal"] = "appeal"
    id: uuid.UUID
    attributes: AppealResponseAttributes


class AppealResponseDocument(BaseModel):
    data: AppealResource


class AppealListDocument(BaseModel):
    data: list[AppealResource] = Field(description="The submission's appeals, oldest first.")


def appeal_resource(appeal: Appeal) -> AppealResource:
    return AppealResource(
        id=appeal.id,
        attributes=AppealResponseAttributes(
            submission_id=appeal.submission_id,
            developer_id=appeal.developer_id,
            filed_by=appeal.filed_by,
            reason=appeal.reason.value,
            explanation=appeal.explanation,
            improvements=list(appeal.improvements),
            status=appeal.status.value,
            filed_at=appeal.filed_at,
            decision=appeal.decision.value if appeal.decision else None,
            decided_by=appeal.decided_by,
            decided_by_role=appeal.decided_by_role,
            notes=appeal.notes,
            decided_at=appeal.decided_at,
            window_id=appeal.window_id,
        ),
    )
