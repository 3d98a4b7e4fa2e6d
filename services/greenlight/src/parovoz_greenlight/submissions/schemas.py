"""Request and response bodies of submissions' REST (JSON:API-ish, as the other services')."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from fastapi import Response
from parovoz_kit.errors import ValidationFailed
from parovoz_kit.http.fields import RequestModel, Text
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from parovoz_greenlight.submissions.domain import Submission, SubmissionStatus
from parovoz_greenlight.submissions.repository import (
    DEMO_LINK_COLUMN,
    GENRE_COLUMN,
    SELLING_POINT_COLUMN,
    TITLE_COLUMN,
)

#: Bounds of the texts (the columns are TEXT: these are the API's limits).
DESCRIPTION_LIMIT = 10_000
LONG_TEXT_LIMIT = 5_000
MAX_GENRES = 10
MAX_SELLING_POINTS = 10
MAX_DEMO_LINKS = 10

ATTRIBUTES_EXAMPLE: dict[str, Any] = {
    "game_id": "5b0c8f6e-2a4d-4c1e-9f3a-7d6b2e1c0a99",
    "title": "Дорога домой",
    "description": "Сюжетное приключение о машинисте, который везёт последний поезд сквозь метель.",
    "genres": ["adventure", "indie"],
    "target_audience": "Игроки 16+, любители сюжетных приключений",
    "selling_points": ["Рисованная графика", "Живой оркестр в саундтреке"],
    "team": "5 человек: геймдизайнер, два художника, программист, композитор",
    "timeline": "Альфа — март 2027, релиз — осень 2027",
    "demo_links": ["https://demo.example.ru/doroga-domoy"],
    "business_plan": "Цена 499 ₽, релиз в РФ и СНГ, маркетинг через стримеров.",
}
CREATION_EXAMPLE: dict[str, Any] = {
    "data": {"type": "submissionCreation", "attributes": ATTRIBUTES_EXAMPLE}
}
CHANGE_EXAMPLE: dict[str, Any] = {
    "data": {
        "type": "submissionChange",
        "attributes": {"title": "Дорога домой: Зима", "genres": ["adventure"]},
    }
}


def _not_blank(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("at least one character that is not a space")
    return value


def _https_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname or " " in value:
        raise ValueError("an https URL (https://host/...)")
    return value


def _distinct(values: list[str]) -> list[str]:
    if len(set(values)) != len(values):
        raise ValueError("each value once")
    return values


Title = Annotated[str, Text(TITLE_COLUMN, min_length=1), AfterValidator(_not_blank)]
Description = Annotated[str, Text(DESCRIPTION_LIMIT, min_length=1), AfterValidator(_not_blank)]
LongText = Annotated[str, Text(LONG_TEXT_LIMIT, min_length=1), AfterValidator(_not_blank)]
Genre = Annotated[str, Text(GENRE_COLUMN, min_length=1, pattern=r"^[a-z0-9][a-z0-9_-]*$")]
SellingPoint = Annotated[str, Text(SELLING_POINT_COLUMN, min_length=1), AfterValidator(_not_blank)]
DemoLink = Annotated[str, Text(DEMO_LINK_COLUMN, min_length=9), AfterValidator(_https_url)]
Genres = Annotated[list[Genre], Field(max_length=MAX_GENRES), AfterValidator(_distinct)]
SellingPoints = Annotated[list[SellingPoint], Field(max_length=MAX_SELLING_POINTS)]
DemoLinks = Annotated[list[DemoLink], Field(max_length=MAX_DEMO_LINKS), AfterValidator(_distinct)]

_TEXTS = {
    "title": f"Title shown to voters (1-{TITLE_COLUMN} characters).",
    "description": f"The pitch (1-{DESCRIPTION_LIMIT} characters).",
    "genres": f"Genre slugs (lower case, digits, `-`, `_`), at most {MAX_GENRES}, each once.",
    "target_audience": f"Who the game is for (at most {LONG_TEXT_LIMIT} characters).",
    "selling_points": f"What sets it apart: at most {MAX_SELLING_POINTS} lines of up to "
    f"{SELLING_POINT_COLUMN} characters.",
    "team": f"Who makes it (at most {LONG_TEXT_LIMIT} characters).",
    "timeline": f"Milestones and the release plan (at most {LONG_TEXT_LIMIT} characters).",
    "demo_links": f"Demo, trailer or build pages: https URLs, at most {MAX_DEMO_LINKS}.",
    "business_plan": f"Price, regions, marketing (at most {LONG_TEXT_LIMIT} characters).",
}


# --- requests ------------------------------------------------------------------------------------
class SubmissionCreationAttributes(RequestModel):
    game_id: uuid.UUID = Field(
        description="The developer-portal game (UUID) put forward; the caller must be an "
        "owner, admin or editor of the account that owns it. Required."
    )
    title: Title = Field(description=_TEXTS["title"] + " Required.")
    description: Description = Field(description=_TEXTS["description"] + " Required.")
    genres: Genres = Field(default_factory=list, description=_TEXTS["genres"])
    target_audience: LongText | None = Field(default=None, description=_TEXTS["target_audience"])
    selling_points: SellingPoints = Field(
        default_factory=list, description=_TEXTS["selling_points"]
    )
    team: LongText | None = Field(default=None, description=_TEXTS["team"])
    timeline: LongText | None = Field(default=None, description=_TEXTS["timeline"])
    demo_links: DemoLinks = Field(default_factory=list, description=_TEXTS["demo_links"])
    business_plan: LongText | None = Field(default=None, description=_TEXTS["business_plan"])


class SubmissionCreationData(RequestModel):
    type: Literal["submissionCreation"] = Field(description="Always `submissionCreation`.")
    attributes: SubmissionCreationAttributes = Field(description="The draft.")


class SubmissionCreationDocument(RequestModel):
    """A new draft submission."""

    model_config = ConfigDict(json_schema_extra={"examples": [CREATION_EXAMPLE]})

    data: SubmissionCreationData = Field(description="The draft.")


class SubmissionChangeAttributes(RequestModel):
    """Only the members sent change; `null` clears an optional text (not title/description)."""

    title: Title | None = Field(default=None, description=_TEXTS["title"])
    description: Description | None = Field(default=None, description=_TEXTS["description"])
    genres: Genres | None = Field(default=None, description=_TEXTS["genres"])
    target_audience: LongText | None = Field(default=None, description=_TEXTS["target_audience"])
    selling_points: SellingPoints | None = Field(default=None, description=_TEXTS["selling_points"])
    team: LongText | None = Field(default=None, description=_TEXTS["team"])
    timeline: LongText | None = Field(default=None, description=_TEXTS["timeline"])
    demo_links: DemoLinks | None = Field(default=None, description=_TEXTS["demo_links"])
    business_plan: LongText | None = Field(default=None, description=_TEXTS["business_plan"])

    def changes(self) -> dict[str, object]:
        """The members sent; 400 for a ``null`` title or description (they are required)."""
        sent = {name: getattr(self, name) for name in self.model_fields_set}
        for name in ("title", "description"):
            if name in sent and sent[name] is None:
                raise ValidationFailed(
                    f"{name} cannot be cleared.",
                    detail_ru=f"Поле {name} нельзя очистить.",
                    pointer=f"/data/attributes/{name}",
                )
        for name in ("genres", "selling_points", "demo_links"):
            if name in sent and sent[name] is None:
                sent[name] = []
        return sent


class SubmissionChangeData(RequestModel):
    type: Literal["submissionChange"] = Field(description="Always `submissionChange`.")
    attributes: SubmissionChangeAttributes = Field(description="What changes.")


class SubmissionChangeDocument(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [CHANGE_EXAMPLE]})

    data: SubmissionChangeData = Field(description="What changes.")


# --- responses -----------------------------------------------------------------------------------
class SubmissionAttributes(BaseModel):
    game_id: uuid.UUID = Field(description="The developer-portal game.")
    developer_id: uuid.UUID = Field(description="The developer account that submits it.")
    status: SubmissionStatus = Field(description="Seed 002's status.")
    title: str
    description: str
    genres: list[str]
    target_audience: str | None
    selling_points: list[str]
    team: str | None
    timeline: str | None
    demo_links: list[str]
    business_plan: str | None
    requested_changes: str | None = Field(description="What a curator asked to change.")
    changes_due_at: datetime | None = Field(description="By when (UTC).")
    fee_paid: bool = Field(description="True once the submission fee is paid.")
    submitted_at: datetime | None
    voting_started_at: datetime | None
    voting_ends_at: datetime | None
    decided_at: datetime | None
    withdrawn_at: datetime | None
    created_at: datetime
    updated_at: datetime


class SubmissionResource(BaseModel):
    type: Literal["submission"] = Field(description="Always `submission`.")
    id: uuid.UUID = Field(description="Submission id.")
    attributes: SubmissionAttributes = Field(description="The submission.")
    links: dict[str, str] = Field(description="`self`: where it is read.")
    meta: dict[str, float | None] | None = Field(
        default=None, description="With `sort=trending`: `wilson_lower_bound` (0..1)."
    )


class SubmissionDocument(BaseModel):
    data: SubmissionResource = Field(description="The submission.")
    meta: dict[str, str | None] | None = Field(
        default=None,
        description="On submit: `confirmation_url` (payment's page for the fee; null when the "
        "fee is paid already) and `fee_id`.",
    )


class SubmissionListDocument(BaseModel):
    data: list[SubmissionResource] = Field(description="A page.")
    links: dict[str, str | None] = Field(description="`self`, and `next` (null on the last).")
    meta: dict[str, str] | None = Field(default=None, description="`sort`: the order applied.")


def submission_resource(
    submission: Submission, prefix: str, meta: dict[str, float | None] | None = None
) -> SubmissionResource:
    values = {name: getattr(submission, name) for name in SubmissionAttributes.model_fields}
    for name in ("genres", "selling_points", "demo_links"):
        values[name] = list(values[name])
    return SubmissionResource(
        type="submission",
        id=submission.id,
        attributes=SubmissionAttributes(**values),
        links={"self": f"{prefix}/submissions/{submission.id}"},
        meta=meta,
    )


def submission_document(
    submission: Submission, prefix: str, meta: dict[str, str | None] | None = None
) -> SubmissionDocument:
    return SubmissionDocument(data=submission_resource(submission, prefix), meta=meta)


def json_response(document: BaseModel, status_code: int = 200) -> Response:
    return Response(
        document.model_dump_json(exclude_none=False),
        status_code=status_code,
        media_type="application/json",
    )
