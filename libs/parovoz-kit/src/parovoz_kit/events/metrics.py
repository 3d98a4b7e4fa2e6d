"""Prometheus metrics of the event plumbing (served by the service's ``/metrics``)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

OUTBOX_BACKLOG = Gauge("outbox_backlog", "Outbox rows not yet published")
OUTBOX_PUBLISHED = Counter("outbox_published_total", "Outbox rows published to the broker")
OUTBOX_PUBLISH_FAILURES = Counter(
    "outbox_publish_failures_total", "Outbox rows the broker did not acknowledge (retried later)"
)

CONSUMER_LAG = Gauge(
    "consumer_lag",
    "Messages between a partition's high watermark and the consumer's position",
    ["group", "topic", "partition"],
)
CONSUMER_PROCESSED = Counter(
    "consumer_events_processed_total", "Events handled and committed", ["group"]
)
CONSUMER_DUPLICATES = Counter(
    "consumer_events_duplicate_total", "Redelivered events skipped by the inbox", ["group"]
)
CONSUMER_DEAD_LETTERED = Counter(
    "consumer_events_dead_lettered_total", "Events sent to the group's DLQ", ["group"]
)
CONSUMER_HANDLER_FAILURES = Counter(
    "consumer_handler_failures_total", "Failed handling attempts (each retry counts)", ["group"]
)
