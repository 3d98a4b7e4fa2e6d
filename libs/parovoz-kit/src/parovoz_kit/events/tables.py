"""The outbox and inbox tables, and the one way rows get into the outbox.

A service adds the tables to its own metadata (``define_outbox_tables(metadata)``) and
creates them in its Alembic migrations. The kit's own queries use the lightweight
``OUTBOX``/``INBOX`` clauses below, so they work with any service's metadata and schema.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    column,
    func,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_kit.events.envelope import Event

OUTBOX_CHANNEL = "parovoz_outbox"


def define_outbox_tables(metadata: MetaData) -> Table:
    """``outbox``: events written in the domain change's transaction, published by the relay."""
    return Table(
        "outbox",
        metadata,
        Column("id", UUID(as_uuid=True), primary_key=True),  # the CloudEvents id
        # Commit-independent total order: rows of one key are published in ``seq`` order.
        # (``created_at`` = now() is the transaction's start, so it can tie or invert.)
        Column("seq", BigInteger, Identity(always=True), nullable=False, unique=True),
        Column("topic", Text, nullable=False),
        Column("key", Text, nullable=False),
        Column("type", Text, nullable=False),
        Column("headers", JSONB, nullable=False),
        Column("payload", JSONB, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("published_at", DateTime(timezone=True), nullable=True),
        Column("attempts", Integer, nullable=False, server_default=text("0")),
        Column("last_error", Text, nullable=True),
        # The relay only ever scans unpublished rows; keep that scan small forever.
        Index("ix_outbox_unpublished", "seq", postgresql_where=text("published_at IS NULL")),
    )


def define_inbox_tables(metadata: MetaData) -> Table:
    """``inbox``: one row per (consumer group, event id) handled; the PK is the dedup."""
    return Table(
        "inbox",
        metadata,
        Column("consumer_group", Text, nullable=False),
        Column("event_id", UUID(as_uuid=True), nullable=False),
        Column("event_type", Text, nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        PrimaryKeyConstraint("consumer_group", "event_id", name="pk_inbox"),
    )


OUTBOX = table(
    "outbox",
    column("id", UUID(as_uuid=True)),
    column("seq", BigInteger),
    column("topic", Text),
    column("key", Text),
    column("type", Text),
    column("headers", JSONB),
    column("payload", JSONB),
    column("created_at", DateTime(timezone=True)),
    column("published_at", DateTime(timezone=True)),
    column("attempts", Integer),
    column("last_error", Text),
)

INBOX = table(
    "inbox",
    column("consumer_group", Text),
    column("event_id", UUID(as_uuid=True)),
    column("event_type", Text),
    column("processed_at", DateTime(timezone=True)),
)


async def stage_events(session: AsyncSession, events: Iterable[tuple[str, Event]]) -> int:
    """Write ``(topic, event)`` pairs as outbox rows in the session's transaction.

    Also queues a NOTIFY, which PostgreSQL delivers only if and when the transaction
    commits, so the relay wakes exactly when there is something committed to publish. Its
    payload is the schema whose outbox got the rows (a listener on a database other code
    shares can tell its own). Returns the number of rows written.
    """
    rows = []
    for topic, event in events:
        record = event.to_kafka()
        rows.append(
            {
                "id": event.id,
                "topic": topic,
                "key": record.key,
                "type": event.type,
                "headers": record.headers,
                "payload": event.data,
            }
        )
    if not rows:
        return 0
    await session.execute(OUTBOX.insert(), rows)
    await session.execute(
        text("SELECT pg_notify(:channel, current_schema())"), {"channel": OUTBOX_CHANNEL}
    )
    return len(rows)
