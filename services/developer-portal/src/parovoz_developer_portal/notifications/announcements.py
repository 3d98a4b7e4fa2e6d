"""The process's ear for new notifications: PostgreSQL ``LISTEN`` on the inbox's channel.

Every notification written (by any replica, consumer or job) ``NOTIFY``s
:data:`~parovoz_developer_portal.notifications.repository.CHANNEL` with its account's id at
commit. One connection a process listens and wakes the open streams of that account; each
stream then reads the inbox (the rows are the truth, the push only says "look now"). When the
connection is lost, every stream is woken on its return (and the streams poll the inbox
meanwhile): nothing committed is missed, it may only come a little later.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg

log = logging.getLogger(__name__)


class InboxAnnouncements:
    def __init__(self, database_url: str, channel: str, *, retry_seconds: float = 1.0) -> None:
        self._url = database_url
        self._channel = channel
        self._retry_seconds = retry_seconds
        self._waiting: dict[str, set[asyncio.Event]] = {}
        self._task: asyncio.Task[None] | None = None
        self._on = asyncio.Event()
        self._closed = False

    @contextlib.contextmanager
    def subscribe(self, developer_id: uuid.UUID) -> Iterator[asyncio.Event]:
        """An event set whenever the account may have a new notification (clear it, read,
        wait again); it stops being set when the block ends."""
        self._start()
        woken = asyncio.Event()
        key = str(developer_id)
        self._waiting.setdefault(key, set()).add(woken)
        try:
            yield woken
        finally:
            waiting = self._waiting.get(key)
            if waiting is not None:
                waiting.discard(woken)
                if not waiting:
                    del self._waiting[key]

    @property
    def listening(self) -> bool:
        return self._on.is_set()

    async def started(self, wait_seconds: float = 5.0) -> bool:
        """Start listening and wait until it does (for tests and warm-up)."""
        self._start()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._on.wait(), wait_seconds)
        return self.listening

    def _start(self) -> None:
        if self._task is None and not self._closed:
            self._task = asyncio.get_running_loop().create_task(self._listen_forever())

    def _wake(self, key: str | None) -> None:
        groups = self._waiting.values() if key is None else [self._waiting.get(key, set())]
        for waiting in groups:
            for woken in waiting:
                woken.set()

    async def _listen_forever(self) -> None:
        while not self._closed:
            try:
                connection: psycopg.AsyncConnection[Any]
                async with await psycopg.AsyncConnection.connect(
                    self._url, autocommit=True
                ) as connection:
                    await connection.execute(f"LISTEN {self._channel}")
                    self._on.set()
                    self._wake(None)  # whatever was committed while nobody listened
                    async for notification in connection.notifies():
                        self._wake(notification.payload or None)
            except psycopg.Error as exc:
                log.warning(
                    "notifications LISTEN lost; streams poll the inbox until it is back",
                    extra={"error_type": type(exc).__name__},
                )
            finally:
                self._on.clear()
            await asyncio.sleep(self._retry_seconds)

    async def aclose(self) -> None:
        self._closed = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None
        self._on.clear()
