"""api_keys: the ``developer_api_keys`` table (seed 001's DEVELOPER_API_KEYS) and its queries,
and the Redis counter of the per-key rate limit."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from parovoz_kit.errors import Unavailable
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Index,
    String,
    Table,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_developer_portal.api_keys.domain import DISPLAY_PREFIX_LENGTH, ApiKey
from parovoz_developer_portal.tables import metadata

#: Column size of a key's name (= the request schema's bound).
NAME_COLUMN = 255

developer_api_keys = Table(
    "developer_api_keys",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("developer_id", ForeignKey("developer_accounts.id"), nullable=False, index=True),
    Column("name", String(NAME_COLUMN), nullable=False),
    Column("prefix", String(DISPLAY_PREFIX_LENGTH), nullable=False, unique=True),
    #: SHA-256 of the whole key, hex.
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("expires_at", DateTime(timezone=True), nullable=True),
    Column("last_used_at", DateTime(timezone=True), nullable=True),
    Column("created_by_user_id", UUID(as_uuid=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    Index(
        "ix_developer_api_keys_active",
        "developer_id",
        postgresql_where=text("revoked_at IS NULL"),
    ),
)

_COLUMNS = tuple(column.name for column in developer_api_keys.columns)


def _key(row: Any) -> ApiKey:
    return ApiKey(**{name: getattr(row, name) for name in _COLUMNS})


class SqlApiKeys:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, key: ApiKey) -> None:
        await self._session.execute(
            insert(developer_api_keys).values({name: getattr(key, name) for name in _COLUMNS})
        )

    async def get(self, key_id: uuid.UUID) -> ApiKey | None:
        row = (
            await self._session.execute(
                select(developer_api_keys).where(developer_api_keys.c.id == key_id)
            )
        ).first()
        return _key(row) if row else None

    async def by_prefix(self, prefix: str) -> ApiKey | None:
        row = (
            await self._session.execute(
                select(developer_api_keys).where(developer_api_keys.c.prefix == prefix)
            )
        ).first()
        return _key(row) if row else None

    async def of_account(self, developer_id: uuid.UUID) -> list[ApiKey]:
        rows = await self._session.execute(
            select(developer_api_keys)
            .where(developer_api_keys.c.developer_id == developer_id)
            .order_by(developer_api_keys.c.created_at.desc(), developer_api_keys.c.id)
        )
        return [_key(row) for row in rows]

    async def count_active_locked(self, developer_id: uuid.UUID, now: datetime) -> int:
        """Active keys of the account, holding a per-account lock until commit (two creations
        at once cannot both take the last place)."""
        await self._session.execute(
            select(func.pg_advisory_xact_lock(func.hashtextextended(f"api_keys:{developer_id}", 0)))
        )
        keys = developer_api_keys.c
        return int(
            (
                await self._session.execute(
                    select(func.count())
                    .select_from(developer_api_keys)
                    .where(
                        keys.developer_id == developer_id,
                        keys.revoked_at.is_(None),
                        or_(keys.expires_at.is_(None), keys.expires_at > now),
                    )
                )
            ).scalar_one()
        )

    async def save_revoked(self, key: ApiKey) -> None:
        await self._session.execute(
            update(developer_api_keys)
            .where(developer_api_keys.c.id == key.id)
            .values(revoked_at=key.revoked_at)
        )

    async def save_last_used(self, key: ApiKey) -> None:
        await self._session.execute(
            update(developer_api_keys)
            .where(developer_api_keys.c.id == key.id)
            .values(last_used_at=key.last_used_at)
        )


class RedisRequestCounter:
    """Counts requests per key and window in Redis (INCR; the counter expires with its
    window, plus a margin)."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def count(self, key_id: uuid.UUID, window: int, ttl_seconds: int) -> int:
        bucket = f"developer-portal:api-key-rate:{key_id}:{window}"
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(bucket)
                pipe.expire(bucket, ttl_seconds)
                counted, _ = await pipe.execute()
        except RedisError:
            # No count, no request: a key is never let through unlimited (503, retry later).
            raise Unavailable(
                "API keys cannot be checked right now; retry later.",
                detail_ru="Проверка API-ключей сейчас недоступна; повторите позже.",
            ) from None
        return int(counted)
