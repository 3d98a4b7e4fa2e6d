"""The ``consumer_lag`` gauge: how far a group's consumer trails each partition it owns."""

from __future__ import annotations

import asyncio
import contextlib
import time

from confluent_kafka import Consumer, KafkaException

from parovoz_kit.events.metrics import CONSUMER_LAG


class LagReporter:
    """Refreshes the gauge at most every ``interval`` seconds, from cached client state.

    Cheap by design: the high watermark comes from the last fetch response (no broker round
    trip) and the position from the consumer itself.
    """

    def __init__(self, group: str, interval: float) -> None:
        self._group = group
        self._interval = interval
        self._due = 0.0
        self._labels: set[tuple[str, str, str]] = set()

    async def maybe_report(self, consumer: Consumer) -> None:
        now = time.monotonic()
        if now < self._due:
            return
        self._due = now + self._interval
        current = set()
        for topic, partition, lag in await asyncio.to_thread(_lag_samples, consumer):
            labels = (self._group, topic, str(partition))
            CONSUMER_LAG.labels(*labels).set(lag)
            current.add(labels)
        for stale in self._labels - current:  # partitions revoked since the last report
            with contextlib.suppress(KeyError):
                CONSUMER_LAG.remove(*stale)
        self._labels = current


def _lag_samples(consumer: Consumer) -> list[tuple[str, int, int]]:
    """High watermark minus position per assigned partition."""
    samples = []
    try:
        for tp in consumer.position(consumer.assignment()):
            if tp.offset < 0:
                continue  # nothing consumed on it yet
            _low, high = consumer.get_watermark_offsets(tp, cached=True)
            if high >= 0:
                samples.append((tp.topic, tp.partition, max(0, high - tp.offset)))
    except KafkaException:
        return []
    return samples
