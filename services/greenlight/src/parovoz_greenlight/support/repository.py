"""Support tickets and their messages (tables on `parovoz_greenlight.tables.metadata`, and their
queries). Messages are append-only: inserted, never updated."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKeyConstraint,
    Identity,
    Index,
    PrimaryKeyConstraint,
    String,
    Table,
    and_,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_greenlight.support.domain import (
    BODY_LIMIT,
    DESCRIPTION_LIMIT,
    SUBJECT_LIMIT,
    AuthorKind,
    Message,
    Priority,
    SupportType,
    Ticket,
    TicketFilter,
    TicketPosition,
    TicketStatus,
)
from parovoz_greenlight.tables import metadata

support_tickets = Table(
    "support_tickets",
    metadata,
    Column("id", UUID(as_uuid=True), nullable=False),
    Column("developer_id", UUID(as_uuid=True), nullable=False),
    Column("opened_by", UUID(as_uuid=True), nullable=False),
    Column("submission_id", UUID(as_uuid=True), nullable=True),
    Column("type", String(16), nullable=False),
    Column("priority", String(8), nullable=False),
    Column("subject", String(SUBJECT_LIMIT), nullable=False),
    Column("description", String(DESCRIPTION_LIMIT), nullable=False),
    #: ["https://...", ...] (at most 10)
    Column("attachments", JSONB, nullable=False),
    Column("status", String(24), nullable=False),
    Column("assignee_id", UUID(as_uuid=True), nullable=True),
    Column("first_response_due_at", DateTime(timezone=True), nullable=False),
    Column("first_responded_at", DateTime(timezone=True), nullable=True),
    Column("resolved_at", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("id"),
    CheckConstraint(
        "type IN ('technical', 'business', 'marketing', 'legal', 'mentorship')",
        name="type_known",
    ),
    CheckConstraint("priority IN ('low', 'normal', 'high', 'urgent')", name="priority_known"),
    CheckConstraint(
        "status IN ('open', 'in_progress', 'waiting_for_developer', 'resolved', 'closed')",
        name="status_known",
    ),
    Index("ix_support_tickets_developer_created", "developer_id", "created_at", "id"),
    Index("ix_support_tickets_created", "created_at", "id"),
    Index("ix_support_tickets_due", "first_response_due_at", "id"),
)

support_messages = Table(
    "support_messages",
    metadata,
    Column("id", UUID(as_uuid=True), nullable=False),
    #: The order messages were written in (several may share an instant).
    Column("seq", BigInteger, Identity(always=True), nullable=False),
    Column("ticket_id", UUID(as_uuid=True), nullable=False),
    Column("author_id", UUID(as_uuid=True), nullable=False),
    Column("author_kind", String(16), nullable=False),
    Column("body", String(BODY_LIMIT), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("id"),
    ForeignKeyConstraint(["ticket_id"], ["support_tickets.id"]),
    CheckConstraint("author_kind IN ('developer', 'support')", name="author_kind_known"),
    Index("ix_support_messages_ticket_seq", "ticket_id", "seq"),
)

_FIXED = ("id", "developer_id", "opened_by", "submission_id", "created_at")


def _values(ticket: Ticket) -> dict[str, Any]:
    return {
        "id": ticket.id,
        "developer_id": ticket.developer_id,
        "opened_by": ticket.opened_by,
        "submission_id": ticket.submission_id,
        "type": ticket.type.value,
        "priority": ticket.priority.value,
        "subject": ticket.subject,
        "description": ticket.description,
        "attachments": list(ticket.attachments),
        "status": ticket.status.value,
        "assignee_id": ticket.assignee_id,
        "first_response_due_at": ticket.first_response_due_at,
        "first_responded_at": ticket.first_responded_at,
        "resolved_at": ticket.resolved_at,
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
    }


def _ticket(row: Any) -> Ticket:
    return Ticket(
        id=row.id,
        developer_id=row.developer_id,
        opened_by=row.opened_by,
        submission_id=row.submission_id,
        type=SupportType(row.type),
        priority=Priority(row.priority),
        subject=row.subject,
        description=row.description,
        attachments=tuple(row.attachments),
        status=TicketStatus(row.status),
        assignee_id=row.assignee_id,
        first_response_due_at=row.first_response_due_at,
        first_responded_at=row.first_responded_at,
        resolved_at=row.resolved_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _message(row: Any) -> Message:
    return Message(
        id=row.id,
        ticket_id=row.ticket_id,
        author_id=row.author_id,
        author_kind=AuthorKind(row.author_kind),
        body=row.body,
        created_at=row.created_at,
    )


class SqlSupport:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, ticket: Ticket) -> None:
        await self._session.execute(insert(support_tickets).values(**_values(ticket)))
        await self._append_messages(ticket)

    async def get(self, ticket_id: uuid.UUID, *, for_update: bool = False) -> Ticket | None:
        statement = select(support_tickets).where(support_tickets.c.id == ticket_id)
        if for_update:
            statement = statement.with_for_update()
        row = (await self._session.execute(statement)).first()
        return None if row is None else _ticket(row)

    async def save(self, ticket: Ticket) -> None:
        values = _values(ticket)
        for fixed in _FIXED:
            del values[fixed]
        await self._session.execute(
            update(support_tickets).where(support_tickets.c.id == ticket.id).values(**values)
        )
        await self._append_messages(ticket)

    async def _append_messages(self, ticket: Ticket) -> None:
        if not ticket.new_messages:
            return
        await self._session.execute(
            insert(support_messages),
            [
                {
                    "id": message.id,
                    "ticket_id": message.ticket_id,
                    "author_id": message.author_id,
                    "author_kind": message.author_kind.value,
                    "body": message.body,
                    "created_at": message.created_at,
                }
                for message in ticket.new_messages
            ],
        )
        ticket.new_messages.clear()

    async def messages(self, ticket_id: uuid.UUID) -> list[Message]:
        statement = (
            select(support_messages)
            .where(support_messages.c.ticket_id == ticket_id)
            .order_by(support_messages.c.seq)
        )
        return [_message(row) for row in await self._session.execute(statement)]

    async def page(
        self,
        where: TicketFilter,
        *,
        sort: str,
        after: TicketPosition | None,
        limit: int,
    ) -> list[Ticket]:
        t = support_tickets.c
        statement = select(support_tickets)
        if where.developer_id is not None:
            statement = statement.where(t.developer_id == where.developer_id)
        if where.statuses:
            statement = statement.where(t.status.in_([s.value for s in where.statuses]))
        if where.types:
            statement = statement.where(t.type.in_([s.value for s in where.types]))
        if where.priorities:
            statement = statement.where(t.priority.in_([s.value for s in where.priorities]))
        if where.assignee_id is not None:
            statement = statement.where(t.assignee_id == where.assignee_id)
        if where.unassigned:
            statement = statement.where(t.assignee_id.is_(None))
        if sort == "due":
            if after is not None:
                statement = statement.where(
                    or_(
                        t.first_response_due_at > after.moment,
                        and_(t.first_response_due_at == after.moment, t.id > after.ticket_id),
                    )
                )
            statement = statement.order_by(t.first_response_due_at, t.id)
        else:
            if after is not None:
                statement = statement.where(
                    or_(
                        t.created_at < after.moment,
                        and_(t.created_at == after.moment, t.id < after.ticket_id),
                    )
                )
            statement = statement.order_by(t.created_at.desc(), t.id.desc())
        rows = await self._session.execute(statement.limit(limit))
        return [_ticket(row) for row in rows]
