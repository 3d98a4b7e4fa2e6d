"""The idempotency-key table a service adds to its own metadata (and its migrations)."""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB

IDEMPOTENCY_TABLE = "idempotency_keys"
IN_FLIGHT = "in_flight"
COMPLETED = "completed"


def define_idempotency_tables(metadata: MetaData) -> Table:
    """Add ``idempotency_keys`` to ``metadata``; one row per (scope, key).

    ``scope`` separates callers (a user id, ``service:<name>``), so two clients that
    happen to pick the same key never see each other's responses.
    """
    return Table(
        IDEMPOTENCY_TABLE,
        metadata,
        Column("scope", String(255), primary_key=True),
        Column("key", String(255), primary_key=True),
        # SHA-256 hex of what the request asked for; the same key with another
        # fingerprint is a client bug, refused with IDEMPOTENCY_KEY_REUSED.
        Column("fingerprint", String(64), nullable=False),
        Column("state", String(16), nullable=False),
        # Which attempt holds the key; only that attempt may complete or release it.
        Column("attempt_id", Uuid, nullable=False),
        Column("response_status", Integer, nullable=True),
        Column("response_body", LargeBinary, nullable=True),
        Column("response_headers", JSONB, nullable=True),
        Column("created_at", DateTime(timezone=True), nullable=False),
        # An in-flight attempt whose process died is given up after this moment.
        Column("locked_until", DateTime(timezone=True), nullable=False),
        Column("expires_at", DateTime(timezone=True), nullable=False),
        CheckConstraint(f"state IN ('{IN_FLIGHT}', '{COMPLETED}')", name="state"),
        Index(f"ix_{IDEMPOTENCY_TABLE}_expires_at", "expires_at"),
    )
