"""gRPC surface of payment (`parovoz.payment.v1.PaymentService`).

Methods not yet built answer UNIMPLEMENTED (the generated base class).
"""

from __future__ import annotations

from collections.abc import Sequence

from parovoz.payment.v1 import payment_service_pb2, payment_service_pb2_grpc
from parovoz_kit.grpc import GrpcService
from parovoz_kit.infrastructure import Infrastructure


class PaymentService(payment_service_pb2_grpc.PaymentServiceServicer):
    def __init__(self, infrastructure: Infrastructure) -> None:
        self._infrastructure = infrastructure


def grpc_services(infrastructure: Infrastructure) -> Sequence[GrpcService]:
    descriptor = payment_service_pb2.DESCRIPTOR.services_by_name["PaymentService"]
    return [
        GrpcService(
            full_name=descriptor.full_name,
            servicer=PaymentService(infrastructure),
            register=payment_service_pb2_grpc.add_PaymentServiceServicer_to_server,
        )
    ]
