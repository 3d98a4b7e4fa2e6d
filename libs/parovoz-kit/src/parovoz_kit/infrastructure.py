"""Connections a service holds for its lifetime, opened at start and closed at stop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from confluent_kafka.admin import AdminClient
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from parovoz_kit.db import create_engine
from parovoz_kit.settings import ServiceSettings

ReadinessCheck = Callable[[], Awaitable[None]]


@dataclass(frozen=True)
class Infrastructure:
    settings: ServiceSettings
    engine: AsyncEngine
    redis: Redis
    kafka_admin: AdminClient

    def readiness_checks(self) -> dict[str, ReadinessCheck]:
        """One probe per dependency; each raises when the dependency is unreachable."""
        return {
            "database": self._check_database,
            "redis": self._check_redis,
            "broker": self._check_broker,
        }

    async def _check_database(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def _check_redis(self) -> None:
        await self.redis.ping()

    async def _check_broker(self) -> None:
        timeout = self.settings.readiness_timeout_seconds
        # list_topics blocks in librdkafka; keep it off the event loop.
        await asyncio.to_thread(self.kafka_admin.list_topics, timeout=timeout)


@asynccontextmanager
async def open_infrastructure(settings: ServiceSettings) -> AsyncIterator[Infrastructure]:
    engine = create_engine(settings)
    timeout = settings.readiness_timeout_seconds
    redis = Redis.from_url(
        settings.redis_url, socket_connect_timeout=timeout, socket_timeout=timeout
    )
    kafka_admin = AdminClient(
        {
            "bootstrap.servers": settings.kafka_bootstrap_servers,
            "client.id": settings.service_name,
            # Quiet reconnect noise when the broker is down; readiness reports it instead.
            "log_level": 3,
        }
    )
    try:
        yield Infrastructure(settings, engine, redis, kafka_admin)
    finally:
        await redis.aclose()
        await engine.dispose()
