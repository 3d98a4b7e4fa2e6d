"""Request and response bodies of beta tests (JSON:API-style, seed 001)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from parovoz_kit.http.fields import Instant, RequestModel, Text
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Strict

from parovoz_developer_portal.beta.domain import (
    MAX_RATING,
    MIN_RATING,
    BetaTest,
    Feedback,
    InviteCode,
    Participation,
    RatingSummary,
)
from parovoz_developer_portal.beta.repository import CODE_COLUMN
from parovoz_developer_portal.fields import Name, left_out_not_null
from parovoz_developer_portal.schemas import Resource

#: Free texts: a test's description and a player's feedback.
DESCRIPTION_LIMIT = 5_000
FEEDBACK_LIMIT = 5_000

Description = Annotated[str, Text(DESCRIPTION_LIMIT)]
Cap = Annotated[int, Strict(), Field(ge=1, le=1_000_000)]
Uses = Annotated[int, Strict(), Field(ge=1, le=1_000_000)]
Rating = Annotated[int, Strict(), Field(ge=MIN_RATING, le=MAX_RATING)]


def _not_blank(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("The code is empty")
    return value


CodeText = Annotated[str, Text(CODE_COLUMN, min_length=1), AfterValidator(_not_blank)]

BETA_CREATION_EXAMPLE = {
    "data": {
        "type": "betaTestCreation",
        "attributes": {
            "version_id": "0b7f3c52-3f1e-4c2a-9d47-6f0a1b2c3d4e",
            "title": "Закрытый тест 1.2",
            "description": "Проверяем новый режим кооператива.",
            "max_participants": 500,
            "starts_at": "2027-01-10T09:00:00Z",
            "ends_at": "2027-02-10T09:00:00Z",
        },
    }
}
BETA_CHANGE_EXAMPLE = {
    "data": {
        "type": "betaTestChange",
        "attributes": {"max_participants": 1000, "ends_at": "2027-02-20T09:00:00Z"},
    }
}
CODE_CREATION_EXAMPLE = {
    "data": {
        "type": "betaInviteCodeCreation",
        "attributes": {"max_uses": 100, "expires_at": "2027-01-31T00:00:00Z"},
    }
}
JOIN_EXAMPLE = {"data": {"type": "betaJoin", "attributes": {"code": "k3Jd9QmZ0aXpL2vB"}}}
FEEDBACK_EXAMPLE = {
    "data": {
        "type": "betaFeedback",
        "attributes": {"rating": 4, "text": "Кооператив отличный, но на третьем уровне вылет."},
    }
}


# --- requests ---------------------------------------------------------------------------------
class BetaCreationAttributes(RequestModel):
    version_id: uuid.UUID = Field(
        description="The version tested: one of this game's, builds verified (ready_for_review "
        "or later; 422 `BETA_VERSION_NOT_READY` otherwise)."
    )
    title: Name = Field(description="1-255 characters.")
    description: Description = Field(default="", description="What testers should look at.")
    max_participants: Cap | None = Field(
        default=None,
        description="The participant cap, 1 to the platform's maximum (its default).",
        json_schema_extra=left_out_not_null,
    )
    starts_at: Instant = Field(description="From when players may join (ISO 8601).")
    ends_at: Instant = Field(
        description="When the test ends by itself: after starts_at, in the future, at most the "
        "platform's maximum duration (180 days by default) after starts_at."
    )


class BetaCreationData(RequestModel):
    type: Literal["betaTestCreation"] = Field(description="Always `betaTestCreation`.")
    attributes: BetaCreationAttributes = Field(description="The test to create.")


class BetaCreationDocument(RequestModel):
    """Create a closed beta test of a version of the game."""

    model_config = ConfigDict(json_schema_extra={"examples": [BETA_CREATION_EXAMPLE]})

    data: BetaCreationData = Field(description="The test to create.")


class BetaChangeAttributes(RequestModel):
    title: Name | None = Field(
        default=None, description="1-255 characters.", json_schema_extra=left_out_not_null
    )
    description: Description | None = Field(
        default=None,
        description="What testers should look at.",
        json_schema_extra=left_out_not_null,
    )
    max_participants: Cap | None = Field(
        default=None,
        description="Never below the current participants.",
        json_schema_extra=left_out_not_null,
    )
    starts_at: Instant | None = Field(
        default=None, description="Drafts only.", json_schema_extra=left_out_not_null
    )
    ends_at: Instant | None = Field(
        default=None,
        description="After starts_at, in the future, within the maximum duration.",
        json_schema_extra=left_out_not_null,
    )


class BetaChangeData(RequestModel):
    type: Literal["betaTestChange"] = Field(description="Always `betaTestChange`.")
    attributes: BetaChangeAttributes = Field(description="The fields to change; others stay.")


class BetaChangeDocument(RequestModel):
    """Change a beta test (left-out fields stay as they are)."""

    model_config = ConfigDict(json_schema_extra={"examples": [BETA_CHANGE_EXAMPLE]})

    data: BetaChangeData = Field(description="The change.")


class CodeCreationAttributes(RequestModel):
    max_uses: Uses | None = Field(
        default=None,
        description="How many joins the code admits; unlimited (up to the cap) when left out.",
        json_schema_extra=left_out_not_null,
    )
    expires_at: Instant | None = Field(
        default=None,
        description="When the code stops admitting; never when left out (the test's end).",
        json_schema_extra=left_out_not_null,
    )


class CodeCreationData(RequestModel):
    type: Literal["betaInviteCodeCreation"] = Field(description="Always `betaInviteCodeCreation`.")
    attributes: CodeCreationAttributes = Field(description="The code's limits.")


class CodeCreationDocument(RequestModel):
    """Make an invite code of the test."""

    model_config = ConfigDict(json_schema_extra={"examples": [CODE_CREATION_EXAMPLE]})

    data: CodeCreationData = Field(description="The code to make.")


class JoinAttributes(RequestModel):
    code: CodeText = Field(description="The invite code the team shared.")


class JoinData(RequestModel):
    type: Literal["betaJoin"] = Field(description="Always `betaJoin`.")
    attributes: JoinAttributes = Field(description="The code.")


class JoinDocument(RequestModel):
    """Join a closed beta test with an invite code."""

    model_config = ConfigDict(json_schema_extra={"examples": [JOIN_EXAMPLE]})

    data: JoinData = Field(description="The code.")


class FeedbackAttributes(RequestModel):
    rating: Rating = Field(description=f"{MIN_RATING} to {MAX_RATING}.")
    text: Annotated[str, Text(FEEDBACK_LIMIT)] = Field(
        default="", description=f"What the tester found, up to {FEEDBACK_LIMIT} characters."
    )


class FeedbackData(RequestModel):
    type: Literal["betaFeedback"] = Field(description="Always `betaFeedback`.")
    attributes: FeedbackAttributes = Field(description="The rating and the text.")


class FeedbackDocument(RequestModel):
    """A participant's feedback (sent again: replaces theirs while the test is open)."""

    model_config = ConfigDict(json_schema_extra={"examples": [FEEDBACK_EXAMPLE]})

    data: FeedbackData = Field(description="The feedback.")


# --- responses --------------------------------------------------------------------------------
class BetaAttributes(BaseModel):
    game_id: uuid.UUID = Field(description="The game tested.")
    version_id: uuid.UUID = Field(description="The version tested.")
    title: str = Field(description="The test's title.")
    description: str = Field(description="What testers should look at.")
    status: str = Field(
        description="`draft`, `open`, `ended` (by the team, or its ends_at passed), `cancelled`."
    )
    max_participants: int = Field(description="The participant cap.")
    participants: int = Field(description="Participants now (those who left not counted).")
    starts_at: datetime = Field(description="From when players may join.")
    ends_at: datetime = Field(description="When the test ends by itself.")
    opened_at: datetime | None = Field(description="When the team opened it.")
    ended_at: datetime | None = Field(description="When it ended (by the team or the clock).")
    cancelled_at: datetime | None = Field(description="When the team cancelled it.")
    created_by_user_id: uuid.UUID = Field(description="The member who created it.")
    created_at: datetime = Field(description="When it was created.")
    updated_at: datetime = Field(description="When it last changed.")


class BetaList(BaseModel):
    data: list[Resource[BetaAttributes]] = Field(description="The game's tests, newest first.")


def beta_links(test: BetaTest, prefix: str) -> dict[str, str]:
    own = f"{prefix}/games/{test.game_id}/beta-tests/{test.id}"
    return {
        "self": own,
        "codes": f"{own}/codes",
        "participants": f"{own}/participants",
        "feedback": f"{own}/feedback",
    }


def beta_resource(test: BetaTest, now: datetime, prefix: str) -> Resource[BetaAttributes]:
    return Resource(
        type="betaTest",
        id=test.id,
        attributes=BetaAttributes(
            game_id=test.game_id,
            version_id=test.version_id,
            title=test.title,
            description=test.description,
            status=test.status_at(now).value,
            max_participants=test.max_participants,
            participants=test.participant_count,
            starts_at=test.starts_at,
            ends_at=test.ends_at,
            opened_at=test.opened_at,
            ended_at=test.ended_at_(now),
            cancelled_at=test.cancelled_at,
            created_by_user_id=test.created_by_user_id,
            created_at=test.created_at,
            updated_at=test.updated_at,
        ),
        links=beta_links(test, prefix),
    )


class CodeAttributes(BaseModel):
    code: str = Field(description="The code players join with (shared by the team).")
    status: str = Field(description="`active`, `used_up`, `expired` or `revoked`.")
    max_uses: int | None = Field(description="Joins it admits; null: unlimited.")
    uses: int = Field(description="Joins made with it.")
    expires_at: datetime | None = Field(description="When it stops admitting; null: never.")
    created_by_user_id: uuid.UUID = Field(description="The member who made it.")
    created_at: datetime = Field(description="When it was made.")
    revoked_at: datetime | None = Field(description="When it was revoked; null if not.")


class CodeList(BaseModel):
    data: list[Resource[CodeAttributes]] = Field(description="The test's codes, newest first.")


def code_resource(
    code: InviteCode, game_id: uuid.UUID, now: datetime, prefix: str
) -> Resource[CodeAttributes]:
    return Resource(
        type="betaInviteCode",
        id=code.id,
        attributes=CodeAttributes(
            code=code.code,
            status=code.status_at(now).value,
            max_uses=code.max_uses,
            uses=code.uses,
            expires_at=code.expires_at,
            created_by_user_id=code.created_by_user_id,
            created_at=code.created_at,
            revoked_at=code.revoked_at,
        ),
        links={"self": f"{prefix}/games/{game_id}/beta-tests/{code.beta_test_id}/codes/{code.id}"},
    )


class PageLinks(BaseModel):
    self: str = Field(description="This page.")
    next: str | None = Field(description="The next page; null on the last.")


class ParticipantAttributes(BaseModel):
    user_id: uuid.UUID = Field(description="The player.")
    code_id: uuid.UUID = Field(description="The invite code they joined with.")
    joined_at: datetime = Field(description="When they joined.")


class ParticipantsMeta(BaseModel):
    participants: int = Field(description="Participants now.")
    max_participants: int = Field(description="The cap.")


class ParticipantItem(BaseModel):
    type: str = Field(description="`betaParticipant`.")
    id: uuid.UUID = Field(description="The player's user id.")
    attributes: ParticipantAttributes = Field(description="The participation.")


class ParticipantList(BaseModel):
    data: list[ParticipantItem] = Field(description="Participants, first joined first.")
    meta: ParticipantsMeta = Field(description="Counts.")
    links: PageLinks = Field(description="Pages.")


def participant_item(participation: Participation) -> ParticipantItem:
    return ParticipantItem(
        type="betaParticipant",
        id=participation.user_id,
        attributes=ParticipantAttributes(
            user_id=participation.user_id,
            code_id=participation.code_id,
            joined_at=participation.joined_at,
        ),
    )


class FeedbackItemAttributes(BaseModel):
    user_id: uuid.UUID = Field(description="The tester.")
    rating: int = Field(description=f"{MIN_RATING} to {MAX_RATING}.")
    text: str = Field(description="What they wrote.")
    created_at: datetime = Field(description="When they first gave it.")
    updated_at: datetime = Field(description="When they last changed it.")


class FeedbackItem(BaseModel):
    type: str = Field(description="`betaFeedback`.")
    id: uuid.UUID = Field(description="The tester's user id.")
    attributes: FeedbackItemAttributes = Field(description="The feedback.")


class RatingMeta(BaseModel):
    ratings: int = Field(description="How many testers rated.")
    rating_sum: int = Field(description="Their ratings added up.")
    average_rating: str | None = Field(
        description='The exact mean, two decimals as text ("4.33", half up); null: none yet.'
    )
    average_rating_hundredths: int | None = Field(
        description="The same mean × 100 as an integer (433)."
    )


class FeedbackList(BaseModel):
    data: list[FeedbackItem] = Field(description="Feedback, first given first.")
    meta: RatingMeta = Field(description="The average rating of all feedback of the test.")
    links: PageLinks = Field(description="Pages.")


def feedback_item(feedback: Feedback) -> FeedbackItem:
    return FeedbackItem(
        type="betaFeedback",
        id=feedback.user_id,
        attributes=FeedbackItemAttributes(
            user_id=feedback.user_id,
            rating=feedback.rating,
            text=feedback.text,
            created_at=feedback.created_at,
            updated_at=feedback.updated_at,
        ),
    )


def rating_meta(summary: RatingSummary) -> RatingMeta:
    return RatingMeta(
        ratings=summary.count,
        rating_sum=summary.total,
        average_rating=summary.average,
        average_rating_hundredths=summary.average_hundredths,
    )
