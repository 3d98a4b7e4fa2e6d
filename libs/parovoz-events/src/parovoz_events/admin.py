"""Events the external Admin Service publishes on ``admin.events.v1``.

Locally the admin stand-in (``deploy/standins/admin``) publishes them; these schemas accept
exactly its data (see its README): every key is always present, optional values are ``null``.
"""

from __future__ import annotations

from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import Field, StringConstraints

from parovoz_events import example_ids as ids
from parovoz_events.base import EventData, register
from parovoz_events.common import Text, UtcDatetime


class _AdminEvent(EventData):
    topic: ClassVar[str] = "admin.events.v1"
    producer: ClassVar[str] = "admin"
    consumers: ClassVar[tuple[str, ...]] = ("developer-portal",)


class _ModerationDecision(_AdminEvent):
    key_field: ClassVar[str] = "game_id"

    game_id: UUID = Field(description="The game whose version was moderated: the aggregate.")
    version_id: UUID = Field(description="The version the decision is about.")
    moderator_id: UUID | None = Field(
        description="User id of the moderator; null for a decision made by the system."
    )


@register
class GameModerationApproved(_ModerationDecision):
    """Moderation approved a submitted game version. developer-portal marks the version
    `approved` (publishable) and tells the developer."""

    event_type: ClassVar[str] = "admin.game.moderation.approved.v1"

    # The stand-in lets an empty comment through, so an empty string is accepted too.
    comment: Annotated[str, StringConstraints(max_length=4000)] | None = Field(
        description="Moderator's note to the developer; may be null or empty."
    )
    decided_at: UtcDatetime = Field(description="When the decision was made.")

    example_data: ClassVar[dict[str, object]] = {
        "game_id": ids.GAME_ID,
        "version_id": ids.VERSION_ID,
        "moderator_id": ids.MODERATOR_ID,
        "comment": None,
        "decided_at": "2025-03-15T18:00:00.123456Z",
    }


@register
class GameModerationRejected(_ModerationDecision):
    """Moderation rejected a submitted game version. developer-portal marks the version
    `rejected`, keeps the reason and tells the developer."""

    event_type: ClassVar[str] = "admin.game.moderation.rejected.v1"

    reason: Text = Field(description="Why it was rejected, shown to the developer.")
    decided_at: UtcDatetime = Field(description="When the decision was made.")

    example_data: ClassVar[dict[str, object]] = {
        "game_id": ids.GAME_ID,
        "version_id": ids.VERSION_ID,
        "moderator_id": ids.MODERATOR_ID,
        "reason": "Возрастной рейтинг не указан",
        "decided_at": "2025-03-15T19:00:00Z",
    }


@register
class DeveloperVerified(_AdminEvent):
    """The platform verified a developer account as a studio. developer-portal marks it verified
    and moves it to the `direct` publishing track (no greenlight needed)."""

    event_type: ClassVar[str] = "admin.developer.verified.v1"
    key_field: ClassVar[str] = "developer_id"

    developer_id: UUID = Field(description="The verified developer account: the aggregate.")
    verified_at: UtcDatetime = Field(description="When it was verified.")

    example_data: ClassVar[dict[str, object]] = {
        "developer_id": ids.DEVELOPER_ID,
        "verified_at": "2025-03-02T15:00:00Z",
    }
