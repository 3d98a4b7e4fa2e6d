"""Who may call each RPC of `parovoz.developer.v1.DeveloperService` (ARCHITECTURE.md's gRPC
table), enforced by the kit's interceptor: a service not listed is refused, users never pass."""

from __future__ import annotations

from parovoz.developer.v1 import developer_service_pb2 as pb
from parovoz_kit.grpc.interceptors import rpc_callers

CALLERS = rpc_callers(
    pb.DESCRIPTOR.services_by_name["DeveloperService"],
    {
        "GetDeveloper": {"greenlight", "payment", "subscription"},
        "GetGame": {"greenlight", "payment", "subscription"},
        # Bank details in clear: only payment, at payout time.
        "GetPayoutMethod": {"payment"},
    },
)
