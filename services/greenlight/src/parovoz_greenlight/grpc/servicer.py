"""gRPC surface of greenlight (`parovoz.greenlight.v1.GreenlightService`).

Methods not yet built answer UNIMPLEMENTED (the generated base class).
"""

from __future__ import annotations

from collections.abc import Sequence

from parovoz.greenlight.v1 import greenlight_service_pb2, greenlight_service_pb2_grpc
from parovoz_kit.grpc import GrpcService
from parovoz_kit.infrastructure import Infrastructure


class GreenlightService(greenlight_service_pb2_grpc.GreenlightServiceServicer):
    def __init__(self, infrastructure: Infrastructure) -> None:
        self._infrastructure = infrastructure


def grpc_services(infrastructure: Infrastructure) -> Sequence[GrpcService]:
    descriptor = greenlight_service_pb2.DESCRIPTOR.services_by_name["GreenlightService"]
    return [
        GrpcService(
            full_name=descriptor.full_name,
            servicer=GreenlightService(infrastructure),
            register=greenlight_service_pb2_grpc.add_GreenlightServiceServicer_to_server,
        )
    ]
