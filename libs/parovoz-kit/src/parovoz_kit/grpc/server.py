"""grpc.aio server with the standard health service and server reflection."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from parovoz_kit.settings import ServiceSettings

_HEALTH_SERVICE = health_pb2.DESCRIPTOR.services_by_name["Health"].full_name


@dataclass(frozen=True)
class GrpcService:
    """A servicer and how to register it (the generated ``add_*_to_server``)."""

    full_name: str
    servicer: Any
    register: Callable[[Any, grpc.aio.Server], None]


class GrpcServer:
    """One service's gRPC server; health turns SERVING once started."""

    def __init__(
        self,
        settings: ServiceSettings,
        services: Sequence[GrpcService],
        interceptors: Sequence[grpc.aio.ServerInterceptor] = (),
    ) -> None:
        self._server = grpc.aio.server(
            interceptors=list(interceptors),
            # Clients reconnect every few minutes, so replicas added by an autoscaler get
            # their share of calls (a Kubernetes Service balances connections, not calls).
            options=[
                ("grpc.max_connection_age_ms", 300_000),
                ("grpc.max_connection_age_grace_ms", 30_000),
            ],
        )
        self._health = health.aio.HealthServicer()
        self._names = [service.full_name for service in services]
        health_pb2_grpc.add_HealthServicer_to_server(self._health, self._server)
        for service in services:
            service.register(service.servicer, self._server)
        reflection.enable_server_reflection(
            [*self._names, _HEALTH_SERVICE, reflection.SERVICE_NAME], self._server
        )
        self.port = self._server.add_insecure_port(f"{settings.grpc_host}:{settings.grpc_port}")

    async def start(self) -> None:
        await self._server.start()
        serving = health_pb2.HealthCheckResponse.SERVING
        for name in ["", *self._names]:
            await self._health.set(name, serving)

    async def stop(self, grace_seconds: float = 5.0) -> None:
        # Health says NOT_SERVING first so balancers stop routing here, then in-flight calls end.
        await self._health.enter_graceful_shutdown()
        await self._server.stop(grace_seconds)


def create_grpc_server(
    settings: ServiceSettings,
    services: Sequence[GrpcService],
    interceptors: Sequence[grpc.aio.ServerInterceptor] = (),
) -> GrpcServer:
    return GrpcServer(settings, services, interceptors)
