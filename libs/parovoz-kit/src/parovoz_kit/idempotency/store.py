"""Claiming, completing and replaying idempotency keys in PostgreSQL.

``begin`` never checks and then inserts: it inserts with ``ON CONFLICT DO NOTHING``, so
of two concurrent first requests exactly one wins the row and the other sees it. What
the loser sees decides its answer: another fingerprint → 422 ``IDEMPOTENCY_KEY_REUSED``,
still in flight → 409 ``IDEMPOTENCY_KEY_IN_USE``, completed → the stored response.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, cast

from pydantic import BaseModel, Field
from sqlalchemy import MetaData, Table, and_, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from parovoz_kit.clock import Clock
from parovoz_kit.errors import Conflict, ValidationFailed
from parovoz_kit.idempotency.keys import HEADER_POINTER
from parovoz_kit.idempotency.tables import COMPLETED, IN_FLIGHT, define_idempotency_tables


class IdempotencySettings(BaseModel):
    """How long keys are kept, and how long an in-flight claim may go silent."""

    #: A completed key replays its response for this long (PRODUCT.md: 24 hours).
    retention: timedelta = Field(default=timedelta(hours=24), gt=timedelta(0))
    #: An in-flight claim older than this belongs to a process that died; a retry
    #: with the same request may take it over.
    lock_timeout: timedelta = Field(default=timedelta(seconds=60), gt=timedelta(0))

    @classmethod
    def from_settings(cls, settings: Any) -> IdempotencySettings:
        return cls(
            retention=timedelta(hours=getattr(settings, "idempotency_retention_hours", 24)),
            lock_timeout=timedelta(
                seconds=getattr(settings, "idempotency_lock_timeout_seconds", 60)
            ),
        )


@dataclass(frozen=True)
class StoredResponse:
    """What is replayed: a status, the body bytes and the headers worth repeating.

    For REST the status is the HTTP status; for gRPC it is 200 for a response message
    and the error's HTTP status for a stored client error (with its gRPC code in headers).
    """

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Proceed:
    """This attempt holds the key: run the operation, then complete or release."""

    scope: str
    key: str
    fingerprint: str
    attempt_id: uuid.UUID


@dataclass(frozen=True)
class Replay:
    """The operation already ran with this key and request: answer what it answered."""

    response: StoredResponse


Executor = AsyncConnection | AsyncSession


class IdempotencyStore:
    """The idempotency table of one service, read through one clock."""

    def __init__(
        self,
        engine: AsyncEngine,
        clock: Clock,
        *,
        settings: IdempotencySettings | None = None,
        table: Table | None = None,
    ) -> None:
        self._engine = engine
        # The table lives in the service's metadata; an equal stand-in is enough to query it.
        self._table = table if table is not None else define_idempotency_tables(MetaData())
        self._clock = clock
        self._settings = settings or IdempotencySettings()

    async def begin(
        self, scope: str, key: str, fingerprint: str, *, key_pointer: str = HEADER_POINTER
    ) -> Proceed | Replay:
        """Claim ``key`` for this request, or say why not (raises 409/422)."""
        attempt = Proceed(scope, key, fingerprint, uuid.uuid4())
        # A purge may delete the row between our statements; then simply try again.
        for _ in range(3):
            async with self._engine.begin() as connection:
                if await self._insert_claim(connection, attempt):
                    return attempt
                if await self._take_over(connection, attempt):
                    return attempt
                row = await self._current(connection, scope, key)
            if row is not None:
                return _answer_for(row, fingerprint, key_pointer)
        raise Conflict(  # pragma: no cover - needs three purges racing one request
            "The idempotency key is being recycled; retry.", code="IDEMPOTENCY_KEY_IN_USE"
        )

    async def complete(self, attempt: Proceed, response: StoredResponse) -> bool:
        """Store the response in its own short transaction (after the handler committed)."""
        async with self._engine.begin() as connection:
            return await self.complete_in(connection, attempt, response)

    async def complete_in(
        self, executor: Executor, attempt: Proceed, response: StoredResponse
    ) -> bool:
        """Store the response in the caller's transaction, so it commits with the effect.

        Returns False when this attempt no longer holds the key (its claim timed out and
        a retry took it over); the caller's effect then raced a retry and should roll back.
        """
        now = self._clock.now()
        result = await executor.execute(
            update(self._table)
            .where(*self._held_by(attempt))
            .values(
                state=COMPLETED,
                response_status=response.status,
                response_body=response.body,
                response_headers=response.headers,
                expires_at=now + self._settings.retention,
            )
        )
        # An UPDATE's result is a CursorResult (AsyncSession.execute is typed as any Result).
        return cast("CursorResult[Any]", result).rowcount == 1

    async def release(self, attempt: Proceed) -> None:
        """Forget the claim so a retry runs the operation again (after a 5xx/crash)."""
        async with self._engine.begin() as connection:
            await connection.execute(delete(self._table).where(*self._held_by(attempt)))

    async def purge_expired(self) -> int:
        """Delete keys past their retention; run it from a periodic job."""
        async with self._engine.begin() as connection:
            result = await connection.execute(
                delete(self._table).where(self._table.c.expires_at <= self._clock.now())
            )
        return result.rowcount

    async def _insert_claim(self, connection: AsyncConnection, attempt: Proceed) -> bool:
        now = self._clock.now()
        statement = (
            insert(self._table)
            .values(
                scope=attempt.scope,
                key=attempt.key,
                fingerprint=attempt.fingerprint,
                state=IN_FLIGHT,
                attempt_id=attempt.attempt_id,
                created_at=now,
                locked_until=now + self._settings.lock_timeout,
                expires_at=now + self._settings.retention,
            )
            .on_conflict_do_nothing(index_elements=["scope", "key"])
            .returning(self._table.c.key)
        )
        return (await connection.execute(statement)).first() is not None

    async def _take_over(self, connection: AsyncConnection, attempt: Proceed) -> bool:
        """Reuse an expired row (any request), or a dead in-flight claim (same request)."""
        table, now = self._table, self._clock.now()
        abandoned = and_(
            table.c.state == IN_FLIGHT,
            table.c.locked_until <= now,
            table.c.fingerprint == attempt.fingerprint,
        )
        statement = (
            update(table)
            .where(
                table.c.scope == attempt.scope,
                table.c.key == attempt.key,
                or_(table.c.expires_at <= now, abandoned),
            )
            .values(
                fingerprint=attempt.fingerprint,
                state=IN_FLIGHT,
                attempt_id=attempt.attempt_id,
                response_status=None,
                response_body=None,
                response_headers=None,
                created_at=now,
                locked_until=now + self._settings.lock_timeout,
                expires_at=now + self._settings.retention,
            )
            .returning(table.c.key)
        )
        return (await connection.execute(statement)).first() is not None

    async def _current(self, connection: AsyncConnection, scope: str, key: str) -> Any:
        table = self._table
        statement = select(table).where(table.c.scope == scope, table.c.key == key)
        return (await connection.execute(statement)).first()

    def _held_by(self, attempt: Proceed) -> tuple[Any, ...]:
        table = self._table
        return (
            table.c.scope == attempt.scope,
            table.c.key == attempt.key,
            table.c.attempt_id == attempt.attempt_id,
            table.c.state == IN_FLIGHT,
        )


def _answer_for(row: Any, fingerprint: str, key_pointer: str) -> Replay:
    if row.fingerprint != fingerprint:
        raise ValidationFailed(
            "This idempotency key was already used for a different request; "
            "use a new key for a new request.",
            code="IDEMPOTENCY_KEY_REUSED",
            pointer=key_pointer,
        )
    if row.state == IN_FLIGHT:
        raise Conflict(
            "A request with this idempotency key is still being processed; retry later.",
            code="IDEMPOTENCY_KEY_IN_USE",
        )
    response = StoredResponse(row.response_status, row.response_body, row.response_headers or {})
    return Replay(response)
