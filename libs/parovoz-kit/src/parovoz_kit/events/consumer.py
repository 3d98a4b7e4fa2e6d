"""The idempotent consumer: each event has its effect once, and a poison one never blocks.

For each message, in order, per partition:
1. decode the CloudEvent and parse ``data`` with the schema of its ``type`` — a message
   that fails here can never succeed, so it goes to ``<group>.dlq`` at once;
2. in ONE transaction: ``INSERT INTO inbox (group, event id) ON CONFLICT DO NOTHING`` — no
   row inserted means this group already handled the event (a redelivery), so skip —
   otherwise run the handler with the same session; commit;
3. only then commit the Kafka offset (message offset + 1), synchronously.
A failing handler is rolled back and retried with backoff, up to ``max_attempts``; then the
original message goes to the DLQ with the error in headers, and its offset is committed so
the partition moves on. A failure of a dependency (database unreachable, peer
``Unavailable``) is not the message's fault: it uses no attempt and never dead-letters; the
consumer rewinds to the message and reads it again after a pause. Nothing is committed on
failure (no ack-on-failure), and a crash anywhere before step 3 only means a redelivery,
which step 2 absorbs.

librdkafka heartbeats from its own thread, so the group membership survives while a
handler retries in place; what must not lapse is ``max.poll.interval.ms`` between polls,
so the retry schedule is checked against it at construction.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, Message, Producer, TopicPartition
from opentelemetry import propagate, trace
from parovoz_events import EventData, UnknownEventType, schema_for
from pydantic import ValidationError
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from parovoz_kit.errors import Unavailable
from parovoz_kit.events import metrics
from parovoz_kit.events.dlq import dead_letter
from parovoz_kit.events.envelope import TRACEPARENT_HEADER, Event, InvalidEnvelope
from parovoz_kit.events.lag import LagReporter
from parovoz_kit.events.producer import Backoff, produce_all, producer_config
from parovoz_kit.events.tables import INBOX

log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)

#: ``await handler(session, data, event)``: apply the effect with ``session`` and do NOT
#: commit — the consumer commits, together with the inbox row.
Handler = Callable[[AsyncSession, Any, Event], Awaitable[None]]


#: Failures of a dependency, not of the message: retried without limit, never dead-lettered.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,  # connection lost, serialization failure, deadlock...
    InterfaceError,
    PoolTimeout,
    Unavailable,
    ConnectionError,
)


class InvalidEventData(Exception):
    """The event's data does not match the schema registered for its type."""


class _Outcome(enum.Enum):
    RESOLVED = "resolved"  # commit the offset
    RETRY_LATER = "retry later"  # rewind to it and pause
    STOPPING = "stopping"  # leave it uncommitted


class IdempotentConsumer:
    """Consumes ``topics`` as consumer group ``group``; run it as a background worker."""

    def __init__(
        self,
        group: str,
        topics: Sequence[str],
        handlers: Mapping[str, Handler],
        session_factory: async_sessionmaker[AsyncSession],
        bootstrap: str,
        *,
        max_attempts: int = 5,
        backoff: Backoff = Backoff(initial=0.2, maximum=2.0),  # noqa: B008 - frozen
        dlq_producer: Producer | None = None,
        consumer_overrides: Mapping[str, Any] | None = None,
        poll_timeout: float = 1.0,
        lag_interval: float = 10.0,
    ) -> None:
        for event_type in handlers:
            schema_for(event_type)  # a handler without a schema is a wiring bug: fail at start
        self.group = group
        self.name = f"consumer:{group}"
        self._topics = list(topics)
        self._handlers = dict(handlers)
        self._session_factory = session_factory
        self._max_attempts = max(1, max_attempts)
        self._backoff = backoff
        self._config: dict[str, Any] = {
            "bootstrap.servers": bootstrap,
            "group.id": group,
            "client.id": group,
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
            "session.timeout.ms": 6000,  # tansu: the first JoinGroup takes ~timeout/2
            "heartbeat.interval.ms": 500,
            "max.poll.interval.ms": 300_000,
            "logger": log,
            **(consumer_overrides or {}),
        }
        self._check_retry_budget()
        dlq_config = producer_config(bootstrap, client_id=f"{group}.dlq")
        self._dlq_config = dlq_config
        self._dlq_producer = dlq_producer or Producer(dlq_config)
        self._dlq_timeout = dlq_config["message.timeout.ms"] / 1000 + 2
        self._poll_timeout = poll_timeout
        self._lag = LagReporter(group, lag_interval)

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until ``stop`` is set; the offset of an unfinished message stays uncommitted."""
        consumer = Consumer(self._config)
        consumer.subscribe(self._topics)
        outages = 0
        try:
            while not stop.is_set():
                message = await asyncio.to_thread(consumer.poll, self._poll_timeout)
                await self._lag.maybe_report(consumer)
                if message is None or not _usable(message):
                    continue
                outcome = await self._process(message, stop)
                if outcome is _Outcome.STOPPING:
                    break  # leave it uncommitted, for the next owner of the partition
                if outcome is _Outcome.RETRY_LATER:
                    outages += 1
                    await _rewind_to(consumer, message)
                    if not await _pause(stop, self._backoff.delay(outages)):
                        break
                    continue
                outages = 0
                await _commit_after(consumer, message)
        finally:
            await asyncio.to_thread(consumer.close)
            await asyncio.to_thread(self._dlq_producer.flush, 1)

    async def _process(self, message: Message, stop: asyncio.Event) -> _Outcome:
        """RESOLVED once handled, found duplicate, skipped or dead-lettered."""
        try:
            event = Event.from_kafka(message.key(), message.value(), message.headers())
            data = self._parse(event)
        except (InvalidEnvelope, InvalidEventData) as exc:
            return await self._dead_letter(message, exc, attempts=1, stop=stop)
        for attempt in range(1, self._max_attempts + 1):
            try:
                await self._handle_once(event, data)
                return _Outcome.RESOLVED
            except TRANSIENT_ERRORS as exc:
                # The database or a peer is down: not this message's fault, so it must not
                # use up its attempts and land in the DLQ; read it again after a pause.
                log.warning(
                    "event handling postponed: dependency unavailable",
                    extra={"group": self.group, "error_type": type(exc).__name__},
                )
                return _Outcome.RETRY_LATER
            except Exception as exc:
                metrics.CONSUMER_HANDLER_FAILURES.labels(self.group).inc()
                log.warning(
                    "event handler failed",
                    extra={
                        "group": self.group,
                        "event_type": event.type,
                        "attempt": attempt,
                        "error_type": type(exc).__name__,
                    },
                )
                if attempt == self._max_attempts:
                    return await self._dead_letter(message, exc, attempts=attempt, stop=stop)
                if not await _pause(stop, self._backoff.delay(attempt)):
                    return _Outcome.STOPPING
        return _Outcome.STOPPING  # unreachable: the last attempt returns above

    def _parse(self, event: Event) -> EventData | None:
        """The typed data, or None for a type this group has no handler for."""
        if event.type not in self._handlers:
            return None
        try:
            return schema_for(event.type).model_validate(event.data)
        except (ValidationError, UnknownEventType) as exc:
            fields = exc.errors() if isinstance(exc, ValidationError) else []
            where = sorted({".".join(map(str, e["loc"])) for e in fields})
            raise InvalidEventData(f"{event.type} data invalid at: {', '.join(where)}") from None

    async def _handle_once(self, event: Event, data: EventData | None) -> None:
        """One transaction: inbox row + the handler's effect, or neither."""
        parent = propagate.extract({TRACEPARENT_HEADER: event.traceparent or ""})
        with tracer.start_as_current_span(
            f"consume {event.type}", context=parent, kind=trace.SpanKind.CONSUMER
        ):
            async with self._session_factory() as session, session.begin():
                first_time = await self._record_in_inbox(session, event)
                if not first_time:
                    metrics.CONSUMER_DUPLICATES.labels(self.group).inc()
                    return
                # Types without a handler are recorded and skipped: a topic carries all of
                # its producer's types and a group wants a few, yet the inbox stays a full
                # account of what the group has consumed ("did G see event X?").
                if data is not None:
                    await self._handlers[event.type](session, data, event)
        metrics.CONSUMER_PROCESSED.labels(self.group).inc()

    async def _record_in_inbox(self, session: AsyncSession, event: Event) -> bool:
        # Insert-or-nothing, never check-then-insert: two deliveries racing in two
        # transactions cannot both get a row; the second waits, then sees the conflict.
        statement = (
            insert(INBOX)
            .values(consumer_group=self.group, event_id=event.id, event_type=event.type)
            .on_conflict_do_nothing()
            .returning(INBOX.c.event_id)
        )
        return (await session.execute(statement)).first() is not None

    async def _dead_letter(
        self, message: Message, error: BaseException, *, attempts: int, stop: asyncio.Event
    ) -> _Outcome:
        """Publish to ``<group>.dlq``; keeps trying (with backoff) until acked or stopping."""
        record = dead_letter(message, self.group, error, attempts)
        failures = 0
        while True:
            [outcome] = await produce_all(
                self._dlq_producer, [record], self._dlq_timeout, self._replace_dlq_producer
            )
            if outcome is None:
                metrics.CONSUMER_DEAD_LETTERED.labels(self.group).inc()
                log.warning(
                    "event dead-lettered",
                    extra={
                        "group": self.group,
                        "dlq_topic": record.topic,
                        "partition": message.partition(),
                        "offset": message.offset(),
                        "error_type": type(error).__name__,
                        "attempts": attempts,
                    },
                )
                return _Outcome.RESOLVED
            failures += 1
            log.warning("dead-letter publish failed", extra={"error": outcome})
            if not await _pause(stop, self._backoff.delay(failures)):
                return _Outcome.STOPPING

    def _replace_dlq_producer(self) -> None:
        # A fenced idempotent producer never recovers; the next attempt uses a new one.
        self._dlq_producer = Producer(self._dlq_config)

    def _check_retry_budget(self) -> None:
        retry_sleep = sum(self._backoff.delay(n) for n in range(1, self._max_attempts))
        budget = int(self._config["max.poll.interval.ms"]) / 1000 / 2
        if retry_sleep > budget:
            raise ValueError(
                f"retries sleep {retry_sleep:.0f}s, over half of max.poll.interval.ms; "
                "lower max_attempts or the backoff"
            )


def _usable(message: Message) -> bool:
    error = message.error()
    if error is None:
        return True
    if error.code() != KafkaError._PARTITION_EOF:
        if error.fatal():
            raise KafkaException(error)
        log.warning("consumer poll error", extra={"error": error.name()})
    return False


def _position(message: Message, *, after: bool = False) -> TopicPartition:
    """Where ``message`` is (or, ``after``, the offset that follows it) in its partition."""
    topic, partition, offset = message.topic(), message.partition(), message.offset()
    if topic is None or partition is None or offset is None:  # only error events lack them
        raise RuntimeError("a consumed message without a topic, partition or offset")
    return TopicPartition(topic, partition, offset + 1 if after else offset)


async def _rewind_to(consumer: Consumer, message: Message) -> None:
    """Make the next poll of this partition return ``message`` again."""
    position = _position(message)
    try:
        await asyncio.to_thread(consumer.seek, position)
    except KafkaException as exc:
        # Without the rewind the partition would move past an unhandled message: give up this
        # run instead; the supervisor restarts the consumer from the committed offset.
        raise RuntimeError("could not rewind to a postponed message") from exc


async def _commit_after(consumer: Consumer, message: Message) -> None:
    offset = _position(message, after=True)
    try:
        await asyncio.to_thread(consumer.commit, offsets=[offset], asynchronous=False)
    except KafkaException as exc:
        # Typically a rebalance took the partition: its next owner gets the message again,
        # and the inbox makes that redelivery a no-op.
        log.warning("offset commit failed", extra={"error": exc.args[0].name()})


async def _pause(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep unless stopping; False when ``stop`` was set."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
    return not stop.is_set()
