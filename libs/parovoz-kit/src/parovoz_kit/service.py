"""What a service declares about itself, and the one function that runs it.

A service's ``main.py`` is a :class:`ServiceDefinition` and a call to :func:`run_service`;
everything every service needs (tracing, auth, probes, metrics, the outbox relay, its
consumers, its leased jobs and their internal trigger) is wired here, once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, FastAPI

from parovoz_kit.auth import install_auth, require_roles
from parovoz_kit.events import IdempotentConsumer, OutboxRelay, producer_config, running_workers
from parovoz_kit.events.worker import BackgroundWorker
from parovoz_kit.grpc.interceptors import standard_server_interceptors
from parovoz_kit.grpc.server import GrpcServer, GrpcService, create_grpc_server
from parovoz_kit.http.app import create_app
from parovoz_kit.infrastructure import Infrastructure, open_infrastructure
from parovoz_kit.jobs import JobRunner, PeriodicJob, internal_jobs_router
from parovoz_kit.logging import configure_logging
from parovoz_kit.runner import serve
from parovoz_kit.settings import ServiceSettings
from parovoz_kit.tracing import (
    grpc_server_interceptors,
    instrument_app,
    shutdown_tracing,
    tracing_from_settings,
)


def _none(_: Infrastructure) -> Sequence[Any]:
    return ()


@dataclass(frozen=True)
class ConsumerDefinition:
    """A consumer group of this service: ``<service>.<topic>``, handlers by event type."""

    topic: str
    handlers: Callable[[Infrastructure], Mapping[str, Any]]


@dataclass(frozen=True)
class ServiceDefinition:
    title: str
    description: str
    routers: Callable[[Infrastructure], Sequence[APIRouter]] = _none
    grpc_services: Callable[[Infrastructure], Sequence[GrpcService]] = _none
    #: The caller allow-list of the gRPC methods (``grpc/callers.py``'s ``CALLERS``, built by
    #: :func:`parovoz_kit.grpc.interceptors.rpc_callers`): full method name -> the service names
    #: allowed to call it. Default deny: a method missing here is refused to every service.
    grpc_callers: Mapping[str, Collection[str]] = field(default_factory=dict)
    #: gRPC methods users (not only services) may call, by platform role ("*" = any user).
    grpc_user_methods: Mapping[str, Collection[str]] = field(default_factory=dict)
    consumers: Sequence[ConsumerDefinition] = ()
    jobs: Callable[[Infrastructure], Sequence[PeriodicJob]] = _none
    version: str = "0.1.0"
    #: Russian details of the service's own error codes (``<package>/error_texts.py``'s
    #: ``RUSSIAN``), answered unless the client prefers English.
    error_texts_ru: Mapping[str, str] = field(default_factory=dict)


def build_app(
    definition: ServiceDefinition, infrastructure: Infrastructure, jobs: JobRunner
) -> FastAPI:
    settings = infrastructure.settings
    app = create_app(
        settings,
        title=definition.title,
        description=definition.description,
        routers=definition.routers(infrastructure),
        readiness_checks=infrastructure.readiness_checks(),
        version=definition.version,
        error_texts_ru=definition.error_texts_ru,
    )
    install_auth(app, infrastructure.verifier)
    # For request dependencies that need the service's engines (``request.app.state``).
    app.state.infrastructure = infrastructure
    app.include_router(internal_jobs_router(jobs, require_roles("admin", "service")))
    instrument_app(app)
    return app


def build_grpc_server(definition: ServiceDefinition, infrastructure: Infrastructure) -> GrpcServer:
    interceptors = [
        *grpc_server_interceptors(),  # outermost: its span covers auth refusals too
        *standard_server_interceptors(
            infrastructure.verifier,
            callers=definition.grpc_callers,
            user_methods_by_role=definition.grpc_user_methods,
        ),
    ]
    return create_grpc_server(
        infrastructure.settings, definition.grpc_services(infrastructure), interceptors
    )


def job_runner(definition: ServiceDefinition, infrastructure: Infrastructure) -> JobRunner:
    settings = infrastructure.settings
    jobs = [
        *definition.jobs(infrastructure),
        PeriodicJob(
            "idempotency-keys-purge", "hourly", lambda _: infrastructure.idempotency.purge_expired()
        ),
    ]
    return JobRunner(
        infrastructure.engine,
        infrastructure.clock,
        jobs,
        check_interval=timedelta(seconds=settings.jobs_check_interval_seconds),
    )


def background_workers(
    definition: ServiceDefinition, infrastructure: Infrastructure, jobs: JobRunner
) -> list[BackgroundWorker]:
    settings = infrastructure.settings
    bootstrap = settings.kafka_bootstrap_servers
    workers: list[BackgroundWorker] = [
        OutboxRelay(
            infrastructure.engine,
            producer_config(bootstrap, client_id=f"{settings.service_name}.outbox"),
            batch_size=settings.outbox_batch_size,
        ),
        jobs,
    ]
    workers.extend(
        IdempotentConsumer(
            group=f"{settings.service_name}.{consumer.topic}",
            topics=[consumer.topic],
            handlers=consumer.handlers(infrastructure),
            session_factory=infrastructure.session_factory,
            bootstrap=bootstrap,
            max_attempts=settings.consumer_max_attempts,
        )
        for consumer in definition.consumers
    )
    return workers


async def serve_service(settings: ServiceSettings, definition: ServiceDefinition) -> None:
    tracing_from_settings(settings)
    try:
        async with open_infrastructure(settings) as infrastructure:
            jobs = job_runner(definition, infrastructure)
            app = build_app(definition, infrastructure, jobs)
            grpc_server = build_grpc_server(definition, infrastructure)
            async with running_workers(background_workers(definition, infrastructure, jobs)):
                await serve(settings, app, grpc_server)
    finally:
        shutdown_tracing()


def run_service(settings: ServiceSettings, definition: ServiceDefinition) -> None:
    configure_logging(settings.service_name, settings.log_level)
    asyncio.run(serve_service(settings, definition))


__all__ = [
    "ConsumerDefinition",
    "ServiceDefinition",
    "background_workers",
    "build_app",
    "build_grpc_server",
    "job_runner",
    "run_service",
    "serve_service",
]
