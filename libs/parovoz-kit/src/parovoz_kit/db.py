"""Database engine construction (never at import time) and table metadata conventions."""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

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
