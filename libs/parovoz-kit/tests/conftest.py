"""Kit tests run on the engines `make dev` and `make test` start (PostgreSQL, Redis, broker).

Tables a test needs live in a throw-away schema of the payment database (the kit owns no
database), so kit tests never touch a service's own tables.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable

import pytest
from parovoz_kit.db import new_metadata
from parovoz_kit.settings import ServiceSettings
from sqlalchemy import MetaData, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

BROKER = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:59092")
DATABASE_URL = "postgresql+psycopg://payment:payment-dev-password@127.0.0.1:55432/payment"


def make_settings(**overrides: object) -> ServiceSettings:
    values: dict[str, object] = {
        "service_name": "kit-test",
        "environment": "test",
        "http_port": 0,
        "grpc_port": 0,
        "api_prefix": "/api/v1/kit",
        "database_url": DATABASE_URL,
        "redis_url": "redis://127.0.0.1:56379/15",
        "kafka_bootstrap_servers": BROKER,
        "auth_client_secret": "kit-test-dev-secret",
    }
    values.update(overrides)
    return ServiceSettings(**values)  # type: ignore[arg-type]


@pytest.fixture
def kit_settings() -> Callable[..., ServiceSettings]:
    """Settings factory: real local engines, overridable per test."""
    return make_settings


@pytest.fixture
def broker() -> str:
    return BROKER


@pytest.fixture
async def schema_engine() -> AsyncIterator[Callable[[MetaData], AsyncEngine]]:
    """Factory: an engine bound to a fresh schema holding the given metadata's tables.

    Usage: ``engine = await schema_engine(metadata)``; the schema is dropped afterwards.
    """
    schema = f"kit_test_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(DATABASE_URL)
    async with admin.begin() as connection:
        await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engines: list[AsyncEngine] = []

    async def make(metadata: MetaData | None = None) -> AsyncEngine:
        engine = create_async_engine(
            DATABASE_URL, connect_args={"options": f"-csearch_path={schema}"}
        )
        async with engine.begin() as connection:
            await connection.run_sync((metadata or new_metadata()).create_all)
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        await engine.dispose()
    async with admin.begin() as connection:
        await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    await admin.dispose()
