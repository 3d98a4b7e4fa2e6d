"""Each trigger publishes one CloudEvent (Kafka binary mode) to admin.events.v1 on a real broker."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from standin_admin.app import create_app
from standin_admin.settings import AdminSettings

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def assert_recent_rfc3339(value: str) -> None:
    assert value.endswith("Z")
    assert datetime.now(UTC) - datetime.fromisoformat(value) < timedelta(minutes=1)


def assert_cloudevent_headers(record, event_id: str, event_type: str, aggregate_id: str) -> dict:
    headers = {name: value.decode() for name, value in record.headers()}
    assert headers["ce_specversion"] == "1.0"
    assert headers["ce_id"] == event_id and uuid.UUID(event_id)
    assert headers["ce_source"] == "/standins/admin"
    assert headers["ce_type"] == event_type
    assert headers["ce_subject"] == aggregate_id
    assert headers["ce_partitionkey"] == aggregate_id
    assert headers["content-type"] == "application/json"
    assert_recent_rfc3339(headers["ce_time"])
    assert record.key() == aggregate_id.encode()
    return headers


async def test_approve_publishes_moderation_approved(client: httpx.AsyncClient, event_tap) -> None:
    game_id, version_id, moderator_id = (str(uuid.uuid4()) for _ in range(3))

    response = await client.post(
        f"/moderation/{game_id}/{version_id}/approve",
        json={"moderator_id": moderator_id, "comment": "Looks good"},
        headers={"traceparent": TRACEPARENT},
    )

    assert response.status_code == 202
    assert response.headers["server"] == "parovoz-standin-admin"
    body = response.json()
    assert body["type"] == "admin.game.moderation.approved.v1"
    record = event_tap.wait_for(body["event_id"])
    headers = assert_cloudevent_headers(record, body["event_id"], body["type"], game_id)
    assert headers["traceparent"] == TRACEPARENT
    data = json.loads(record.value())
    assert data == {
        "game_id": game_id,
        "version_id": version_id,
        "moderator_id": moderator_id,
        "comment": "Looks good",
        "decided_at": headers["ce_time"],
    }


async def test_approve_without_a_body(client: httpx.AsyncClient, event_tap) -> None:
    game_id, version_id = str(uuid.uuid4()), str(uuid.uuid4())

    response = await client.post(f"/moderation/{game_id}/{version_id}/approve")

    assert response.status_code == 202
    record = event_tap.wait_for(response.json()["event_id"])
    headers = dict(record.headers())
    assert "traceparent" not in headers
    data = json.loads(record.value())
    assert data["moderator_id"] is None and data["comment"] is None
    assert data["game_id"] == game_id and data["version_id"] == version_id


async def test_reject_publishes_moderation_rejected(client: httpx.AsyncClient, event_tap) -> None:
    game_id, version_id = str(uuid.uuid4()), str(uuid.uuid4())

    response = await client.post(
        f"/moderation/{game_id}/{version_id}/reject",
        json={"reason": "Missing age rating"},
        headers={"traceparent": "not-a-traceparent"},
    )

    assert response.status_code == 202
    body = response.json()
    assert body["type"] == "admin.game.moderation.rejected.v1"
    record = event_tap.wait_for(body["event_id"])
    headers = assert_cloudevent_headers(record, body["event_id"], body["type"], game_id)
    assert "traceparent" not in headers
    assert json.loads(record.value()) == {
        "game_id": game_id,
        "version_id": version_id,
        "moderator_id": None,
        "reason": "Missing age rating",
        "decided_at": headers["ce_time"],
    }


async def test_verify_publishes_developer_verified(client: httpx.AsyncClient, event_tap) -> None:
    developer_id = str(uuid.uuid4())

    response = await client.post(f"/developers/{developer_id}/verify")

    assert response.status_code == 202
    body = response.json()
    assert body["type"] == "admin.developer.verified.v1"
    record = event_tap.wait_for(body["event_id"])
    headers = assert_cloudevent_headers(record, body["event_id"], body["type"], developer_id)
    assert json.loads(record.value()) == {
        "developer_id": developer_id,
        "verified_at": headers["ce_time"],
    }


async def test_one_aggregates_events_share_a_partition(
    client: httpx.AsyncClient, event_tap
) -> None:
    game_id = str(uuid.uuid4())

    first = await client.post(f"/moderation/{game_id}/{uuid.uuid4()}/reject", json={"reason": "x"})
    second = await client.post(f"/moderation/{game_id}/{uuid.uuid4()}/approve")

    first_record = event_tap.wait_for(first.json()["event_id"])
    second_record = event_tap.wait_for(second.json()["event_id"])
    assert first_record.partition() == second_record.partition()
    assert first_record.offset() < second_record.offset()


@pytest.mark.parametrize(
    ("path", "body", "pointer"),
    [
        ("/moderation/{game}/{version}/reject", {}, "/reason"),
        ("/moderation/{game}/{version}/reject", {"reason": ""}, "/reason"),
        ("/moderation/{game}/{version}/approve", {"moderator_id": "bob"}, "/moderator_id"),
        ("/moderation/not-a-uuid/{version}/approve", None, "game_id"),
        ("/developers/42/verify", None, "developer_id"),
    ],
)
async def test_invalid_requests_are_refused_with_a_pointer(
    client: httpx.AsyncClient, path: str, body: dict | None, pointer: str
) -> None:
    url = path.format(game=uuid.uuid4(), version=uuid.uuid4())

    response = await client.post(url, json=body)

    assert response.status_code == 400
    [error] = response.json()["errors"]
    # A body field is a pointer; a path parameter is named (seed 001 §3.1's source.parameter).
    source = {"pointer": pointer} if pointer.startswith("/") else {"parameter": pointer}
    assert error["status"] == "400" and error["source"] == source


async def test_unreachable_broker_answers_503_in_the_error_format() -> None:
    # Nothing listens on port 9 of loopback: the record cannot be acknowledged.
    settings = AdminSettings(kafka_bootstrap_servers="127.0.0.1:9", publish_timeout_seconds=1)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://standin-admin") as c:
            response = await c.post(f"/developers/{uuid.uuid4()}/verify")

    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    [error] = response.json()["errors"]
    assert error["status"] == "503" and error["code"] == "BROKER_UNAVAILABLE"
