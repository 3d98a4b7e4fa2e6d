"""Saved payment methods: table and repository (the caller's session, the caller commits)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Column, DateTime, Index, String, Table, insert, select, update
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db.metadata import metadata
from parovoz_payment.domain.methods import Provider
from parovoz_payment.domain.saved_methods import SavedMethod, saved_method_not_found

saved_methods = Table(
    "saved_methods",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("user_id", UUID(as_uuid=True), nullable=False),
    #: The provider holding the token: a saved method is only charged there.
    Column("provider", String(16), nullable=False),
    #: The provider's opaque token only -- no card number, expiry or CVC is ever stored.
    Column("provider_token", String(255), nullable=False),
    #: What the owner sees: "MIR •••• 4444".
    Column("title", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("removed_at", DateTime(timezone=True), nullable=True),
    Index("ix_saved_methods_user_id", "user_id", "created_at"),
)


class SqlSavedMethods:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        user_id: uuid.UUID,
        provider: Provider | str,
        provider_token: str,
        title: str,
        now: datetime,
        method_id: uuid.UUID | None = None,
    ) -> SavedMethod:
        method = SavedMethod(
            id=method_id or uuid.uuid4(),
            user_id=user_id,
            provider=Provider(provider),
            provider_token=provider_token,
            title=title,
            created_at=now,
        )
        await self._session.execute(
            insert(saved_methods).values(
                id=method.id,
                user_id=method.user_id,
                provider=method.provider.value,
                provider_token=method.provider_token,
                title=method.title,
                created_at=method.created_at,
            )
        )
        return method

    async def active_of(self, user_id: uuid.UUID) -> list[SavedMethod]:
        """The owner's methods that are not removed, newest first."""
        rows = await self._session.execute(
            select(saved_methods)
            .where(saved_methods.c.user_id == user_id, saved_methods.c.removed_at.is_(None))
            .order_by(saved_methods.c.created_at.desc(), saved_methods.c.id.desc())
        )
        return [_method(row) for row in rows]

    async def active_for_owner(self, user_id: uuid.UUID, method_id: uuid.UUID) -> SavedMethod:
        """The owner's active method (e.g. to charge it); NotFound for anything else."""
        row = (
            await self._session.execute(
                select(saved_methods).where(
                    saved_methods.c.id == method_id,
                    saved_methods.c.user_id == user_id,
                    saved_methods.c.removed_at.is_(None),
                )
            )
        ).first()
        if row is None:
            raise saved_method_not_found(method_id)
        return _method(row)

    async def remove(
        self, user_id: uuid.UUID, method_id: uuid.UUID, now: datetime
    ) -> tuple[SavedMethod, SavedMethod]:
        """Soft-delete the owner's active method; returns (before, after).

        One conditional UPDATE, so two concurrent removals remove once and the other gets
        NotFound, like an unknown or someone else's method.
        """
        row = (
            await self._session.execute(
                update(saved_methods)
                .where(
                    saved_methods.c.id == method_id,
                    saved_methods.c.user_id == user_id,
                    saved_methods.c.removed_at.is_(None),
                )
                .values(removed_at=now)
                .returning(*saved_methods.c)
            )
        ).first()
        if row is None:
            raise saved_method_not_found(method_id)
        after = _method(row)
        return replace(after, removed_at=None), after


def _method(row: Row[Any]) -> SavedMethod:
    return SavedMethod(
        id=row.id,
        user_id=row.user_id,
        provider=Provider(row.provider),
        provider_token=row.provider_token,
        title=row.title,
        created_at=row.created_at,
        removed_at=row.removed_at,
    )
