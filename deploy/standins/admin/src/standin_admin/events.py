"""The admin.* CloudEvents, and their Kafka binary-content-mode form.

Key and `partitionkey` = the aggregate id (game id, developer id) so one aggregate's events stay
ordered; `subject` names the same aggregate; `data` is the JSON value.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

from cloudevents.core.bindings.kafka import KafkaMessage, to_binary_event
from cloudevents.core.v1.event import CloudEvent

SOURCE = "/standins/admin"
MODERATION_APPROVED = "admin.game.moderation.approved.v1"
MODERATION_REJECTED = "admin.game.moderation.rejected.v1"
DEVELOPER_VERIFIED = "admin.developer.verified.v1"

# W3C Trace Context: version-traceid-parentid-flags; an invalid one is dropped, not forwarded.
TRACEPARENT_PATTERN = re.compile(
    r"^[0-9a-f]{2}-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$"
)


def rfc3339(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


def moderation_approved(
    game_id: uuid.UUID, version_id: uuid.UUID, moderator_id: uuid.UUID | None, comment: str | None
) -> CloudEvent:
    decided_at = datetime.now(UTC)
    data = {
        "game_id": str(game_id),
        "version_id": str(version_id),
        "moderator_id": _optional_id(moderator_id),
        "comment": comment,
        "decided_at": rfc3339(decided_at),
    }
    return _event(MODERATION_APPROVED, game_id, decided_at, data)


def moderation_rejected(
    game_id: uuid.UUID, version_id: uuid.UUID, moderator_id: uuid.UUID | None, reason: str
) -> CloudEvent:
    decided_at = datetime.now(UTC)
    data = {
        "game_id": str(game_id),
        "version_id": str(version_id),
        "moderator_id": _optional_id(moderator_id),
        "reason": reason,
        "decided_at": rfc3339(decided_at),
    }
    return _event(MODERATION_REJECTED, game_id, decided_at, data)


def developer_verified(developer_id: uuid.UUID) -> CloudEvent:
    verified_at = datetime.now(UTC)
    data = {"developer_id": str(developer_id), "verified_at": rfc3339(verified_at)}
    return _event(DEVELOPER_VERIFIED, developer_id, verified_at, data)


def to_kafka_record(event: CloudEvent, traceparent: str | None) -> KafkaMessage:
    """Binary content mode: `ce_*` headers + `content-type`, key = partitionkey, value = data."""
    message = to_binary_event(event)
    headers = dict(message.headers)
    if traceparent and TRACEPARENT_PATTERN.match(traceparent):
        headers["traceparent"] = traceparent.encode()
    return KafkaMessage(headers=headers, key=message.key, value=message.value)


def _event(
    event_type: str, aggregate_id: uuid.UUID, at: datetime, data: dict[str, Any]
) -> CloudEvent:
    attributes = {
        "type": event_type,
        "source": SOURCE,
        "id": str(uuid.uuid4()),
        "time": at,
        "subject": str(aggregate_id),
        "partitionkey": str(aggregate_id),
        "datacontenttype": "application/json",
    }
    return CloudEvent(attributes=attributes, data=data)


def _optional_id(value: uuid.UUID | None) -> str | None:
    return None if value is None else str(value)
