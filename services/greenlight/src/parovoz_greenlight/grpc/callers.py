"""Who may call each RPC of `parovoz.greenlight.v1.GreenlightService` (ARCHITECTURE.md's gRPC
table), enforced by the kit's interceptor: a service not listed is refused, users never pass."""

from __future__ import annotations

from parovoz.greenlight.v1 import greenlight_service_pb2 as pb
from parovoz_kit.grpc.interceptors import rpc_callers

CALLERS = rpc_callers(
    pb.DESCRIPTOR.services_by_name["GreenlightService"],
    {
        "GetSubmission": {"developer-portal"},
    },
)
