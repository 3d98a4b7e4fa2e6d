"""notifications' tables and queries.

``developer_notifications`` is each account's inbox; ``notification_sequences`` holds
each account's last sequence number. A notification takes its number by bumping its account's
row, which stays locked until the transaction ends: the notifications of one account commit in
the order of their numbers, so a stream that saw number n never misses a smaller one committed
later. The same transaction ``NOTIFY``s :data:`CHANNEL` with the account's id (PostgreSQL sends
it at commit, to every replica listening); the rows stay the truth, a missed push is made up by
the next read.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    literal_column,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import UUID, insert
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_developer_portal.notifications.domain import (
    BODY_MAX,
    TITLE_MAX,
    Link,
    Notification,
    NotificationDraft,
    NotificationKind,
    place,
)
from parovoz_developer_portal.tables import metadata

#: The channel each new notification is announced on (payload: the account's id).
CHANNEL = "developer_portal_notifications"

developer_notifications = Table(
    "developer_notifications",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("developer_id", ForeignKey("developer_accounts.id"), nullable=False),
    Column("sequence", BigInteger, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("title", String(TITLE_MAX), nullable=False),
    Column("body", String(BODY_MAX), nullable=False),
    Column("resource_type", String(40), nullable=False),
    Column("resource_id", UUID(as_uuid=True), nullable=False),
    Column("link_path", Text, nullable=False),
    Column("source_event_id", UUID(as_uuid=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("read_at", DateTime(timezone=True), nullable=True),
    # One event makes one notification in an account, however often it is delivered.
    UniqueConstraint(
        "developer_id", "source_event_id", name="uq_developer_notifications_source_event"
    ),
    # The inbox newest first, pages and the stream's replay: (account, sequence).
    UniqueConstraint("developer_id", "sequence", name="uq_developer_notifications_sequence"),
    Index(
        "ix_developer_notifications_unread",
        "developer_id",
        "sequence",
        postgresql_where=text("read_at IS NULL"),
    ),
)

notification_sequences = Table(
    "notification_sequences",
    metadata,
    Column("developer_id", ForeignKey("developer_accounts.id"), primary_key=True),
    Column("last_sequence", BigInteger, nullable=False),
)

_N = developer_notifications


def _notification(row: Any) -> Notification:
    return Notification(
        id=row.id,
        developer_id=row.developer_id,
        sequence=row.sequence,
        kind=NotificationKind(row.kind),
        title=row.title,
        body=row.body,
        link=Link(row.resource_type, row.resource_id, row.link_path),
        source_event_id=row.source_event_id,
        created_at=row.created_at,
        read_at=row.read_at,
    )


class SqlNotifications:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, draft: NotificationDraft, now: datetime) -> Notification | None:
        """The notification in its account's inbox (numbered, announced at commit); None when
        its event already made one there."""
        sequences = notification_sequences
        bump = (
            insert(sequences)
            .values(developer_id=draft.developer_id, last_sequence=1)
            .on_conflict_do_update(
                index_elements=[sequences.c.developer_id],
                set_={"last_sequence": sequences.c.last_sequence + 1},
            )
            .returning(sequences.c.last_sequence)
        )
        sequence = (await self._session.execute(bump)).scalar_one()
        notification = place(draft, uuid.uuid4(), sequence, now)
        added = (
            await self._session.execute(
                insert(_N)
                .values(
                    id=notification.id,
                    developer_id=notification.developer_id,
                    sequence=notification.sequence,
                    kind=notification.kind.value,
                    title=notification.title,
                    body=notification.body,
                    resource_type=notification.link.resource_type,
                    resource_id=notification.link.resource_id,
                    link_path=notification.link.path,
                    source_event_id=notification.source_event_id,
                    created_at=notification.created_at,
                )
                .on_conflict_do_nothing(constraint="uq_developer_notifications_source_event")
                .returning(_N.c.id)
            )
        ).first()
        if added is None:
            return None
        await self._session.execute(select(func.pg_notify(CHANNEL, str(notification.developer_id))))
        return notification

    async def get(
        self, developer_id: uuid.UUID, notification_id: uuid.UUID, kinds: frozenset[str]
    ) -> Notification | None:
        row = (
            await self._session.execute(
                select(_N).where(
                    _N.c.id == notification_id,
                    _N.c.developer_id == developer_id,
                    _N.c.kind.in_(sorted(kinds)),
                )
            )
        ).first()
        return None if row is None else _notification(row)

    async def page(
        self,
        developer_id: uuid.UUID,
        kinds: frozenset[str],
        *,
        read: bool | None,
        before_sequence: int | None,
        limit: int,
    ) -> list[Notification]:
        """Newest first, below ``before_sequence`` when given."""
        query = select(_N).where(_N.c.developer_id == developer_id, _N.c.kind.in_(sorted(kinds)))
        if read is True:
            query = query.where(_N.c.read_at.is_not(None))
        elif read is False:
            query = query.where(_N.c.read_at.is_(None))
        if before_sequence is not None:
            query = query.where(_N.c.sequence < before_sequence)
        rows = await self._session.execute(query.order_by(_N.c.sequence.desc()).limit(limit))
        return [_notification(row) for row in rows]

    async def after(
        self, developer_id: uuid.UUID, kinds: frozenset[str], after_sequence: int, limit: int
    ) -> list[Notification]:
        """Oldest first, above ``after_sequence`` (the stream's replay and live reads)."""
        rows = await self._session.execute(
            select(_N)
            .where(
                _N.c.developer_id == developer_id,
                _N.c.sequence > after_sequence,
                _N.c.kind.in_(sorted(kinds)),
            )
            .order_by(_N.c.sequence)
            .limit(limit)
        )
        return [_notification(row) for row in rows]

    async def last_sequence(self, developer_id: uuid.UUID) -> int:
        found = await self._session.execute(
            select(notification_sequences.c.last_sequence).where(
                notification_sequences.c.developer_id == developer_id
            )
        )
        return found.scalar_one_or_none() or 0

    async def unread_count(self, developer_id: uuid.UUID, kinds: frozenset[str]) -> int:
        found = await self._session.execute(
            select(func.count())
            .select_from(_N)
            .where(
                _N.c.developer_id == developer_id,
                _N.c.read_at.is_(None),
                _N.c.kind.in_(sorted(kinds)),
            )
        )
        return int(found.scalar_one())

    async def save_read(self, notification: Notification) -> None:
        await self._session.execute(
            update(_N)
            .where(_N.c.id == notification.id, _N.c.read_at.is_(None))
            .values(read_at=notification.read_at)
        )

    async def mark_all_read(
        self, developer_id: uuid.UUID, kinds: frozenset[str], up_to_sequence: int, now: datetime
    ) -> int:
        """Every unread notification of the account up to ``up_to_sequence``: how many."""
        done = await self._session.execute(
            update(_N)
            .where(
                _N.c.developer_id == developer_id,
                _N.c.read_at.is_(None),
                _N.c.sequence <= up_to_sequence,
                _N.c.kind.in_(sorted(kinds)),
            )
            .values(read_at=now)
            .returning(literal_column("1"))
        )
        return len(done.all())
