"""Event plumbing: CloudEvents codec, transactional outbox + relay, idempotent consumer + DLQ.

The unit of work that writes outbox rows lives in :mod:`parovoz_kit.uow`.
"""

from parovoz_kit.events.consumer import Handler, IdempotentConsumer, InvalidEventData
from parovoz_kit.events.dlq import dlq_topic
from parovoz_kit.events.envelope import Event, InvalidEnvelope, KafkaRecord, current_traceparent
from parovoz_kit.events.handlers import merge_handlers
from parovoz_kit.events.producer import Backoff, producer_config
from parovoz_kit.events.relay import BatchOutcome, OutboxRelay
from parovoz_kit.events.tables import (
    OUTBOX_CHANNEL,
    define_inbox_tables,
    define_outbox_tables,
    stage_events,
)
from parovoz_kit.events.worker import BackgroundWorker, running_workers, supervise

__all__ = [
    "OUTBOX_CHANNEL",
    "BackgroundWorker",
    "Backoff",
    "BatchOutcome",
    "Event",
    "Handler",
    "IdempotentConsumer",
    "InvalidEnvelope",
    "InvalidEventData",
    "KafkaRecord",
    "OutboxRelay",
    "current_traceparent",
    "define_inbox_tables",
    "define_outbox_tables",
    "dlq_topic",
    "merge_handlers",
    "producer_config",
    "running_workers",
    "stage_events",
    "supervise",
]
