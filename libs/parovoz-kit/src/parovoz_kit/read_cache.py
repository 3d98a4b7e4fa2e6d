"""An in-process cache of hot reads, kept true by PostgreSQL's LISTEN/NOTIFY.

A service's hottest reads (a game page, a list, the "is this the same text?" check of an
idempotent PUT) cost most of their time in the driver and the ORM, not in PostgreSQL. This cache
keeps their answers in the process and forgets them when the database says their rows changed:

- Triggers in the service's database ``NOTIFY <channel>, '<scope>'`` on every change of the
  tables the cached reads use (``'*'`` for "everything": TRUNCATE). A notification is sent at
  commit, by PostgreSQL itself, whoever wrote: this process, another replica, a migration or an
  operator's SQL. Each entry is filed under one scope (e.g. a developer account's id); a
  notification drops the entries of its scope.
- Every commit of an SQLAlchemy session in this process (a unit of work, a consumer's inbox
  transaction, a job) drops everything at once, right after the commit: a client that reads
  right after its own write never sees the state before it, even before the notification has
  arrived.
- An answer read from the database while a change was being forgotten is not stored (the
  generation taken before the read no longer matches).
- No LISTEN connection (not started yet, lost, the database down) or a database without the
  triggers: the cache is off, every read goes to the database. A new connection starts empty.

Entries are few and small (domain objects of one account); the cache holds ``max_entries`` and
starts again empty past that.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import Hashable, Sequence
from typing import Any

import psycopg
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

#: Scope of a notification that drops every entry.
EVERYTHING = "*"


_CACHES: weakref.WeakSet[ReadCache] = weakref.WeakSet()


def _forget_after_commit(session: Session) -> None:
    for cache in list(_CACHES):
        cache.forget_everything()


class ReadCache:
    def __init__(
        self,
        database_url: str,
        channel: str,
        required_triggers: Sequence[str],
        *,
        max_entries: int = 20_000,
        retry_seconds: float = 1.0,
    ) -> None:
        self._url = database_url
        self._channel = channel
        self._required_triggers = tuple(required_triggers)
        self._max_entries = max_entries
        self._retry_seconds = retry_seconds
        self._entries: dict[Hashable, tuple[str, Any]] = {}
        self._scopes: dict[str, set[Hashable]] = {}
        self._generation = 0
        self._listening = False
        self._on = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        if not event.contains(Session, "after_commit", _forget_after_commit):
            event.listen(Session, "after_commit", _forget_after_commit)
        _CACHES.add(self)

    # --- reads --------------------------------------------------------------------------------
    def generation(self) -> int | None:
        """Take before reading the database; None while the cache is off (read, don't store)."""
        self._start()
        return self._generation if self._listening else None

    def get(self, key: Hashable) -> Any | None:
        if not self._listening:
            self._start()
            return None
        entry = self._entries.get(key)
        return None if entry is None else entry[1]

    def put(self, key: Hashable, scope: str, value: Any, generation: int | None) -> None:
        """Store ``value`` under ``scope`` unless something was forgotten since ``generation``."""
        if generation is None or generation != self._generation or not self._listening:
            return
        if len(self._entries) >= self._max_entries:
            self._clear()
        self._entries[key] = (scope, value)
        self._scopes.setdefault(scope, set()).add(key)

    # --- forgetting ---------------------------------------------------------------------------
    def forget(self, scope: str) -> None:
        self._generation += 1
        if scope == EVERYTHING:
            self._clear()
            return
        for key in self._scopes.pop(scope, ()):
            self._entries.pop(key, None)

    def forget_everything(self) -> None:
        self._generation += 1
        self._clear()

    def _clear(self) -> None:
        self._entries = {}
        self._scopes = {}

    # --- the listener -------------------------------------------------------------------------
    @property
    def listening(self) -> bool:
        return self._listening

    def _start(self) -> None:
        if self._task is None and not self._closed:
            try:
                self._task = asyncio.get_running_loop().create_task(self._listen_forever())
            except RuntimeError:  # no running loop: stay off
                pass

    async def started(self, wait_seconds: float = 5.0) -> bool:
        """Start listening and wait until the cache is on (for tests and warm-up)."""
        self._start()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._on.wait(), wait_seconds)
        return self._listening

    async def _listen_forever(self) -> None:
        while not self._closed:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self._url, autocommit=True
                ) as connection:
                    if not await self._triggers_present(connection):
                        log.warning(
                            "read cache off: the database lacks its triggers",
                            extra={"channel": self._channel},
                        )
                        return
                    await connection.execute(f"LISTEN {self._channel}")
                    self.forget_everything()  # whatever happened while nobody listened
                    self._listening = True
                    self._on.set()
                    async for notification in connection.notifies():
                        self.forget(notification.payload or EVERYTHING)
            except psycopg.Error as exc:
                log.warning(
                    "read cache LISTEN lost; reading from the database until it is back",
                    extra={"error_type": type(exc).__name__},
                )
            finally:
                self._listening = False
                self._on.clear()
                self.forget_everything()
            await asyncio.sleep(self._retry_seconds)

    async def _triggers_present(self, connection: psycopg.AsyncConnection[Any]) -> bool:
        cursor = await connection.execute(
            "SELECT count(DISTINCT tgname) FROM pg_trigger WHERE tgname = ANY(%s)",
            [list(self._required_triggers)],
        )
        row = await cursor.fetchone()
        return row is not None and row[0] == len(set(self._required_triggers))

    async def aclose(self) -> None:
        self._closed = True
        self._listening = False
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None
        self._clear()
