"""The CloudEvents codec: binary-mode headers, validation at build time, strict decoding."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import ClassVar

import pytest
from opentelemetry.sdk.trace import TracerProvider
from parovoz_events import EventData
from parovoz_kit.errors import ValidationFailed
from parovoz_kit.events import Event, InvalidEnvelope, current_traceparent
from pydantic import Field

SOURCE = "/parovoz/kit-test"


class EnvelopeTestGameCreated(EventData):
    event_type: ClassVar[str] = "kit.test.envelope.game.created.v1"
    topic: ClassVar[str] = "kit-test.events.v1"
    key_field: ClassVar[str] = "game_id"
    producer: ClassVar[str] = "kit-test"
    example_data: ClassVar[dict[str, object]] = {"game_id": str(uuid.UUID(int=1)), "price": 100}

    game_id: uuid.UUID
    price: int = Field(ge=0)


def _event(**overrides: object) -> Event:
    model = EnvelopeTestGameCreated(game_id=uuid.uuid4(), price=499)
    return Event.from_data(
        model,
        SOURCE,
        subject=f"games/{model.game_id}",
        time=datetime(2025, 1, 2, 3, 4, 5, 678000, tzinfo=UTC),
        **overrides,  # type: ignore[arg-type]
    )


def test_binary_mode_headers_key_and_value_are_exactly_the_contract() -> None:
    traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    event = _event(traceparent=traceparent)

    record = event.to_kafka()

    assert record.headers == {
        "ce_specversion": "1.0",
        "ce_id": str(event.id),
        "ce_source": SOURCE,
        "ce_type": "kit.test.envelope.game.created.v1",
        "ce_time": "2025-01-02T03:04:05.678000Z",
        "ce_subject": event.subject,
        "ce_partitionkey": event.partitionkey,
        "content-type": "application/json",
        "traceparent": traceparent,
    }
    assert record.key == event.data["game_id"] == event.partitionkey
    assert json.loads(record.value) == {"game_id": event.partitionkey, "price": 499}


def test_round_trip_gives_back_the_same_event() -> None:
    event = _event(traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
    record = event.to_kafka()

    decoded = Event.from_kafka(record.key.encode(), record.value, record.header_list())

    assert decoded == event


def test_optional_attributes_are_left_out_when_absent() -> None:
    model = EnvelopeTestGameCreated(game_id=uuid.uuid4(), price=0)
    record = Event.from_data(model, SOURCE).to_kafka()  # no span active: no traceparent

    assert "ce_subject" not in record.headers
    assert "traceparent" not in record.headers
    decoded = Event.from_kafka(record.key, record.value, record.headers)
    assert decoded.subject is None and decoded.traceparent is None


def test_traceparent_is_taken_from_the_current_span() -> None:
    tracer = TracerProvider().get_tracer("kit-test")
    with tracer.start_as_current_span("emit") as span:
        event = _event()
        expected_trace_id = format(span.get_span_context().trace_id, "032x")
    assert event.traceparent is not None
    assert event.traceparent.split("-")[1] == expected_trace_id
    assert current_traceparent() is None  # outside the span again


def test_data_that_does_not_validate_is_refused_even_via_model_construct() -> None:
    smuggled = EnvelopeTestGameCreated.model_construct(game_id=uuid.uuid4(), price=-5)

    with pytest.raises(ValidationFailed) as refused:
        Event.from_data(smuggled, SOURCE)

    assert refused.value.code == "INVALID_EVENT_DATA"
    assert "price" in refused.value.detail
    assert "-5" not in refused.value.detail  # names the field, never echoes the value


@pytest.mark.parametrize("missing", ["ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time"])
def test_decoding_refuses_a_message_missing_a_required_attribute(missing: str) -> None:
    record = _event().to_kafka()
    headers = {name: value for name, value in record.headers.items() if name != missing}

    with pytest.raises(InvalidEnvelope, match=missing):
        Event.from_kafka(record.key, record.value, headers)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"ce_specversion": "0.3"}, "specversion"),
        ({"ce_id": "not-a-uuid"}, "UUID"),
        ({"content-type": "application/avro"}, "content-type"),
        ({"ce_time": "yesterday"}, "unreadable|invalid"),
    ],
)
def test_decoding_refuses_malformed_attributes(change: dict[str, str], reason: str) -> None:
    record = _event().to_kafka()

    with pytest.raises(InvalidEnvelope, match=reason):
        Event.from_kafka(record.key, record.value, {**record.headers, **change})


@pytest.mark.parametrize("value", [b"{not json", b"[1, 2]", b"\xff\xfe"])
def test_decoding_refuses_a_value_that_is_not_a_json_object(value: bytes) -> None:
    record = _event().to_kafka()

    with pytest.raises(InvalidEnvelope):
        Event.from_kafka(record.key, value, record.headers)


def test_decoding_refuses_a_message_without_any_partition_key() -> None:
    record = _event().to_kafka()
    headers = {k: v for k, v in record.headers.items() if k != "ce_partitionkey"}

    with pytest.raises(InvalidEnvelope, match="partition key"):
        Event.from_kafka(None, record.value, headers)
