"""CloudEvents 1.0 envelope and its Kafka binary-content-mode form.

On the wire an event is: ``ce_*`` headers (``ce_specversion``, ``ce_id``, ``ce_source``,
``ce_type``, ``ce_time``, ``ce_subject`` when set, ``ce_partitionkey``), ``content-type:
application/json``, a W3C ``traceparent`` header when the producer was traced, key = the
partition key (aggregate id, so one aggregate's events stay ordered) and value = the JSON
``data``. The cloudevents SDK's Kafka binding does the header mapping; this module adds what
it does not: building events from validated pydantic models, the ``traceparent`` header, and
refusing incoming messages that lack an attribute our contract requires (the SDK would
silently invent an ``id`` or ``time``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cloudevents.core.bindings.kafka import KafkaMessage, from_binary_event, to_binary_event
from cloudevents.core.v1.event import CloudEvent
from opentelemetry import propagate
from parovoz_events import EventData
from pydantic import ValidationError

from parovoz_kit.errors import ValidationFailed

SPECVERSION = "1.0"
CONTENT_TYPE = "application/json"
TRACEPARENT_HEADER = "traceparent"
#: Headers a message must carry to be one of our events (the key stands in for partitionkey).
REQUIRED_HEADERS = ("ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time")

Headers = Sequence[tuple[str, bytes | str | None]] | Mapping[str, bytes | str | None] | None


class InvalidEnvelope(Exception):
    """An incoming message is not a well-formed event of our contract (goes to the DLQ)."""


@dataclass(frozen=True)
class KafkaRecord:
    """What is handed to the producer: key, value and headers, all bytes-ready."""

    key: str
    value: bytes
    headers: dict[str, str] = field(default_factory=dict)

    def header_list(self) -> list[tuple[str, bytes]]:
        return [(name, value.encode()) for name, value in self.headers.items()]


@dataclass(frozen=True)
class Event:
    """One CloudEvent: attributes plus the JSON ``data`` object."""

    id: uuid.UUID
    type: str
    source: str
    time: datetime
    partitionkey: str
    data: dict[str, Any]
    subject: str | None = None
    traceparent: str | None = None

    @classmethod
    def from_data(
        cls,
        model: EventData,
        source: str,
        subject: str | None = None,
        traceparent: str | None = None,
        *,
        time: datetime | None = None,
        event_id: uuid.UUID | None = None,
    ) -> Event:
        """Wrap validated data; re-validation stops ``model_construct`` smuggling bad data."""
        data = validated_data(type(model), model.model_dump(mode="json"))
        return cls(
            id=event_id or uuid.uuid4(),
            type=type(model).event_type,
            source=source,
            time=(time or datetime.now(UTC)).astimezone(UTC),
            partitionkey=model.partition_key(),
            data=data,
            subject=subject,
            traceparent=traceparent or current_traceparent(),
        )

    def to_kafka(self) -> KafkaRecord:
        attributes: dict[str, Any] = {
            "specversion": SPECVERSION,
            "id": str(self.id),
            "source": self.source,
            "type": self.type,
            "time": self.time,
            "datacontenttype": CONTENT_TYPE,
            "partitionkey": self.partitionkey,
        }
        if self.subject:
            attributes["subject"] = self.subject
        message = to_binary_event(CloudEvent(attributes, self.data))
        headers = {name: value.decode() for name, value in message.headers.items()}
        if self.traceparent:
            headers[TRACEPARENT_HEADER] = self.traceparent
        return KafkaRecord(key=self.partitionkey, value=message.value, headers=headers)

    @classmethod
    def from_kafka(cls, key: bytes | str | None, value: bytes | None, headers: Headers) -> Event:
        """Decode a binary-mode message; :class:`InvalidEnvelope` when it breaks the contract."""
        header_map = _header_map(headers)
        missing = [name for name in REQUIRED_HEADERS if not header_map.get(name)]
        if missing:
            raise InvalidEnvelope(f"missing headers: {', '.join(missing)}")
        if header_map["ce_specversion"] != SPECVERSION:
            raise InvalidEnvelope(f"unsupported specversion {header_map['ce_specversion']!r}")
        content_type = header_map.get("content-type", CONTENT_TYPE)
        if not content_type.startswith(CONTENT_TYPE):
            raise InvalidEnvelope(f"unsupported content-type {content_type!r}")
        partitionkey = _text(key) or header_map.get("ce_partitionkey")
        if not partitionkey:
            raise InvalidEnvelope("missing partition key")
        try:
            event_id = uuid.UUID(header_map["ce_id"])
        except ValueError:
            raise InvalidEnvelope("ce_id is not a UUID") from None
        cloud_event = _parse_with_sdk(partitionkey, value, header_map)
        data = cloud_event.get_data()
        if not isinstance(data, dict):
            raise InvalidEnvelope("data is not a JSON object")
        return cls(
            id=event_id,
            type=header_map["ce_type"],
            source=header_map["ce_source"],
            time=cloud_event.get_time().astimezone(UTC),
            partitionkey=partitionkey,
            data=data,
            subject=header_map.get("ce_subject") or None,
            traceparent=header_map.get(TRACEPARENT_HEADER) or None,
        )


def validated_data(model_type: type[EventData], data: Mapping[str, Any]) -> dict[str, Any]:
    """The data as JSON-ready dict, or :class:`ValidationFailed` naming the bad fields."""
    try:
        return model_type.model_validate(dict(data)).model_dump(mode="json")
    except ValidationError as exc:
        # Field locations only: values may be personal data and must not reach logs.
        fields = sorted({".".join(str(part) for part in error["loc"]) for error in exc.errors()})
        raise ValidationFailed(
            f"{model_type.event_type} data does not validate: {', '.join(fields) or 'root'}",
            code="INVALID_EVENT_DATA",
        ) from None


def current_traceparent() -> str | None:
    """The active span's ``traceparent`` (None when tracing is off or no span is active)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get(TRACEPARENT_HEADER)


def _parse_with_sdk(partitionkey: str, value: bytes | None, headers: dict[str, str]) -> Any:
    message = KafkaMessage(
        headers={name: text.encode() for name, text in headers.items()},
        key=partitionkey,
        value=value or b"",
    )
    try:
        return from_binary_event(message)
    except (ValueError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidEnvelope(f"unreadable event: {type(exc).__name__}") from None
    except Exception as exc:  # the SDK's validation errors have no common public base
        raise InvalidEnvelope(f"invalid CloudEvent: {type(exc).__name__}") from None


def _header_map(headers: Headers) -> dict[str, str]:
    items = headers.items() if isinstance(headers, Mapping) else (headers or [])
    result: dict[str, str] = {}
    for name, raw in items:
        text = _text(raw)
        # First occurrence wins: a duplicate appended later must not override the producer's.
        if text is not None and name.lower() not in result:
            result[name.lower()] = text
    return result


def _text(raw: bytes | str | None) -> str | None:
    if raw is None:
        return None
    if isinstance(raw, bytes):
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidEnvelope("header or key is not UTF-8") from None
    return raw
