"""Issue #16's proof for notifications, against the running platform through the gateway: an SSE
client (an EventSource: the token as ``?access_token=``, ``Accept: text/event-stream``) holds
``GET /api/v1/developer/notifications/stream`` open while the admin stand-in approves the
studio's version over Kafka; the moderation decision reaches the client within a second of the
stand-in's event. On connecting with ``last_event_id=0`` the client is first replayed what the
account already had (the builds worker's verdict). The gateway passes each event on at once."""

from __future__ import annotations

import json
import queue
import threading
import time
import uuid
from typing import Any

import httpx
from e2e_studio import PORTAL, PortalStudio
from parovoz_testing.platform import wait_until

ADMIN_STANDIN = "http://127.0.0.1:8093"


def listen(
    token: str, into: queue.Queue[tuple[float, dict[str, Any]]], opened: threading.Event
) -> None:
    """An EventSource's connection: each notification with the time it arrived."""
    timeout = httpx.Timeout(30, read=60)
    with httpx.stream(
        "GET",
        f"{PORTAL}/notifications/stream",
        params={"access_token": token, "last_event_id": "0"},
        headers={"Accept": "text/event-stream"},
        timeout=timeout,
    ) as answer:
        assert answer.status_code == 200, answer.read()
        assert answer.headers["content-type"].startswith("text/event-stream")
        opened.set()
        for line in answer.iter_lines():
            if line.startswith("data:"):
                into.put((time.monotonic(), json.loads(line.removeprefix("data:"))))


def test_the_moderation_decision_reaches_an_sse_client_within_a_second() -> None:
    studio = PortalStudio()
    verified = httpx.post(f"{ADMIN_STANDIN}/developers/{studio.developer_id}/verify")
    assert verified.status_code == 202, verified.text
    assert wait_until(lambda: studio.account()["publishing_track"] == "direct", timeout=30)
    studio.draft("Уведомления")
    version_id = studio.version_with_build("1.0.0", "notify")
    submitted = studio.submit_for_review(version_id)
    assert submitted.status_code == 200, submitted.text

    received: queue.Queue[tuple[float, dict[str, Any]]] = queue.Queue()
    opened = threading.Event()
    threading.Thread(target=listen, args=(studio.token, received, opened), daemon=True).start()
    assert opened.wait(15), "the stream did not open"
    _, replayed = received.get(timeout=15)
    assert replayed["attributes"]["kind"] == "build_verified"

    approve = httpx.post(
        f"{ADMIN_STANDIN}/moderation/{studio.game_id}/{version_id}/approve",
        json={"moderator_id": str(uuid.uuid4()), "comment": "Годится"},
    )
    sent_at = time.monotonic()
    assert approve.status_code == 202, approve.text
    arrived_at, told = received.get(timeout=15)
    assert told["attributes"]["kind"] == "moderation_approved"
    assert told["attributes"]["resource_id"] == version_id
    assert arrived_at - sent_at < 1.0, f"{arrived_at - sent_at:.3f} s"
    # The inbox says the same, and the link leads to the review.
    inbox = studio.ok_list("/notifications?filter[read]=false")
    assert [n["attributes"]["kind"] for n in inbox] == ["moderation_approved", "build_verified"]
    assert inbox[0]["links"]["related"].endswith(f"/versions/{version_id}/review")
