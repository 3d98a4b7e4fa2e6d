"""The idempotent producer settings, and producing a batch while awaiting every ack."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from confluent_kafka import KafkaError, KafkaException, Producer

log = logging.getLogger(__name__)

DEFAULT_MESSAGE_TIMEOUT_MS = 10_000


def producer_config(
    bootstrap: str,
    *,
    client_id: str = "parovoz",
    message_timeout_ms: int = DEFAULT_MESSAGE_TIMEOUT_MS,
    linger_ms: int = 5,
    **overrides: Any,
) -> dict[str, Any]:
    """Settings for a producer that never duplicates or reorders within a partition.

    Idempotence (with ``acks=all``) lets librdkafka retry without duplicates; the bounded
    ``message.timeout.ms`` turns a dead broker into a failed delivery we can record, instead
    of a batch that hangs; a small linger still batches a relay's burst.
    """
    return {
        "bootstrap.servers": bootstrap,
        "client.id": client_id,
        "enable.idempotence": True,
        "acks": "all",
        "message.timeout.ms": message_timeout_ms,
        "linger.ms": linger_ms,
        "logger": log,  # librdkafka's own lines go through logging, not raw stderr
        **overrides,
    }


@dataclass(frozen=True)
class OutgoingMessage:
    topic: str
    key: str | bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]]


@dataclass(frozen=True)
class Backoff:
    """Exponential delays: ``initial`` after the first failure, doubling up to ``maximum``."""

    initial: float = 0.2
    maximum: float = 5.0

    def delay(self, attempt: int) -> float:
        return min(self.maximum, self.initial * 2.0 ** max(0, attempt - 1))


#: Delivery errors after which this producer's idempotence state is gone for good. librdkafka
#: does not flag them fatal() in delivery reports, e.g. PRODUCER_FENCED after an outage made
#: in-flight messages time out; only a new producer (new producer id) can publish again.
_PRODUCER_LOST = frozenset(
    {
        KafkaError.PRODUCER_FENCED,
        KafkaError._FENCED,
        KafkaError.INVALID_PRODUCER_EPOCH,
        KafkaError.OUT_OF_ORDER_SEQUENCE_NUMBER,
        KafkaError.UNKNOWN_PRODUCER_ID,
        KafkaError.INVALID_PRODUCER_ID_MAPPING,
    }
)


async def produce_all(
    producer: Producer,
    messages: Sequence[OutgoingMessage],
    flush_seconds: float,
    on_fatal: Callable[[], None] | None = None,
) -> list[str | None]:
    """Produce in order and wait for the acks; per message, None or an error name.

    Messages go to librdkafka in the given order, so (idempotence on) one partition keeps
    that order. ``flush`` blocks, so it runs in a worker thread; the delivery callbacks run
    inside ``flush`` on that thread and only fill their own slot of ``outcomes``.
    """
    pending = "NOT_ACKNOWLEDGED"
    outcomes: list[str | None] = [pending] * len(messages)
    fatal: list[KafkaError] = []

    def on_delivery_for(index: int) -> Callable[[KafkaError | None, object], None]:
        def on_delivery(error: KafkaError | None, _message: object) -> None:
            outcomes[index] = None if error is None else error.name()
            if error is not None and (error.fatal() or error.code() in _PRODUCER_LOST):
                fatal.append(error)

        return on_delivery

    for index, message in enumerate(messages):
        try:
            producer.produce(
                message.topic,
                key=message.key,
                value=message.value,
                headers=list(message.headers),
                on_delivery=on_delivery_for(index),
            )
        except BufferError:
            outcomes[index] = "LOCAL_QUEUE_FULL"
            break  # later messages must not overtake this one
        except KafkaException as exc:
            outcomes[index] = exc.args[0].name() if exc.args else type(exc).__name__
            break
    await asyncio.to_thread(producer.flush, flush_seconds)
    # An idempotent producer whose messages timed out is fenced for good (PRODUCER_FENCED on
    # every later message, and no error_cb): the caller must replace it.
    if fatal and on_fatal is not None:
        on_fatal()
    return outcomes
