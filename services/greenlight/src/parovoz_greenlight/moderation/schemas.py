"""Request and response bodies of moderation's routes (JSON:API-style documents, seed 001).
String bounds are the columns' (``domain.py``)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Response
from parovoz_kit.errors import ValidationFailed
from parovoz_kit.http.fields import Flag, Instant, RequestModel, Text
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Strict

from parovoz_greenlight.moderation.domain import (
    CHANGE_LIMIT,
    COMMENT_LIMIT,
    DISPLAY_NAME_LIMIT,
    MAX_CHANGES,
    MAX_POINTS,
    MAX_SPECIALTIES,
    POINT_LIMIT,
    SCORE_MAX,
    SCORE_MIN,
    SPECIALTY_LIMIT,
    Curator,
    CuratorStatus,
    ExpertReview,
    ModerationRecord,
    ModerationType,
    ReviewCategory,
)

_ATTRIBUTES = "/data/attributes"


def _not_blank(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("at least one character that is not a space")
    return value


DisplayName = Annotated[str, Text(DISPLAY_NAME_LIMIT, min_length=1), AfterValidator(_not_blank)]
Specialty = Annotated[str, Text(SPECIALTY_LIMIT, min_length=1), AfterValidator(_not_blank)]
Comment = Annotated[str, Text(COMMENT_LIMIT)]
Change = Annotated[str, Text(CHANGE_LIMIT, min_length=1), AfterValidator(_not_blank)]
Point = Annotated[str, Text(POINT_LIMIT, min_length=1), AfterValidator(_not_blank)]
Score = Annotated[int, Strict(), Field(ge=SCORE_MIN, le=SCORE_MAX)]

CURATOR_CREATION_EXAMPLE: dict[str, Any] = {
    "data": {
        "type": "curator",
        "attributes": {
            "user_id": "7d1f6a52-3a0e-4f55-9d2e-1c3b8e0f4a21",
            "display_name": "Анна Смирнова",
            "specialties": ["rpg", "strategy"],
            "status": "probation",
        },
    }
}
CURATOR_CHANGE_EXAMPLE: dict[str, Any] = {
    "data": {"type": "curator", "attributes": {"status": "active"}}
}
MODERATION_EXAMPLE: dict[str, Any] = {
    "data": {
        "type": "moderationAction",
        "attributes": {
            "action": "REQUEST_CHANGES",
            "comment": "Описание не соответствует демо-версии.",
            "required_changes": ["Обновите скриншоты", "Добавьте ссылку на демо"],
            "changes_due_at": "2026-12-21T12:00:00Z",
        },
    }
}
EXPERT_REVIEW_EXAMPLE: dict[str, Any] = {
    "data": {
        "type": "expertReview",
        "attributes": {
            "scores": {
                "gameplay": 4,
                "presentation": 3,
                "innovation": 5,
                "market_appeal": 4,
                "technical_quality": 3,
            },
            "overall": 4,
            "strengths": ["Необычная механика времени"],
            "weaknesses": ["Слабая оптимизация"],
            "recommendations": ["Добавить обучение"],
            "is_public": True,
        },
    }
}


def json_response(document: BaseModel, status_code: int = 200) -> Response:
    return Response(
        document.model_dump_json(), status_code=status_code, media_type="application/json"
    )


# --- requests -----------------------------------------------------------------------------------
class CuratorCreationAttributes(RequestModel):
    user_id: uuid.UUID = Field(description="The user (platform role `curator`) to register.")
    display_name: DisplayName = Field(description="Name shown with their actions (1-100).")
    specialties: list[Specialty] = Field(
        default_factory=list,
        max_length=MAX_SPECIALTIES,
        description="Genres or fields the curator knows (each 1-50 characters, up to 20).",
    )
    status: CuratorStatus = Field(
        default=CuratorStatus.PROBATION,
        description="`active`, `inactive`, `suspended` or `probation` (the default). Active and "
        "probation curators may moderate and review.",
    )


class CuratorCreationData(RequestModel):
    type: Literal["curator"] = Field(description="Always `curator`.")
    attributes: CuratorCreationAttributes = Field(description="The curator to register.")


class CuratorCreationDocument(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [CURATOR_CREATION_EXAMPLE]})

    data: CuratorCreationData = Field(description="The curator to register.")


class CuratorChangeAttributes(RequestModel):
    display_name: DisplayName | None = Field(default=None, description="Optional; never null.")
    specialties: list[Specialty] | None = Field(
        default=None, max_length=MAX_SPECIALTIES, description="Optional: the whole new list."
    )
    status: CuratorStatus | None = Field(
        default=None, description="Optional: `active`, `inactive`, `suspended`, `probation`."
    )

    def checked(self) -> CuratorChangeAttributes:
        for name in self.model_fields_set:
            if getattr(self, name) is None:
                raise ValidationFailed(
                    f"{name} cannot be null.",
                    detail_ru=f"{name} не может быть null.",
                    pointer=f"{_ATTRIBUTES}/{name}",
                )
        return self


class CuratorChangeData(RequestModel):
    type: Literal["curator"] = Field(description="Always `curator`.")
    attributes: CuratorChangeAttributes = Field(description="Only the attributes sent change.")


class CuratorChangeDocument(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [CURATOR_CHANGE_EXAMPLE]})

    data: CuratorChangeData = Field(description="The attributes to change.")


class ModerationAttributes(RequestModel):
    action: ModerationType = Field(
        description="`APPROVE`, `REJECT`, `REQUEST_CHANGES`, `ESCALATE_TO_EXPERTS` or "
        "`FLAG_FOR_REVIEW`."
    )
    comment: Comment | None = Field(
        default=None, description="Why (up to 2000 characters); sent to the developer on REJECT."
    )
    required_changes: list[Change] = Field(
        default_factory=list,
        max_length=MAX_CHANGES,
        description="REQUEST_CHANGES only, and then required: what to change (1-20 items).",
    )
    changes_due_at: Instant | None = Field(
        default=None,
        description="REQUEST_CHANGES only: when the changes are due (ISO 8601 with offset); "
        "the default deadline when left out.",
    )

    def checked(self) -> ModerationAttributes:
        changes = self.action is ModerationType.REQUEST_CHANGES
        if changes and not self.required_changes:
            raise ValidationFailed(
                "REQUEST_CHANGES needs required_changes.",
                detail_ru="Для REQUEST_CHANGES укажите required_changes.",
                pointer=f"{_ATTRIBUTES}/required_changes",
            )
        for name in ("required_changes", "changes_due_at"):
            if not changes and getattr(self, name):
                raise ValidationFailed(
                    f"{name} is for REQUEST_CHANGES only.",
                    detail_ru=f"{name} указывается только для REQUEST_CHANGES.",
                    pointer=f"{_ATTRIBUTES}/{name}",
                )
        return self


class ModerationData(RequestModel):
    type: Literal["moderationAction"] = Field(description="Always `moderationAction`.")
    attributes: ModerationAttributes = Field(description="The action.")


class ModerationDocument(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [MODERATION_EXAMPLE]})

    data: ModerationData = Field(description="The action.")


class ScoresInput(RequestModel):
    gameplay: Score = Field(description="1-5.")
    presentation: Score = Field(description="1-5.")
    innovation: Score = Field(description="1-5.")
    market_appeal: Score = Field(description="1-5.")
    technical_quality: Score = Field(description="1-5.")

    def by_category(self) -> dict[ReviewCategory, int]:
        return {category: getattr(self, category.value) for category in ReviewCategory}


class ExpertReviewAttributes(RequestModel):
    scores: ScoresInput = Field(description="A score 1-5 for every category.")
    overall: Score = Field(description="Overall score, 1-5.")
    strengths: list[Point] = Field(
        default_factory=list,
        max_length=MAX_POINTS,
        description="What works (up to 20 points, each up to 500 characters).",
    )
    weaknesses: list[Point] = Field(
        default_factory=list, max_length=MAX_POINTS, description="What does not (up to 20 points)."
    )
    recommendations: list[Point] = Field(
        default_factory=list,
        max_length=MAX_POINTS,
        description="What to improve (up to 20 points).",
    )
    is_public: Flag = Field(
        default=False,
        description="Public reviews are shown to everybody once the submission is public; "
        "private ones to staff and the developer's team only.",
    )


class ExpertReviewData(RequestModel):
    type: Literal["expertReview"] = Field(description="Always `expertReview`.")
    attributes: ExpertReviewAttributes = Field(description="The review.")


class ExpertReviewDocument(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [EXPERT_REVIEW_EXAMPLE]})

    data: ExpertReviewData = Field(description="The review.")


# --- responses ----------------------------------------------------------------------------------
class CuratorAttributes(BaseModel):
    user_id: uuid.UUID
    display_name: str
    specialties: list[str]
    status: CuratorStatus
    added_by: uuid.UUID
    created_at: datetime
    updated_at: datetime


class CuratorResource(BaseModel):
    type: Literal["curator"] = "curator"
    id: uuid.UUID = Field(description="The curator's user id.")
    attributes: CuratorAttributes
    links: dict[str, str] = Field(description="`self`.")


class CuratorResponseDocument(BaseModel):
    data: CuratorResource


class CuratorListDocument(BaseModel):
    data: list[CuratorResource] = Field(description="Curators by user id.")
    links: dict[str, str | None] = Field(description="`self`, `next` (null on the last page).")


class ModerationActionAttributes(BaseModel):
    submission_id: uuid.UUID
    actor_id: uuid.UUID
    actor_role: str = Field(description="`moderator` or `curator`.")
    action: ModerationType
    comment: str | None
    required_changes: list[str]
    changes_due_at: datetime | None
    from_status: str
    to_status: str
    at: datetime


class ModerationActionResource(BaseModel):
    type: Literal["moderationAction"] = "moderationAction"
    id: uuid.UUID
    attributes: ModerationActionAttributes


class ModerationActionDocument(BaseModel):
    data: ModerationActionResource


class ModerationLogDocument(BaseModel):
    data: list[ModerationActionResource] = Field(description="Every action, oldest first.")


class ExpertReviewResponseAttributes(BaseModel):
    submission_id: uuid.UUID
    reviewer_id: uuid.UUID
    scores: dict[str, int]
    overall: int
    strengths: list[str]
    weaknesses: list[str]
    recommendations: list[str]
    is_public: bool
    created_at: datetime


class ExpertReviewResource(BaseModel):
    type: Literal["expertReview"] = "expertReview"
    id: uuid.UUID
    attributes: ExpertReviewResponseAttributes


class ExpertReviewResponseDocument(BaseModel):
    data: ExpertReviewResource


class ExpertReviewListDocument(BaseModel):
    data: list[ExpertReviewResource] = Field(description="Reviews, oldest first.")


def curator_resource(curator: Curator, prefix: str) -> CuratorResource:
    return CuratorResource(
        id=curator.user_id,
        attributes=CuratorAttributes(
            user_id=curator.user_id,
            display_name=curator.display_name,
            specialties=list(curator.specialties),
            status=curator.status,
            added_by=curator.added_by,
            created_at=curator.created_at,
            updated_at=curator.updated_at,
        ),
        links={"self": f"{prefix}/curators/{curator.user_id}"},
    )


def action_resource(record: ModerationRecord) -> ModerationActionResource:
    return ModerationActionResource(
        id=record.id,
        attributes=ModerationActionAttributes(
            submission_id=record.submission_id,
            actor_id=record.actor_id,
            actor_role=record.actor_role,
            action=record.action,
            comment=record.comment,
            required_changes=list(record.required_changes),
            changes_due_at=record.changes_due_at,
            from_status=record.from_status.value,
            to_status=record.to_status.value,
            at=record.at,
        ),
    )


def review_resource(review: ExpertReview) -> ExpertReviewResource:
    return ExpertReviewResource(
        id=review.id,
        attributes=ExpertReviewResponseAttributes(
            submission_id=review.submission_id,
            reviewer_id=review.reviewer_id,
            scores={category.value: score for category, score in review.scores.items()},
            overall=review.overall,
            strengths=list(review.strengths),
            weaknesses=list(review.weaknesses),
            recommendations=list(review.recommendations),
            is_public=review.is_public,
            created_at=review.created_at,
        ),
    )
