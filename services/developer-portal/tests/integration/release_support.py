"""What the review and releases tests share: a studio's game taken through the real routes of
the other contexts (versions and builds uploaded straight to S3 and verified by the worker,
ru-RU metadata, screenshots, a price), the outbox of its events (each checked against its
schema), and a private topic fed to review's consumers."""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from parovoz_developer_portal.review.events import admin_moderation_handlers
from parovoz_events import EventData, schema_for
from parovoz_events.admin import GameModerationApproved, GameModerationRejected
from parovoz_kit.events import Event
from parovoz_kit.infrastructure import Infrastructure
from parovoz_testing.consumers import produce  # noqa: F401  (the tests import it from here)
from parovoz_testing.tokens import user_token
from sqlalchemy import text

PREFIX = "/api/v1/developer"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00" + bytes(range(256)) * 8

SUBMITTED = "developer.game.submitted.v1"
PUBLISHED = "developer.game.published.v1"
ROLLED_BACK = "developer.game.rolled_back.v1"


def auth(user_id: uuid.UUID) -> dict[str, str]:
    return {"Authorization": f"Bearer {user_token(str(user_id))}"}


def errors(answer: httpx.Response, status: int) -> list[dict[str, Any]]:
    assert answer.status_code == status, answer.text
    found: list[dict[str, Any]] = answer.json()["errors"]
    return found


def codes(answer: httpx.Response, status: int) -> list[str]:
    return [error["code"] for error in errors(answer, status)]


class Shelf:
    """One studio (conftest's account) and one of its games, through the portal's routes."""

    def __init__(self, account: Any) -> None:
        self.account = account
        self.client: httpx.AsyncClient = account.client
        self.infrastructure: Infrastructure = account.infrastructure
        self.owner: uuid.UUID = account.owner
        self.developer_id: uuid.UUID = account.developer_id
        self.member: Callable[[str], Awaitable[uuid.UUID]] = account.member

    async def open(self) -> Shelf:
        answer = await self.client.post(
            f"{PREFIX}/games",
            headers=auth(self.owner),
            json={
                "data": {
                    "type": "productCreation",
                    "attributes": {"title": f"Паровоз {uuid.uuid4()}", "product_type": "game"},
                }
            },
        )
        assert answer.status_code == 201, answer.text
        self.game_id: str = answer.json()["data"]["id"]
        self.game = f"{PREFIX}/games/{self.game_id}"
        return self

    # --- set-up through the other contexts' routes ------------------------------------------
    async def go_direct(self) -> None:
        """Test set-up: the account verified by the Admin Service (accounts' consumer does it in
        real life), so it is on the direct publishing track."""
        async with self.infrastructure.session_factory.begin() as session:
            await session.execute(
                text(
                    "UPDATE developer_accounts SET publishing_track = 'direct', "
                    "status = 'active', verified = true WHERE id = :id"
                ),
                {"id": self.developer_id},
            )

    async def version(self, name: str | None = None) -> str:
        answer = await self.client.post(
            f"{self.game}/versions",
            headers=auth(self.owner),
            json={
                "data": {
                    "type": "gameVersionCreation",
                    "attributes": {
                        "version_name": name or f"1.0.{uuid.uuid4().int % 10_000}",
                        "changelog": {"ru-RU": "Исправлены ошибки."},
                        "platforms": ["windows_x64"],
                    },
                }
            },
        )
        assert answer.status_code == 201, answer.text
        return str(answer.json()["data"]["id"])

    async def upload_build(self, version_id: str) -> None:
        """A small build PUT straight to S3 with the pre-signed URL only, then completed."""
        data = os.urandom(64 * 1024)
        answer = await self.client.post(
            f"{self.game}/versions/{version_id}/builds/upload-url",
            headers=auth(self.owner),
            json={
                "data": {
                    "type": "buildUploadRequest",
                    "attributes": {
                        "file_name": "game.zip",
                        "file_size_bytes": len(data),
                        "content_type": "application/zip",
                        "platform": "windows_x64",
                    },
                }
            },
        )
        assert answer.status_code == 200, answer.text
        upload = answer.json()["data"]
        async with httpx.AsyncClient(timeout=60) as s3:
            stored = await s3.put(upload["attributes"]["upload_url"], content=data)
        assert stored.status_code == 200, stored.text
        completed = await self.client.post(
            f"{self.game}/versions/{version_id}/builds/upload-complete",
            headers=auth(self.owner),
            json={
                "data": {
                    "type": "buildUploadCompletion",
                    "attributes": {
                        "internal_build_id": upload["id"],
                        "s3_path": upload["attributes"]["s3_path"],
                        "file_hash_sha256": hashlib.sha256(data).hexdigest(),
                    },
                }
            },
        )
        assert completed.status_code == 200, completed.text

    async def verify(self, version_id: str) -> str:
        """Run the builds worker until the version leaves ``processing``: its status."""
        admin = {"Authorization": f"Bearer {user_token(str(uuid.uuid4()), roles=('admin',))}"}
        for _ in range(30):
            ran = await self.client.post(
                "/internal/jobs/builds-verify/run",
                params={"period": f"test-{uuid.uuid4().hex}"},
                headers=admin,
            )
            assert ran.status_code == 200, ran.text
            status = await self.version_status(version_id)
            if status != "processing":
                return status
        raise AssertionError("the version stayed processing")

    async def ready_version(self, name: str | None = None) -> str:
        version_id = await self.version(name)
        await self.upload_build(version_id)
        assert await self.verify(version_id) == "ready_for_review"
        return version_id

    async def version_status(self, version_id: str) -> str:
        answer = await self.client.get(
            f"{self.game}/versions/{version_id}", headers=auth(self.owner)
        )
        assert answer.status_code == 200, answer.text
        return str(answer.json()["data"]["attributes"]["status"])

    async def game_status(self) -> str:
        answer = await self.client.get(self.game, headers=auth(self.owner))
        assert answer.status_code == 200, answer.text
        return str(answer.json()["data"]["attributes"]["status"])

    async def describe(self, locale: str = "ru-RU") -> None:
        answer = await self.client.put(
            f"{self.game}/metadata/{locale}",
            headers=auth(self.owner),
            json={"data": {"type": "gameMetadata", "attributes": {"title": "Поезд в тайгу"}}},
        )
        assert answer.status_code in (200, 201), answer.text

    async def screenshot(self) -> None:
        media = f"{self.game}/media"
        started = await self.client.post(
            f"{media}/upload-url",
            headers=auth(self.owner),
            json={
                "data": {
                    "type": "mediaUploadRequest",
                    "attributes": {
                        "media_type": "screenshot",
                        "language_code": "ru-RU",
                        "file_name": "кадр.jpg",
                        "content_type": "image/jpeg",
                        "file_size_bytes": len(JPEG),
                    },
                }
            },
        )
        assert started.status_code == 201, started.text
        attributes = started.json()["data"]["attributes"]
        async with httpx.AsyncClient() as browser:
            stored = await browser.put(
                attributes["upload_url"], content=JPEG, headers=attributes["headers"]
            )
        assert stored.status_code == 200, stored.text
        done = await self.client.post(
            f"{media}/{started.json()['data']['id']}/upload-complete", headers=auth(self.owner)
        )
        assert done.status_code == 200, done.text

    async def make_free(self) -> None:
        answer = await self.client.put(
            f"{self.game}/prices",
            headers=auth(self.owner),
            json={"data": {"type": "gamePrices", "attributes": {"is_free": True}}},
        )
        assert answer.status_code == 200, answer.text

    async def shop_window(self, screenshots: int = 3) -> None:
        """Everything publication needs besides an approved version."""
        await self.describe()
        for _ in range(screenshots):
            await self.screenshot()
        await self.make_free()

    async def decide(self, version_id: str, approved: bool = True, **changes: Any) -> None:
        """The Admin Service's decision, through review's own handler in its own transaction
        (as the consumer runs it)."""
        model: type[EventData] = GameModerationApproved if approved else GameModerationRejected
        values: dict[str, Any] = {"game_id": self.game_id, "version_id": version_id, **changes}
        decision = event(model, "/standins/admin", **values)
        parsed = model.model_validate(decision.data)
        handlers = admin_moderation_handlers(self.infrastructure)
        async with self.infrastructure.session_factory.begin() as session:
            await handlers[model.event_type](session, parsed, decision)

    async def approved_version(self, name: str | None = None) -> str:
        """A version submitted and approved by moderation."""
        version_id = await self.ready_version(name)
        submitted = await self.submit(version_id)
        assert submitted.status_code == 200, submitted.text
        await self.decide(version_id)
        assert await self.version_status(version_id) == "approved"
        return version_id

    # --- this context's routes --------------------------------------------------------------
    async def submit(self, version_id: str, user: uuid.UUID | None = None) -> httpx.Response:
        return await self.client.post(
            f"{self.game}/versions/{version_id}/submit-for-review",
            headers=auth(user or self.owner),
        )

    async def review(self, version_id: str, user: uuid.UUID | None = None) -> httpx.Response:
        return await self.client.get(
            f"{self.game}/versions/{version_id}/review", headers=auth(user or self.owner)
        )

    async def publish(
        self, version_id: str | None = None, user: uuid.UUID | None = None
    ) -> httpx.Response:
        body = None
        if version_id is not None:
            body = {"data": {"type": "gamePublication", "attributes": {"version_id": version_id}}}
        return await self.client.post(
            f"{self.game}/publish", json=body, headers=auth(user or self.owner)
        )

    async def rollback(
        self, version_id: str, reason: str | None = None, user: uuid.UUID | None = None
    ) -> httpx.Response:
        attributes: dict[str, Any] = {"version_id": version_id}
        if reason is not None:
            attributes["reason"] = reason
        return await self.client.post(
            f"{self.game}/rollback",
            json={"data": {"type": "gameRollback", "attributes": attributes}},
            headers=auth(user or self.owner),
        )

    async def releases(self, user: uuid.UUID | None = None) -> httpx.Response:
        return await self.client.get(f"{self.game}/releases", headers=auth(user or self.owner))

    async def events(self, event_type: str) -> list[dict[str, Any]]:
        """The game's events of ``event_type`` in the outbox, each valid against its schema."""
        async with self.infrastructure.session_factory() as session:
            rows = await session.execute(
                text("SELECT payload FROM outbox WHERE type = :type AND key = :key ORDER BY seq"),
                {"type": event_type, "key": self.game_id},
            )
            payloads = [dict(row.payload) for row in rows]
        for payload in payloads:
            schema_for(event_type).model_validate(payload)
        return payloads


def event(model: type[EventData], source: str, **changes: object) -> Event:
    """The schema's example with this test's values, validated like the producer's own."""
    data = model.model_validate({**model.example_data, **changes})
    return Event.from_data(data, source)


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.2)
    raise AssertionError("the consumer did not get there in time")
