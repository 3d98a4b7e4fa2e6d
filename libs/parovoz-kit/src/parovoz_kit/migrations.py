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
