"""The outbox relay: publishes committed outbox rows to Kafka and marks them sent.

Several replicas may run at once. Each round, in one transaction, a relay locks a batch of
unpublished rows (``FOR UPDATE SKIP LOCKED``, so replicas never take the same row), produces
them with an idempotent producer, waits for the acks, marks the delivered rows and records
the error on the others, then commits. A crash between the broker's ack and the commit
republishes the batch: delivery is at-least-once, and consumers dedupe on the event id.

Per-key order (one aggregate's events arrive in the order they were written):
* rows are taken in ``seq`` order and produced in that order; with idempotence on, the
  producer keeps that order within a partition, and one key always maps to one partition;
* a replica takes rows only of keys whose transaction-scoped advisory lock it wins, and of
  each such key the oldest rows, so two replicas never publish rows of one key concurrently
  (SKIP LOCKED alone would let replica B publish a key's 3rd row while A holds its 1st);
* after a failed row, later rows of the same key in the batch are left unpublished even if
  the broker acked them, so the next round sends them again after the failed one (a
  duplicate the consumers' inbox absorbs, never a reordering the inbox cannot see).

Waiting: the relay sleeps on ``LISTEN parovoz_outbox`` (the unit of work NOTIFYs on commit)
or polls, with a backoff from 200 ms up to a few seconds when idle, and the same backoff
without waking on NOTIFY while the broker fails, so it never spins.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from confluent_kafka import KafkaError, Producer
from sqlalchemy import bindparam, func, select, text, tuple_, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from parovoz_kit.events.metrics import OUTBOX_BACKLOG, OUTBOX_PUBLISH_FAILURES, OUTBOX_PUBLISHED
from parovoz_kit.events.producer import (
    DEFAULT_MESSAGE_TIMEOUT_MS,
    Backoff,
    OutgoingMessage,
    produce_all,
)
from parovoz_kit.events.tables import OUTBOX, OUTBOX_CHANNEL

log = logging.getLogger(__name__)

#: Namespace of the relay's advisory locks (the two-int form keeps them apart from
#: single-bigint advisory locks other kit parts may take).
_LOCK_NAMESPACE = 0x0B0C

# Step 1 claims keys: walk the oldest unpublished rows in ``seq`` order and try each key's
# advisory lock, stopping once ``limit`` rows are claimed. (One statement with the lock in
# the WHERE of an ORDER BY ... FOR UPDATE query lets the planner evaluate the lock for every
# row before sorting, so the first replica would grab every key.) The LIMITed subquery is
# never flattened, so the volatile lock call runs only on the rows it streams out.
_CLAIM_KEYS = text(
    """
    SELECT c.topic, c.key
    FROM (
        SELECT topic, key FROM outbox WHERE published_at IS NULL ORDER BY seq LIMIT :scan
    ) AS c
    WHERE pg_try_advisory_xact_lock(:lock_namespace, hashtext(c.topic || '/' || c.key))
    LIMIT :limit
    """
)
# Step 2 takes, for the claimed keys only, the oldest rows in ``seq`` order (so a prefix of
# each key's backlog), re-reading ``published_at`` with a fresh snapshot: a key whose lock
# was released by a replica committing just now shows that replica's rows as sent.
_LOCK_BATCH = (
    select(OUTBOX.c.id, OUTBOX.c.topic, OUTBOX.c.key, OUTBOX.c.headers, OUTBOX.c.payload)
    .where(
        OUTBOX.c.published_at.is_(None),
        tuple_(OUTBOX.c.topic, OUTBOX.c.key).in_(bindparam("keys", expanding=True)),
    )
    .order_by(OUTBOX.c.seq)
    .limit(bindparam("limit"))
    .with_for_update(skip_locked=True)
)
_MARK_PUBLISHED = (
    update(OUTBOX)
    .where(OUTBOX.c.id.in_(bindparam("ids", expanding=True)))
    .values(published_at=func.now(), attempts=OUTBOX.c.attempts + 1, last_error=None)
)
_MARK_FAILED = (
    update(OUTBOX)
    .where(OUTBOX.c.id == bindparam("row_id"))
    .values(attempts=OUTBOX.c.attempts + 1, last_error=bindparam("error"))
)
_COUNT_BACKLOG = select(func.count()).select_from(OUTBOX).where(OUTBOX.c.published_at.is_(None))


@dataclass(frozen=True)
class BatchOutcome:
    published: int
    failed: int


class OutboxRelay:
    """Publishes the outbox of one database; run it as a background worker."""

    name = "outbox-relay"

    def __init__(
        self,
        engine: AsyncEngine,
        producer_config: Mapping[str, Any],
        *,
        batch_size: int = 100,
        backoff: Backoff = Backoff(initial=0.2, maximum=5.0),  # noqa: B008 - frozen
        listen: bool = True,
    ) -> None:
        self._engine = engine
        self._producer_config = dict(producer_config)
        self._batch_size = batch_size
        self._backoff = backoff
        self._listen = listen
        timeout_ms = self._producer_config.get("message.timeout.ms", DEFAULT_MESSAGE_TIMEOUT_MS)
        # flush outlives message.timeout.ms, so every message has its callback when it returns
        self._flush_timeout = int(timeout_ms) / 1000 + 2
        self._producer: Producer | None = None
        self._producer_broken = False
        self._listener: psycopg.AsyncConnection | None = None

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until ``stop`` is set."""
        attempt = 0
        try:
            while not stop.is_set():
                outcome = await self._round()
                if outcome.failed:
                    attempt += 1
                    await self._sleep(stop, self._backoff.delay(attempt))
                elif outcome.published:
                    attempt = 0  # maybe more waiting: go again at once
                else:
                    attempt += 1
                    await self._wait_for_work(stop, self._backoff.delay(attempt))
        finally:
            await self._close_listener()
            if self._producer is not None:
                await asyncio.to_thread(self._producer.flush, 1)

    async def publish_batch(self) -> BatchOutcome:
        """One round: lock, produce, mark, commit. Public so tests can step the relay."""
        async with self._engine.begin() as connection:
            rows = await _claim_batch(connection, self._batch_size)
            if not rows:
                return BatchOutcome(0, 0)
            outcomes = await produce_all(
                self._usable_producer(),
                _messages(rows),
                self._flush_timeout,
                self._replace_producer,
            )
            return await _record_outcomes(connection, rows, outcomes)

    async def backlog(self) -> int:
        """Unpublished rows now; also sets the ``outbox_backlog`` gauge."""
        async with self._engine.connect() as connection:
            count = int((await connection.execute(_COUNT_BACKLOG)).scalar_one())
        OUTBOX_BACKLOG.set(count)
        return count

    async def _round(self) -> BatchOutcome:
        try:
            outcome = await self.publish_batch()
            await self.backlog()
        except (SQLAlchemyError, OSError) as exc:
            log.warning("outbox relay round failed", extra={"error_type": type(exc).__name__})
            return BatchOutcome(0, 1)
        if outcome.published:
            OUTBOX_PUBLISHED.inc(outcome.published)
        if outcome.failed:
            OUTBOX_PUBLISH_FAILURES.inc(outcome.failed)
            log.warning("outbox rows not acknowledged", extra={"failed": outcome.failed})
        return outcome

    def _usable_producer(self) -> Producer:
        # A fatal error (e.g. lost idempotence state) makes a producer unusable for good.
        if self._producer is None or self._producer_broken:
            self._producer_broken = False
            self._producer = Producer({**self._producer_config, "error_cb": self._on_error})
        return self._producer

    def _replace_producer(self) -> None:
        log.warning("producer hit a fatal error; a new one takes over")
        self._producer_broken = True

    def _on_error(self, error: KafkaError) -> None:
        if error.fatal():
            self._producer_broken = True
        log.debug("kafka client error", extra={"error": error.name()})

    async def _sleep(self, stop: asyncio.Event, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), seconds)

    async def _wait_for_work(self, stop: asyncio.Event, seconds: float) -> None:
        """Sleep up to ``seconds``; a NOTIFY (a commit wrote rows) or ``stop`` ends it early."""
        listener = await self._listener_connection()
        if listener is None:
            await self._sleep(stop, seconds)
            return
        notified = asyncio.ensure_future(_next_notification(listener, seconds))
        stopped = asyncio.ensure_future(stop.wait())
        await asyncio.wait({notified, stopped}, return_when=asyncio.FIRST_COMPLETED)
        stopped.cancel()
        if not notified.done():
            notified.cancel()
            with contextlib.suppress(asyncio.CancelledError, psycopg.Error):
                await notified
            await self._close_listener()  # interrupted mid-wait: not reusable
        elif notified.exception() is not None:
            log.warning("outbox LISTEN connection lost; polling until it is back")
            await self._close_listener()

    async def _listener_connection(self) -> psycopg.AsyncConnection | None:
        if not self._listen:
            return None
        if self._listener is None or self._listener.closed:
            url = self._engine.url.set(drivername="postgresql")
            try:
                self._listener = await psycopg.AsyncConnection.connect(
                    url.render_as_string(hide_password=False), autocommit=True
                )
                await self._listener.execute(f"LISTEN {OUTBOX_CHANNEL}")
            except psycopg.Error as exc:
                log.warning("outbox LISTEN unavailable", extra={"error_type": type(exc).__name__})
                await self._close_listener()
        return self._listener

    async def _close_listener(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(psycopg.Error):
                await self._listener.close()
            self._listener = None


async def _claim_batch(connection: AsyncConnection, limit: int) -> Sequence[Any]:
    claim = {"limit": limit, "scan": limit * 4, "lock_namespace": _LOCK_NAMESPACE}
    keys = {(row.topic, row.key) for row in await connection.execute(_CLAIM_KEYS, claim)}
    if not keys:
        return []
    return (await connection.execute(_LOCK_BATCH, {"keys": list(keys), "limit": limit})).all()


async def _next_notification(listener: psycopg.AsyncConnection, wait_seconds: float) -> None:
    async for _ in listener.notifies(timeout=wait_seconds, stop_after=1):
        pass


def _messages(rows: Sequence[Any]) -> list[OutgoingMessage]:
    return [
        OutgoingMessage(
            topic=row.topic,
            key=row.key,
            value=json.dumps(row.payload, separators=(",", ":")).encode(),
            headers=[(name, str(value).encode()) for name, value in row.headers.items()],
        )
        for row in rows
    ]


async def _record_outcomes(
    connection: AsyncConnection, rows: Sequence[Any], outcomes: Sequence[str | None]
) -> BatchOutcome:
    published: list[Any] = []
    failed: list[dict[str, Any]] = []
    failed_keys: set[tuple[str, str]] = set()
    for row, error in zip(rows, outcomes, strict=True):
        ordering_key = (row.topic, row.key)
        if error is None and ordering_key not in failed_keys:
            published.append(row.id)
            continue
        failed_keys.add(ordering_key)
        failed.append({"row_id": row.id, "error": error or "AFTER_EARLIER_FAILURE_OF_KEY"})
    if published:
        await connection.execute(_MARK_PUBLISHED, {"ids": published})
    if failed:
        await connection.execute(_MARK_FAILED, failed)
    return BatchOutcome(len(published), len(failed))
