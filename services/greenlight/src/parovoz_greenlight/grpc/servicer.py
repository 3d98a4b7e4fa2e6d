"""gRPC surface of greenlight (`parovoz.greenlight.v1.GreenlightService`).

Each method delegates to its context's ``grpc.py`` (translate -> one use case). Who may call
what is the table in ``grpc/callers.py``, enforced by the kit's interceptor before a method runs.
"""

from __future__ import annotations

from collections.abc import Sequence

import grpc
from parovoz.greenlight.v1 import greenlight_service_pb2 as pb
from parovoz.greenlight.v1 import greenlight_service_pb2_grpc
from parovoz_kit.grpc import GrpcService
from parovoz_kit.infrastructure import Infrastructure

from parovoz_greenlight.submissions.grpc import get_submission


class GreenlightService(greenlight_service_pb2_grpc.GreenlightServiceServicer):
    def __init__(self, infrastructure: Infrastructure) -> None:
        self._infrastructure = infrastructure

    async def GetSubmission(
        self, request: pb.GetSubmissionRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetSubmissionResponse:
        return await get_submission(self._infrastructure, request)


def grpc_services(infrastructure: Infrastructure) -> Sequence[GrpcService]:
    descriptor = pb.DESCRIPTOR.services_by_name["GreenlightService"]
    return [
        GrpcService(
            full_name=descriptor.full_name,
            servicer=GreenlightService(infrastructure),
            register=greenlight_service_pb2_grpc.add_GreenlightServiceServicer_to_server,
        )
    ]
