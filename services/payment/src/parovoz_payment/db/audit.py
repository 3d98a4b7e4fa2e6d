"""The audit log table and its writer/reader.

``record`` writes in the caller's session, so an operation and its audit row commit (or roll
back) together. Migration 0006 makes the table append-only in the database itself: UPDATE,
DELETE and TRUNCATE are refused by a trigger.
"""

from __future__ import annotations

from typing import Any

from opentelemetry import trace
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Identity,
    Index,
    String,
    Table,
    func,
    insert,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db.metadata import metadata
from parovoz_payment.domain.audit import AuditEntry, AuditQuery, AuditRecord

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("occurred_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    #: A user uuid or ``service:<name>``.
    Column("actor", String(200), nullable=False),
    Column("action", String(64), nullable=False),
    Column("subject_type", String(48), nullable=False),
    Column("subject_id", String(64), nullable=False),
    Column("before", JSONB, nullable=True),
    Column("after", JSONB, nullable=True),
    Column("trace_id", String(32), nullable=True),
    Column("request_id", String(64), nullable=True),
    CheckConstraint(r"action ~ '^[a-z][a-z_]*(\.[a-z][a-z_]*)+$'", name="action_format"),
    Index("ix_audit_log_subject", "subject_type", "subject_id", "id"),
    Index("ix_audit_log_actor", "actor", "id"),
)


def current_trace_id() -> str | None:
    """The current OpenTelemetry trace id (32 hex digits), or None outside a trace."""
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None


async def record(session: AsyncSession, entry: AuditRecord) -> int:
    """Append ``entry`` in the caller's transaction; returns its id."""
    return (
        await session.execute(
            insert(audit_log)
            .values(
                actor=entry.actor,
                action=entry.action,
                subject_type=entry.subject_type,
                subject_id=entry.subject_id,
                before=None if entry.before is None else dict(entry.before),
                after=None if entry.after is None else dict(entry.after),
                trace_id=entry.trace_id or current_trace_id(),
                request_id=entry.request_id,
            )
            .returning(audit_log.c.id)
        )
    ).scalar_one()


async def audit_entries(session: AsyncSession, query: AuditQuery) -> list[AuditEntry]:
    """Entries matching the filters, newest first, at most ``query.size``, older than
    ``query.after_id`` when given (the cursor is the last id of the previous page)."""
    statement = select(audit_log).order_by(audit_log.c.id.desc()).limit(query.size)
    if query.subject_type is not None:
        statement = statement.where(audit_log.c.subject_type == query.subject_type)
    if query.subject_id is not None:
        statement = statement.where(audit_log.c.subject_id == query.subject_id)
    if query.actor is not None:
        statement = statement.where(audit_log.c.actor == query.actor)
    if query.after_id is not None:
        statement = statement.where(audit_log.c.id < query.after_id)
    return [_entry(row) for row in await session.execute(statement)]


def _entry(row: Row[Any]) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        occurred_at=row.occurred_at,
        record=AuditRecord(
            actor=row.actor,
            action=row.action,
            subject_type=row.subject_type,
            subject_id=row.subject_id,
            before=row.before,
            after=row.after,
            trace_id=row.trace_id,
            request_id=row.request_id,
        ),
    )
