"""Who may call each RPC of `parovoz.payment.v1.PaymentService` (ARCHITECTURE.md's gRPC table),
enforced by the kit's interceptor: a service not listed is refused, users never pass."""

from __future__ import annotations

from parovoz.payment.v1 import payment_service_pb2 as pb
from parovoz_kit.grpc.interceptors import rpc_callers

CALLERS = rpc_callers(
    pb.DESCRIPTOR.services_by_name["PaymentService"],
    {
        # The services that take money for their own purposes (fees, subscriptions).
        "CreatePayment": {"greenlight", "subscription"},
        "GetPayment": {"greenlight", "subscription"},
        "Refund": {"greenlight", "subscription"},
        # Off-session renewals.
        "ChargeSavedMethod": {"subscription"},
        # A developer's money, shown by their portal.
        "GetDeveloperBalance": {"developer-portal"},
        "ListDeveloperLedger": {"developer-portal"},
    },
)
