"""notifications' response bodies (JSON:API style, as the rest of the portal)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from parovoz_developer_portal.notifications.domain import Notification
from parovoz_developer_portal.schemas import Resource


class NotificationAttributes(BaseModel):
    kind: str = Field(
        description=(
            "What happened: `moderation_approved`, `moderation_rejected`, `build_verified`, "
            "`build_failed`, `game_published`, `game_rolled_back`, `game_unpublished`, "
            "`payout_status_changed`, `greenlight_approved`, `greenlight_rejected`, "
            "`team_invitation`, `team_member_changed`, `team_ownership_transferred`."
        )
    )
    title: str = Field(description="One line, in Russian.")
    body: str = Field(description="The details, in Russian.")
    resource_type: str = Field(
        description="The type of the resource it is about (`game`, `gameVersion`, `build`, "
        "`payoutRequest`, `teamInvitation`)."
    )
    resource_id: uuid.UUID = Field(description="The id of that resource.")
    sequence: int = Field(
        description="The account's number of the notification (increasing; the stream's "
        "event id, to resume with `Last-Event-ID`)."
    )
    read: bool = Field(description="Whether a member has marked it read.")
    read_at: datetime | None = Field(description="When it was marked read; null while unread.")
    created_at: datetime = Field(description="When it was made (ISO 8601, UTC).")


class InboxMeta(BaseModel):
    unread: int = Field(description="The account's unread notifications (all, not this page's).")


class NotificationList(BaseModel):
    data: list[Resource[NotificationAttributes]] = Field(description="Newest first.")
    meta: InboxMeta = Field(description="Counts of the whole inbox.")
    links: dict[str, str | None] = Field(description="`next`: the next (older) page; or null.")


class ReadAllMeta(BaseModel):
    marked_read: int = Field(description="How many notifications were unread until now.")
    unread: int = Field(description="The account's unread notifications now (0).")


class ReadAllAnswer(BaseModel):
    meta: ReadAllMeta = Field(description="What was marked.")


def notification_resource(
    notification: Notification, prefix: str
) -> Resource[NotificationAttributes]:
    return Resource(
        type="notification",
        id=notification.id,
        attributes=NotificationAttributes(
            kind=notification.kind.value,
            title=notification.title,
            body=notification.body,
            resource_type=notification.link.resource_type,
            resource_id=notification.link.resource_id,
            sequence=notification.sequence,
            read=not notification.unread,
            read_at=notification.read_at,
            created_at=notification.created_at,
        ),
        links={"related": prefix + notification.link.path},
    )
