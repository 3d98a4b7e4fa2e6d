"""Database engine construction (never at import time) and table metadata conventions."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Executable, MetaData
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from parovoz_kit.settings import ServiceSettings

# Stable constraint names, so Alembic autogenerate produces reviewable migrations.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


def add_kit_tables(metadata: MetaData) -> None:
    """The kit's tables every service has: outbox, inbox, idempotency keys, job runs."""
    from parovoz_kit.events.tables import define_inbox_tables, define_outbox_tables
    from parovoz_kit.idempotency.tables import define_idempotency_tables
    from parovoz_kit.jobs.tables import define_job_tables

    define_outbox_tables(metadata)
    define_inbox_tables(metadata)
    define_idempotency_tables(metadata)
    define_job_tables(metadata)


def create_engine(settings: ServiceSettings) -> AsyncEngine:
    return create_async_engine(
        settings.database_url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
        pool_pre_ping=True,
    )


async def execute_refusing(
    session: AsyncSession,
    statement: Executable,
    refusals: Mapping[str, Callable[[], Exception]],
) -> Any:
    """Run ``statement`` in a savepoint; a unique index or constraint named in ``refusals``
    that it breaks raises that entry's error (the savepoint is rolled back, the transaction
    stays usable); any other integrity error propagates. The statement's result otherwise."""
    try:
        async with session.begin_nested():
            return await session.execute(statement)
    except IntegrityError as error:
        broken = str(error.orig)
        for name, refusal in refusals.items():
            if name in broken:
                raise refusal() from None
        raise
