"""Notifications the way a provider sends them: asynchronously, retried, possibly duplicated.

Every notification is recorded (body bytes fixed once) so it can be listed and replayed in any
order. Delivery counts as done when the receiver answers HTTP 200 (T-Bank: 200 with body `OK`);
otherwise it is retried with doubling delays, a bounded number of times.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import httpx

from standin_provider_sandbox.settings import SandboxSettings
from standin_provider_sandbox.signing import SIGNATURE_HEADER, body_signature

log = logging.getLogger(__name__)

Provider = Literal["yookassa", "tbank"]
USER_AGENT = "parovoz-standin-provider-sandbox"


def now_utc() -> datetime:
    return datetime.now(UTC)


@dataclass
class Delivery:
    attempt: int
    at: datetime
    status_code: int | None
    error: str | None
    ok: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "attempt": self.attempt,
            "at": self.at.isoformat(),
            "status_code": self.status_code,
            "error": self.error,
            "ok": self.ok,
        }


@dataclass
class Notification:
    id: str
    provider: Provider
    payment_id: str
    event: str
    url: str
    body: bytes
    created_at: datetime
    deliveries: list[Delivery] = field(default_factory=list)

    @property
    def delivered(self) -> bool:
        return any(delivery.ok for delivery in self.deliveries)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "provider": self.provider,
            "payment_id": self.payment_id,
            "event": self.event,
            "url": self.url,
            "created_at": self.created_at.isoformat(),
            "delivered": self.delivered,
            "deliveries": [delivery.as_json() for delivery in self.deliveries],
            "body": json.loads(self.body),
        }


def encode_body(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class Notifier:
    def __init__(self, settings: SandboxSettings) -> None:
        self._settings = settings
        self._client: httpx.AsyncClient | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._notifications: list[Notification] = []
        # First attempts of one payment's notifications go out in the order they happened;
        # only retries (and replays) can overtake, as with a real provider.
        self._in_order: dict[tuple[str, str], asyncio.Lock] = {}

    def send(
        self,
        provider: Provider,
        payment_id: str,
        event: str,
        url: str,
        payload: dict[str, Any],
        duplicates: int | None = None,
    ) -> Notification:
        """Records the notification and delivers it in the background (`duplicates` copies)."""
        notification = Notification(
            id=str(uuid.uuid4()),
            provider=provider,
            payment_id=payment_id,
            event=event,
            url=url,
            body=encode_body(payload),
            created_at=now_utc(),
        )
        self._notifications.append(notification)
        copies = duplicates or self._settings.notification_duplicates
        for _ in range(max(1, copies)):
            task = asyncio.get_running_loop().create_task(self._deliver_with_retries(notification))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return notification

    def of_payment(self, provider: Provider, payment_id: str) -> list[Notification]:
        return [
            notification
            for notification in self._notifications
            if notification.provider == provider and notification.payment_id == payment_id
        ]

    async def replay(
        self,
        notifications: list[Notification],
        repeat: int,
        url: str | None,
    ) -> list[dict[str, Any]]:
        """Delivers the given notifications one after another, `repeat` rounds, one attempt each."""
        results = []
        for _ in range(repeat):
            for notification in notifications:
                delivery = await self._deliver_once(notification, url)
                results.append(
                    {"notification_id": notification.id, "event": notification.event}
                    | delivery.as_json()
                )
        return results

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()

    async def _deliver_with_retries(self, notification: Notification) -> None:
        settings = self._settings
        lock = self._in_order.setdefault(
            (notification.provider, notification.payment_id), asyncio.Lock()
        )
        for attempt in range(1, settings.notification_attempts + 1):
            if attempt == 1:
                async with lock:
                    delivery = await self._deliver_once(notification, None)
            else:
                delivery = await self._deliver_once(notification, None)
            if delivery.ok:
                return
            if attempt < settings.notification_attempts:
                delay = settings.notification_first_delay_seconds * 2 ** (attempt - 1)
                await asyncio.sleep(min(delay, settings.notification_max_delay_seconds))
        log.warning(
            "notification %s (%s %s) gave up after %d attempts",
            notification.id,
            notification.provider,
            notification.event,
            settings.notification_attempts,
        )

    async def _deliver_once(self, notification: Notification, url: str | None) -> Delivery:
        attempt = len(notification.deliveries) + 1
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            SIGNATURE_HEADER: body_signature(notification.body, self._settings.webhook_secret),
            "X-Sandbox-Notification-Id": notification.id,
            "X-Sandbox-Delivery-Attempt": str(attempt),
        }
        status_code: int | None = None
        error: str | None = None
        ok = False
        try:
            response = await self._http().post(
                url or notification.url, content=notification.body, headers=headers
            )
            status_code = response.status_code
            ok = _accepted(notification.provider, response)
        except httpx.HTTPError as exc:
            error = type(exc).__name__
        delivery = Delivery(attempt, now_utc(), status_code, error, ok)
        notification.deliveries.append(delivery)
        log.info(
            "notification %s %s -> %s (attempt %d)",
            notification.provider,
            notification.event,
            status_code or error,
            attempt,
        )
        return delivery

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self._settings.notification_timeout_seconds)
        return self._client


def _accepted(provider: Provider, response: httpx.Response) -> bool:
    if response.status_code != 200:
        return False
    # T-Bank counts a notification as received only when the answer is the text OK.
    return provider != "tbank" or response.text.strip().upper() == "OK"


def ordered(
    notifications: list[Notification], order: str | list[str], seed: int | None
) -> list[Notification]:
    """`sent` (as sent), `reversed`, `shuffled` (with an optional seed) or explicit ids."""
    if isinstance(order, list):
        by_id = {notification.id: notification for notification in notifications}
        return [by_id[notification_id] for notification_id in order]
    if order == "reversed":
        return list(reversed(notifications))
    if order == "shuffled":
        shuffled = list(notifications)
        shuffle: Callable[[list[Notification]], None] = random.Random(seed).shuffle  # noqa: S311
        shuffle(shuffled)
        return shuffled
    return list(notifications)
