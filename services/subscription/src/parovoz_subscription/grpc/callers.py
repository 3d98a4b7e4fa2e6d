"""Who may call each RPC of `parovoz.subscription.v1.SubscriptionService` (ARCHITECTURE.md's
gRPC table), enforced by the kit's interceptor: a service not listed is refused, users never
pass."""

from __future__ import annotations

from parovoz.subscription.v1 import subscription_service_pb2 as pb
from parovoz_kit.grpc.interceptors import rpc_callers

#: The clients that check access for a player, and the platform's own services.
ACCESS_READERS = frozenset(
    {"catalog-library", "launcher", "gateway", "developer-portal", "greenlight", "payment"}
)

CALLERS = rpc_callers(
    pb.DESCRIPTOR.services_by_name["SubscriptionService"],
    {
        "CheckAccess": ACCESS_READERS,
        "ListUserSubscriptions": ACCESS_READERS,
        "IssueOfflineLicense": ACCESS_READERS,
    },
)
