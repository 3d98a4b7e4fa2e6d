"""Alembic glue: each service's ``migrations/env.py`` is one call to :func:`run_migrations`."""

from __future__ import annotations

from sqlalchemy import MetaData, create_engine
from sqlalchemy.pool import NullPool


def run_migrations(database_url: str, target_metadata: MetaData) -> None:
    from alembic import context  # only importable inside an Alembic run

    if context.is_offline_mode():
        context.configure(url=database_url, target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection, target_metadata=target_metadata, compare_type=True
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


def create_kit_tables() -> None:
    """Inside a migration: create the kit's tables (outbox, inbox, idempotency keys, job runs).

    They are built from the kit's definitions at the time the migration runs; a later change
    to one of them ships as a new migration of its own, never as an edit here.
    """
    from alembic import op

    from parovoz_kit.db import add_kit_tables, new_metadata

    metadata = new_metadata()
    add_kit_tables(metadata)
    metadata.create_all(op.get_bind())


def drop_kit_tables() -> None:
    from alembic import op

    from parovoz_kit.db import add_kit_tables, new_metadata

    metadata = new_metadata()
    add_kit_tables(metadata)
    metadata.drop_all(op.get_bind())


def schema_differences(database_url: str, target_metadata: MetaData) -> list[object]:
    """What Alembic's autogenerate would still change: empty when the migrations that ran
    produce exactly the tables the code declares."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = create_engine(database_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, target_metadata))
    finally:
        engine.dispose()
