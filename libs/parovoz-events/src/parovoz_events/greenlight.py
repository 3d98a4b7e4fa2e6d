"""Events greenlight publishes on ``greenlight.events.v1``."""

from __future__ import annotations

from typing import ClassVar, Literal, Self
from uuid import UUID

from pydantic import Field, NonNegativeInt, model_validator

from parovoz_events import example_ids as ids
from parovoz_events.base import EventData, register
from parovoz_events.common import Text, UtcDatetime

RejectionReason = Literal["moderation_rejected", "not_enough_votes", "approval_below_threshold"]
#: Only the penalties the user service must enforce are published (PRODUCT.md "Greenlight");
#: warnings and voting suspensions stay inside greenlight.
PublishedPenaltyType = Literal["account_suspension", "permanent_ban"]


class _GreenlightEvent(EventData):
    topic: ClassVar[str] = "greenlight.events.v1"
    producer: ClassVar[str] = "greenlight"


class _SubmissionDecision(_GreenlightEvent):
    key_field: ClassVar[str] = "submission_id"
    consumers: ClassVar[tuple[str, ...]] = ("developer-portal",)

    submission_id: UUID = Field(description="The greenlight submission: the aggregate.")
    game_id: UUID = Field(description="developer-portal's game the submission is linked to.")
    developer_id: UUID = Field(description="The submitting developer account.")


@register
class SubmissionApproved(_SubmissionDecision):
    """The community approved a submission when its voting window closed (at least 100 valid
    votes and a weighted approval of at least 60 %), possibly after an appeal. developer-portal
    lets the linked game (of a `greenlight`-track account) go to review."""

    event_type: ClassVar[str] = "greenlight.submission.approved.v1"

    valid_votes: NonNegativeInt = Field(description="Valid (not flagged) votes counted.")
    removed_votes: NonNegativeInt = Field(
        description="Votes the audit removed (flagged: weight 0), not counted."
    )
    approval_basis_points: int = Field(
        ge=0,
        le=10000,
        description="Weighted yes ÷ (yes + no) in basis points (6000 = 60 %), rounded down.",
    )
    approved_at: UtcDatetime = Field(description="When the decision was made.")

    example_data: ClassVar[dict[str, object]] = {
        "submission_id": ids.SUBMISSION_ID,
        "game_id": ids.GAME_ID,
        "developer_id": ids.DEVELOPER_ID,
        "valid_votes": 142,
        "removed_votes": 3,
        "approval_basis_points": 7315,
        "approved_at": "2025-04-15T00:00:00Z",
    }


@register
class SubmissionRejected(_SubmissionDecision):
    """A submission was rejected, by moderation or by the vote. developer-portal tells the
    developer; the linked game stays out of review unless an appeal succeeds."""

    event_type: ClassVar[str] = "greenlight.submission.rejected.v1"

    reason: RejectionReason = Field(
        description="Rejected by a curator in moderation, or when the window closed with too "
        "few valid votes or too low an approval."
    )
    comment: Text | None = Field(description="Curator's explanation; null for a vote result.")
    valid_votes: NonNegativeInt | None = Field(
        description="Valid votes counted; null when rejected in moderation (no vote held)."
    )
    removed_votes: NonNegativeInt | None = Field(
        description="Votes the audit removed (flagged: weight 0), not counted, as in approved.v1; "
        "null when rejected in moderation (and in rejections stored before v1 carried it)."
    )
    approval_basis_points: int | None = Field(
        ge=0,
        le=10000,
        description="Weighted approval in basis points; null when rejected in moderation.",
    )
    appealable_until: UtcDatetime | None = Field(
        description="Last instant an appeal may be filed (30 days); null when the one appeal a "
        "submission has was already used."
    )
    rejected_at: UtcDatetime = Field(description="When the decision was made.")

    example_data: ClassVar[dict[str, object]] = {
        "submission_id": ids.SUBMISSION_ID,
        "game_id": ids.GAME_ID,
        "developer_id": ids.DEVELOPER_ID,
        "reason": "approval_below_threshold",
        "comment": None,
        "valid_votes": 131,
        "removed_votes": 6,
        "approval_basis_points": 4820,
        "appealable_until": "2025-05-15T00:00:00Z",
        "rejected_at": "2025-04-15T00:00:00Z",
    }

    @model_validator(mode="before")
    @classmethod
    def _no_removed_votes_before_they_were_carried(cls, data: object) -> object:
        # Backward compatible: rejections stored before v1 gained removed_votes still validate.
        if isinstance(data, dict) and "removed_votes" not in data:
            return {**data, "removed_votes": None}
        return data

    @model_validator(mode="after")
    def _vote_result_matches_reason(self) -> Self:
        voted = self.reason != "moderation_rejected"
        if voted != (self.valid_votes is not None) or voted != (
            self.approval_basis_points is not None
        ):
            raise ValueError("vote counts are set exactly when the rejection came from a vote")
        if not voted and self.removed_votes is not None:
            raise ValueError("removed_votes is null when rejected in moderation (no vote held)")
        return self


@register
class UserPenalized(_GreenlightEvent):
    """Greenlight penalized a user for vote manipulation with an account suspension or a
    permanent ban. The (external) user service blocks the account accordingly."""

    event_type: ClassVar[str] = "greenlight.user.penalized.v1"
    key_field: ClassVar[str] = "user_id"
    consumers: ClassVar[tuple[str, ...]] = ("user",)

    user_id: UUID = Field(description="The penalized user: the aggregate.")
    penalty_id: UUID = Field(description="greenlight's id of the penalty (appeals refer to it).")
    penalty_type: PublishedPenaltyType = Field(description="What the user service enforces.")
    reason: Text = Field(description="Why, e.g. the manipulation pattern found.")
    submission_id: UUID | None = Field(
        description="The submission the manipulation targeted, if one did."
    )
    penalized_at: UtcDatetime = Field(description="When the penalty took effect.")
    ends_at: UtcDatetime | None = Field(
        description="When it ends; null for a permanent ban or an open-ended suspension."
    )
    appealable: bool = Field(description="Whether the user may appeal it.")

    example_data: ClassVar[dict[str, object]] = {
        "user_id": ids.PLAYER_ID,
        "penalty_id": ids.PENALTY_ID,
        "penalty_type": "account_suspension",
        "reason": "Накрутка голосов: 24 голоса за 10 минут от аккаунтов младше 90 дней",
        "submission_id": ids.SUBMISSION_ID,
        "penalized_at": "2025-04-02T12:00:00Z",
        "ends_at": "2025-05-02T12:00:00Z",
        "appealable": True,
    }

    @model_validator(mode="after")
    def _end_fits_type(self) -> Self:
        if self.penalty_type == "permanent_ban" and self.ends_at is not None:
            raise ValueError("a permanent ban has no ends_at")
        if self.ends_at is not None and self.ends_at <= self.penalized_at:
            raise ValueError("ends_at must be after penalized_at")
        return self
