"""Devices registered to users (the ``devices`` table on `parovoz_subscription.tables.metadata`)
and their queries.

A device registers on its user's first allowed check from it, within the user's device limit.
Concurrent checks of one user are serialized by a transaction-scoped advisory lock on the user
(:meth:`SqlAccess.lock_user`), so counting and inserting cannot interleave: ten new devices at
once with a limit of three register exactly three. A removed device keeps its row
(``removed_at``) and frees its slot; checking from it again registers it anew.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Column,
    DateTime,
    Index,
    PrimaryKeyConstraint,
    String,
    Table,
    and_,
    func,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import UUID, insert
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_subscription.access.domain import DEVICE_ID_LIMIT, Device, Devices
from parovoz_subscription.tables import metadata

devices = Table(
    "devices",
    metadata,
    Column("user_id", UUID(as_uuid=True), nullable=False),
    Column("device_id", String(DEVICE_ID_LIMIT), nullable=False),
    Column("first_seen_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    #: Set when the user removed it (its slot is free); null while registered.
    Column("removed_at", DateTime(timezone=True), nullable=True),
    PrimaryKeyConstraint("user_id", "device_id", name="pk_devices"),
    # A user's registered devices (the count of the limit, the list).
    Index(
        "ix_devices_user_id_registered",
        "user_id",
        postgresql_where=text("removed_at IS NULL"),
    ),
)

_D = devices.c
_REGISTERED = _D.removed_at.is_(None)
#: The advisory lock's namespace: one 64-bit key per user, away from other locks' keys.
_LOCK_NAMESPACE = "parovoz-subscription-devices:"


class SqlAccess:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def lock_user(self, user_id: uuid.UUID) -> None:
        """Hold the user's device lock until the transaction ends (pg_advisory_xact_lock)."""
        await self._session.execute(
            select(
                func.pg_advisory_xact_lock(func.hashtextextended(f"{_LOCK_NAMESPACE}{user_id}", 0))
            )
        )

    async def device_state(self, user_id: uuid.UUID, device_id: str) -> Devices:
        """How many devices the user has registered, and whether ``device_id`` is one."""
        row = (
            await self._session.execute(
                select(
                    func.count(),
                    func.coalesce(func.bool_or(_D.device_id == device_id), False),
                ).where(_D.user_id == user_id, _REGISTERED)
            )
        ).one()
        return Devices(known=bool(row[1]), used=int(row[0]))

    async def registered_ids(self, user_id: uuid.UUID) -> list[str]:
        rows = await self._session.execute(
            select(_D.device_id).where(_D.user_id == user_id, _REGISTERED)
        )
        return [row[0] for row in rows]

    async def devices_of(self, user_id: uuid.UUID) -> list[Device]:
        """The user's registered devices, first seen first."""
        rows = await self._session.execute(
            select(_D.device_id, _D.first_seen_at, _D.last_seen_at)
            .where(_D.user_id == user_id, _REGISTERED)
            .order_by(_D.first_seen_at, _D.device_id)
        )
        return [Device(row.device_id, row.first_seen_at, row.last_seen_at) for row in rows]

    async def register(self, user_id: uuid.UUID, device_id: str, now: datetime) -> None:
        """Register the device (again, if it was removed). Call under :meth:`lock_user`."""
        statement = insert(devices).values(
            user_id=user_id,
            device_id=device_id,
            first_seen_at=now,
            last_seen_at=now,
            removed_at=None,
        )
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[_D.user_id, _D.device_id],
                set_={
                    "first_seen_at": statement.excluded.first_seen_at,
                    "last_seen_at": statement.excluded.last_seen_at,
                    "removed_at": None,
                },
            )
        )

    async def seen(self, user_id: uuid.UUID, device_id: str, now: datetime) -> None:
        """A registered device was checked at ``now`` (through PostgreSQL: a repeated check
        answered from the cache does not write; so ``last_seen_at`` is as fine as the cache's
        lifetime)."""
        await self._session.execute(
            update(devices)
            .where(
                _D.user_id == user_id,
                _D.device_id == device_id,
                _REGISTERED,
                _D.last_seen_at < now,
            )
            .values(last_seen_at=now)
        )

    async def remove(self, user_id: uuid.UUID, device_id: str, now: datetime) -> bool:
        """Free the device's slot; False when the user has no such registered device."""
        result = await self._session.execute(
            update(devices)
            .where(and_(_D.user_id == user_id, _D.device_id == device_id, _REGISTERED))
            .values(removed_at=now)
            .returning(_D.device_id)
        )
        return result.first() is not None
