"""gRPC surface of developer-portal (`parovoz.developer.v1.DeveloperService`).

Methods not yet built answer UNIMPLEMENTED (the generated base class).
"""

from __future__ import annotations

from collections.abc import Sequence

from parovoz.developer.v1 import developer_service_pb2, developer_service_pb2_grpc
from parovoz_kit.grpc import GrpcService
from parovoz_kit.infrastructure import Infrastructure


class DeveloperService(developer_service_pb2_grpc.DeveloperServiceServicer):
    def __init__(self, infrastructure: Infrastructure) -> None:
        self._infrastructure = infrastructure


def grpc_services(infrastructure: Infrastructure) -> Sequence[GrpcService]:
    descriptor = developer_service_pb2.DESCRIPTOR.services_by_name["DeveloperService"]
    return [
        GrpcService(
            full_name=descriptor.full_name,
            servicer=DeveloperService(infrastructure),
            register=developer_service_pb2_grpc.add_DeveloperServiceServicer_to_server,
        )
    ]
