"""What a service declares about itself, and the one function that runs it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from fastapi import APIRouter

from parovoz_kit.grpc.server import GrpcService, create_grpc_server
from parovoz_kit.http.app import create_app
from parovoz_kit.infrastructure import Infrastructure, open_infrastructure
from parovoz_kit.logging import configure_logging
from parovoz_kit.runner import serve
from parovoz_kit.settings import ServiceSettings


def _none(_: Infrastructure) -> Sequence:
    return ()


@dataclass(frozen=True)
class ServiceDefinition:
    title: str
    description: str
    routers: Callable[[Infrastructure], Sequence[APIRouter]] = _none
    grpc_services: Callable[[Infrastructure], Sequence[GrpcService]] = _none
    version: str = "0.1.0"


async def serve_service(settings: ServiceSettings, definition: ServiceDefinition) -> None:
    async with open_infrastructure(settings) as infrastructure:
        app = create_app(
            settings,
            title=definition.title,
            description=definition.description,
            routers=definition.routers(infrastructure),
            readiness_checks=infrastructure.readiness_checks(),
            version=definition.version,
        )
        grpc_server = create_grpc_server(settings, definition.grpc_services(infrastructure))
        await serve(settings, app, grpc_server)


def run_service(settings: ServiceSettings, definition: ServiceDefinition) -> None:
    configure_logging(settings.service_name, settings.log_level)
    asyncio.run(serve_service(settings, definition))
