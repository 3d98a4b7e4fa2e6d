"""What a service holds for its lifetime, opened at start and closed at stop: connections,
the clock, the token verifier, this service's own token for its peers, and peer clients."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Collection
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from confluent_kafka.admin import AdminClient
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from parovoz_kit.auth import AuthConfig, JwtVerifier, ServiceTokenConfig, ServiceTokenSource
from parovoz_kit.clock import Clock, clock_from_settings
from parovoz_kit.db import create_engine
from parovoz_kit.grpc.client import GrpcPeerConfig, PeerClient
from parovoz_kit.http.probes import ReadinessCheck
from parovoz_kit.idempotency import IdempotencySettings, IdempotencyStore
from parovoz_kit.settings import ServiceSettings
from parovoz_kit.storage import ObjectStorage, StorageConfig
from parovoz_kit.tracing import grpc_client_interceptors, instrument_engine
from parovoz_kit.uow import UnitOfWork

T = TypeVar("T")


@dataclass
class Infrastructure:
    settings: ServiceSettings
    engine: AsyncEngine
    redis: Redis
    kafka_admin: AdminClient
    clock: Clock
    verifier: JwtVerifier
    service_tokens: ServiceTokenSource
    session_factory: async_sessionmaker[AsyncSession]
    idempotency: IdempotencyStore
    _peers: dict[str, PeerClient] = field(default_factory=dict)
    _shared: dict[str, Any] = field(default_factory=dict)

    @property
    def source(self) -> str:
        """CloudEvents ``source`` of the events this service emits."""
        return f"/parovoz/{self.settings.service_name}"

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory, source=self.source, clock=self.clock)

    def peer(self, name: str, target: str, idempotent_methods: Collection[str]) -> PeerClient:
        """The (one, shared) client of a peer service, built from the settings' defaults."""
        if name not in self._peers:
            settings = self.settings
            config = GrpcPeerConfig(
                name=name,
                target=target,
                deadline_seconds=settings.grpc_client_deadline_seconds,
                max_attempts=settings.grpc_client_max_attempts,
                idempotent_methods=frozenset(idempotent_methods),
                breaker_failure_threshold=settings.grpc_client_breaker_failure_threshold,
                breaker_reset_timeout_seconds=settings.grpc_client_breaker_reset_timeout_seconds,
            )
            self._peers[name] = PeerClient(
                config, token_source=self.service_tokens, interceptors=grpc_client_interceptors()
            )
        return self._peers[name]

    def storage(self) -> ObjectStorage:
        """The (one, shared) client of the S3 endpoint the settings name."""
        settings = self.settings
        return self.shared(
            "parovoz_kit.storage",
            lambda: ObjectStorage(
                StorageConfig(
                    endpoint=settings.s3_endpoint_url,
                    access_key=settings.s3_access_key,
                    secret_key=settings.s3_secret_key.get_secret_value(),
                    region=settings.s3_region,
                    public_endpoint=settings.s3_public_endpoint_url,
                )
            ),
        )

    def shared(self, name: str, factory: Callable[[], T]) -> T:
        """One instance per process of a service's own long-lived object (e.g. its payment
        provider clients), shared by its REST and gRPC sides; closed (``aclose``) at stop."""
        if name not in self._shared:
            self._shared[name] = factory()
        shared: T = self._shared[name]  # what ``factory`` made under this name
        return shared

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

    async def close(self) -> None:
        for resource in self._shared.values():
            closer = getattr(resource, "aclose", None)
            if closer is not None:
                await closer()
        for peer in self._peers.values():
            await peer.close()
        await self.service_tokens.aclose()
        await self.redis.aclose()
        await self.engine.dispose()


def auth_config(settings: ServiceSettings) -> AuthConfig:
    return AuthConfig(
        jwks_url=settings.auth_jwks_url,
        public_key_file=settings.auth_public_key_file,
        issuer=settings.auth_issuer,
        audience=settings.auth_audience,
        leeway_seconds=settings.auth_leeway_seconds,
    )


@asynccontextmanager
async def open_infrastructure(settings: ServiceSettings) -> AsyncIterator[Infrastructure]:
    engine = create_engine(settings)
    instrument_engine(engine)
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
    clock = clock_from_settings(settings)
    infrastructure = Infrastructure(
        settings=settings,
        engine=engine,
        redis=redis,
        kafka_admin=kafka_admin,
        clock=clock,
        verifier=JwtVerifier.from_config(auth_config(settings)),
        service_tokens=ServiceTokenSource(
            ServiceTokenConfig(
                token_url=settings.auth_token_url,
                client_id=settings.service_name,
                client_secret=settings.auth_client_secret,
            )
        ),
        session_factory=async_sessionmaker(engine, expire_on_commit=False),
        idempotency=IdempotencyStore(
            engine, clock, settings=IdempotencySettings.from_settings(settings)
        ),
    )
    try:
        yield infrastructure
    finally:
        await infrastructure.close()
