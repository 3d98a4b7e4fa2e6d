"""gRPC surface of subscription (`parovoz.subscription.v1.SubscriptionService`).

Methods not yet built answer UNIMPLEMENTED (the generated base class).
"""

from __future__ import annotations

from collections.abc import Sequence

from parovoz.subscription.v1 import subscription_service_pb2, subscription_service_pb2_grpc
from parovoz_kit.grpc import GrpcService
from parovoz_kit.infrastructure import Infrastructure


class SubscriptionService(subscription_service_pb2_grpc.SubscriptionServiceServicer):
    def __init__(self, infrastructure: Infrastructure) -> None:
        self._infrastructure = infrastructure


def grpc_services(infrastructure: Infrastructure) -> Sequence[GrpcService]:
    descriptor = subscription_service_pb2.DESCRIPTOR.services_by_name["SubscriptionService"]
    return [
        GrpcService(
            full_name=descriptor.full_name,
            servicer=SubscriptionService(infrastructure),
            register=subscription_service_pb2_grpc.add_SubscriptionServiceServicer_to_server,
        )
    ]
