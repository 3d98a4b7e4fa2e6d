"""Publishing one record and waiting for the broker's acknowledgement (idempotent, acks=all)."""

from __future__ import annotations

import logging
import threading

from cloudevents.core.bindings.kafka import KafkaMessage
from confluent_kafka import KafkaError, KafkaException, Producer

log = logging.getLogger(__name__)


class PublishFailed(Exception):
    """The broker did not acknowledge the record in time (or refused it)."""


class KafkaPublisher:
    def __init__(self, bootstrap_servers: str, timeout_seconds: float) -> None:
        self._timeout_seconds = timeout_seconds
        self._config = {
            "bootstrap.servers": bootstrap_servers,
            "enable.idempotence": True,
            "acks": "all",
            # A record not acknowledged within the request's wait is failed by librdkafka itself,
            # so a 503 never turns into a late, unexpected delivery.
            "message.timeout.ms": int(timeout_seconds * 1000),
            "error_cb": self._on_client_error,
            "logger": log,  # librdkafka's own log lines go through logging, not raw stderr
        }
        self._lock = threading.Lock()
        self._fatal = False
        self._producer = Producer(self._config)

    def publish(self, topic: str, message: KafkaMessage) -> None:
        producer = self._usable_producer()
        delivered = threading.Event()
        errors: list[KafkaError] = []

        def on_delivery(error: KafkaError | None, _record: object) -> None:
            if error is not None:
                errors.append(error)
            delivered.set()

        try:
            producer.produce(
                topic,
                key=message.key,
                value=message.value,
                headers=list(message.headers.items()),
                on_delivery=on_delivery,
            )
        except (KafkaException, BufferError) as exc:
            raise PublishFailed(type(exc).__name__) from None
        # flush serves delivery callbacks; another request's flush may serve ours, hence the Event.
        producer.flush(self._timeout_seconds + 1)
        if not delivered.wait(timeout=1):
            raise PublishFailed("no acknowledgement")
        if errors:
            raise PublishFailed(errors[0].name())

    def close(self) -> None:
        self._producer.flush(self._timeout_seconds)

    def _usable_producer(self) -> Producer:
        with self._lock:
            if self._fatal:
                # A fatal error (e.g. idempotence state lost) makes a producer unusable for good.
                log.warning("replacing the Kafka producer after a fatal error")
                self._producer = Producer(self._config)
                self._fatal = False
            return self._producer

    def _on_client_error(self, error: KafkaError) -> None:
        if error.fatal():
            self._fatal = True
        log.warning("kafka client error: %s", error.name())
