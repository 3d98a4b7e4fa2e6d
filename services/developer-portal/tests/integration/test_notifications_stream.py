"""`GET /notifications/stream` over real HTTP: the app served by uvicorn on a free port (an
in-process ASGI client would wait for the endless answer to end), the real PostgreSQL NOTIFY,
the broker and the consumer's merged handlers.

An SSE client (authenticated by ``?access_token=`` as EventSource must be) receives the
moderation decision within a second of the event being handled; ``Last-Event-ID`` (or
``last_event_id``) replays what was missed, oldest first, in batches; a quiet stream gets
heartbeats and ends after its lifetime; a client going away is forgotten; a request not asking
for an event stream, a malformed Last-Event-ID and a missing token are refused at once."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from parovoz_developer_portal.main import SERVICE
from parovoz_developer_portal.notifications import service as notifications
from parovoz_developer_portal.notifications.domain import game_published
from parovoz_developer_portal.notifications.events import admin_notification_handlers
from parovoz_developer_portal.notifications.stream import announcements
from parovoz_developer_portal.review.events import admin_moderation_handlers
from parovoz_developer_portal.settings import DeveloperPortalSettings
from parovoz_developer_portal.unit_of_work import portal_unit_of_work
from parovoz_events.admin import GameModerationApproved
from parovoz_kit.events import merge_handlers
from parovoz_kit.infrastructure import Infrastructure, open_infrastructure
from parovoz_kit.service import build_app, job_runner
from parovoz_testing.consumers import consuming, handled, private_group, private_topic
from parovoz_testing.tokens import user_token

sys.path.insert(0, str(Path(__file__).parent))
from release_support import PREFIX, Shelf, auth, codes, event, produce

STREAM = f"{PREFIX}/notifications/stream"
LIFETIME = 8.0
SSE = {"Accept": "text/event-stream"}


@pytest.fixture(scope="module")
async def infrastructure() -> AsyncIterator[Infrastructure]:
    """The portal with a quick heartbeat, a short stream lifetime and small replay batches."""
    settings = DeveloperPortalSettings(
        environment="test",
        payout_balance_precheck=False,
        notifications_heartbeat_seconds=0.3,
        notifications_stream_max_seconds=LIFETIME,
        notifications_stream_batch_size=2,
    )
    async with open_infrastructure(settings) as infra:
        yield infra


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
async def server(infrastructure: Infrastructure) -> AsyncIterator[str]:
    app = build_app(SERVICE, infrastructure, job_runner(SERVICE, infrastructure))
    port = _free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        lifespan="off",
        log_level="warning",
        timeout_graceful_shutdown=1,
    )
    running = uvicorn.Server(config)
    task = asyncio.create_task(running.serve())
    while not running.started:
        assert not task.done(), "uvicorn did not start"
        await asyncio.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    await asyncio.wait_for(task, 10)


@pytest.fixture(scope="module")
def group() -> str:
    return private_group("developer-portal.notifications-stream")


@pytest.fixture(scope="module")
def topic(infrastructure: Infrastructure, group: str) -> Iterator[str]:
    with private_topic(infrastructure, group) as name:
        yield name


@pytest.fixture(scope="module")
async def consumer(infrastructure: Infrastructure, group: str, topic: str) -> AsyncIterator[str]:
    handlers = merge_handlers(
        admin_moderation_handlers(infrastructure), admin_notification_handlers(infrastructure)
    )
    async with consuming(infrastructure, group, topic, handlers):
        yield group


@pytest.fixture
async def shelf(studio: Any) -> Shelf:
    made = await Shelf(studio).open()
    await made.go_direct()
    return made


@dataclass
class Received:
    at: float
    id: int
    event: str
    data: dict[str, Any]


@dataclass
class SseClient:
    """Reads a stream in the background: its events (with when they arrived) and comments."""

    response: httpx.Response
    events: asyncio.Queue[Received] = field(default_factory=asyncio.Queue)
    comments: list[str] = field(default_factory=list)
    retry: int | None = None
    ended: asyncio.Event = field(default_factory=asyncio.Event)

    async def read(self) -> None:
        fields: dict[str, str] = {}
        try:
            async for line in self.response.aiter_lines():
                if line == "":
                    if "data" in fields:
                        await self.events.put(
                            Received(
                                time.monotonic(),
                                int(fields["id"]),
                                fields.get("event", "message"),
                                json.loads(fields["data"]),
                            )
                        )
                    fields = {}
                elif line.startswith(":"):
                    self.comments.append(line)
                else:
                    name, _, value = line.partition(":")
                    if name == "retry":
                        self.retry = int(value.strip())
                    else:
                        fields[name] = value.removeprefix(" ")
        finally:
            self.ended.set()

    async def next(self, seconds: float = 5.0) -> Received:
        return await asyncio.wait_for(self.events.get(), seconds)

    async def connected(self) -> None:
        for _ in range(100):
            if self.retry is not None:
                return
            await asyncio.sleep(0.02)
        raise AssertionError("the stream sent no retry line")


@contextlib.asynccontextmanager
async def sse(
    server: str, user: uuid.UUID, *, headers: dict[str, str] | None = None, **params: str
) -> AsyncIterator[SseClient]:
    """A stream opened the EventSource way: the token as ``access_token``, no header."""
    async with (
        httpx.AsyncClient(base_url=server, timeout=httpx.Timeout(30, read=15)) as http,
        http.stream(
            "GET",
            STREAM,
            params={"access_token": user_token(str(user)), **params},
            headers={**SSE, **(headers or {})},
        ) as response,
    ):
        assert response.status_code == 200, await response.aread()
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["x-accel-buffering"] == "no"
        client = SseClient(response)
        reader = asyncio.create_task(client.read())
        try:
            await client.connected()
            yield client
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, httpx.HTTPError):
                await reader


async def in_review(shelf: Shelf) -> str:
    version_id = await shelf.ready_version()
    answer = await shelf.submit(version_id)
    assert answer.status_code == 200, answer.text
    return version_id


async def test_an_sse_client_receives_the_moderation_decision_within_a_second(
    shelf: Shelf, infrastructure: Infrastructure, server: str, topic: str, consumer: str
) -> None:
    version_id = await in_review(shelf)
    viewer = await shelf.member("viewer")
    async with sse(server, viewer) as stream:
        assert stream.retry == 3000
        approval = event(
            GameModerationApproved, "/standins/admin", game_id=shelf.game_id, version_id=version_id
        )
        produce(infrastructure, topic, approval)
        await handled(infrastructure, consumer, [approval])
        handled_at = time.monotonic()
        received = await stream.next()
        assert received.at - handled_at < 1.0
        assert received.event == "notification"
        attributes = received.data["attributes"]
        assert attributes["kind"] == "moderation_approved"
        assert attributes["resource_id"] == version_id
        assert received.id == attributes["sequence"]
        assert received.data["links"]["related"] == f"{shelf.game}/versions/{version_id}/review"
        await asyncio.sleep(0.7)
        assert ": heartbeat" in stream.comments  # a quiet stream is kept alive
        assert stream.events.empty()


async def _notify(infrastructure: Infrastructure, developer_id: uuid.UUID, count: int) -> list[int]:
    sequences = []
    for _ in range(count):
        draft = game_published(
            developer_id=developer_id,
            game_id=uuid.uuid4(),
            game_title="Поезд",
            republished=False,
            source_event_id=uuid.uuid4(),
        )
        async with portal_unit_of_work(infrastructure) as uow:
            made = await notifications.notify(uow, draft, infrastructure.clock.now())
            await uow.commit()
        assert made is not None
        sequences.append(made.sequence)
    return sequences


async def test_last_event_id_replays_what_was_missed_then_goes_live(
    studio: Any, infrastructure: Infrastructure, server: str
) -> None:
    made = await _notify(infrastructure, studio.developer_id, 5)
    # Reconnecting after the first: the other four, oldest first (in batches of two).
    async with sse(server, studio.owner, headers={"Last-Event-ID": str(made[0])}) as stream:
        assert [(await stream.next()).id for _ in range(4)] == made[1:]
        [live] = await _notify(infrastructure, studio.developer_id, 1)
        assert (await stream.next()).id == live
    # A new page resumes with the parameter; the header, when sent, wins.
    async with sse(server, studio.owner, last_event_id=str(made[3])) as stream:
        assert [(await stream.next()).id for _ in range(2)] == [made[4], live]
    # Without either, only what comes next.
    async with sse(server, studio.owner) as stream:
        await asyncio.sleep(0.3)
        assert stream.events.empty()
        [newest] = await _notify(infrastructure, studio.developer_id, 1)
        assert (await stream.next()).id == newest


async def test_a_stream_ends_after_its_lifetime_and_a_gone_client_is_forgotten(
    studio: Any, infrastructure: Infrastructure, server: str
) -> None:
    ear = announcements(infrastructure)
    started = time.monotonic()
    async with sse(server, studio.owner) as stream:
        assert str(studio.developer_id) in ear._waiting
        await asyncio.wait_for(stream.ended.wait(), LIFETIME + 5)
    assert LIFETIME - 0.5 <= time.monotonic() - started
    async with sse(server, studio.owner):
        pass  # the client goes away at once
    for _ in range(50):
        if str(studio.developer_id) not in ear._waiting:
            break
        await asyncio.sleep(0.1)
    assert str(studio.developer_id) not in ear._waiting


async def test_refusals_come_at_once(studio: Any, server: str, client: httpx.AsyncClient) -> None:
    owner = {"Authorization": f"Bearer {user_token(str(studio.owner))}"}
    plain = await client.get(STREAM, headers=owner)
    assert codes(plain, 406) == ["EVENT_STREAM_NOT_ACCEPTED"]
    assert "text/event-stream" in plain.json()["errors"][0]["detail"]
    malformed = await client.get(STREAM, headers={**owner, **SSE, "Last-Event-ID": "abc"})
    assert codes(malformed, 400) == ["VALIDATION_ERROR"]
    assert malformed.json()["errors"][0]["source"] == {"parameter": "Last-Event-ID"}
    for value in ("²", "-1", "1" * 19):  # a digit int() refuses, a sign, beyond BIGINT
        odd = await client.get(STREAM, headers={**owner, **SSE}, params={"last_event_id": value})
        assert codes(odd, 400) == ["VALIDATION_ERROR"], value
        assert odd.json()["errors"][0]["source"] == {"parameter": "last_event_id"}
    anonymous = await client.get(STREAM, headers=SSE)
    assert codes(anonymous, 401) == ["TOKEN_MISSING"]
    forged = await client.get(STREAM, headers=SSE, params={"access_token": "not-a-token"})
    assert codes(forged, 401) == ["TOKEN_INVALID"]
    assert "not-a-token" not in forged.text
    outsider = await client.get(STREAM, headers={**SSE, **auth(uuid.uuid4())})
    assert outsider.status_code == 404, outsider.text  # no account: nothing to stream
