"""Every service's gRPC server: standard health says SERVING, reflection lists its contract."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)
from parovoz_testing.platform import ServiceUnderTest


@pytest.fixture
def channel(service: ServiceUnderTest) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(f"127.0.0.1:{service.grpc_port}") as channel:
        yield channel


def test_health_is_serving(service: ServiceUnderTest, channel: grpc.Channel) -> None:
    stub = health_pb2_grpc.HealthStub(channel)
    for name in ("", service.grpc_service):
        reply = stub.Check(health_pb2.HealthCheckRequest(service=name), timeout=5)
        assert reply.status == health_pb2.HealthCheckResponse.SERVING


def test_health_of_an_unknown_service_is_not_found(channel: grpc.Channel) -> None:
    stub = health_pb2_grpc.HealthStub(channel)
    with pytest.raises(grpc.RpcError) as error:
        stub.Check(health_pb2.HealthCheckRequest(service="parovoz.nope.v1.Nope"), timeout=5)
    assert error.value.code() is grpc.StatusCode.NOT_FOUND


def test_reflection_lists_the_service_and_its_methods(
    service: ServiceUnderTest, channel: grpc.Channel
) -> None:
    database = ProtoReflectionDescriptorDatabase(channel)
    services = set(database.get_services())
    assert service.grpc_service in services
    assert "grpc.health.v1.Health" in services
    descriptor = database.FindFileContainingSymbol(service.grpc_service)
    assert descriptor.service, "the served file carries the service definition"


def test_payment_asking_for_an_unknown_payout_method_gets_not_found() -> None:
    """developer-portal's GetPayoutMethod over the real channel with payment's service token:
    an unknown method is NOT_FOUND (never INTERNAL), a malformed id INVALID_ARGUMENT."""
    import httpx
    from parovoz.developer.v1 import developer_service_pb2 as pb
    from parovoz.developer.v1.developer_service_pb2_grpc import DeveloperServiceStub

    token = httpx.post(
        "http://127.0.0.1:8090/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "payment",
            "client_secret": "payment-dev-secret",
        },
    ).json()["access_token"]
    requests = {
        grpc.StatusCode.NOT_FOUND: pb.GetPayoutMethodRequest(
            developer_id=str(uuid.uuid4()), payout_method_id=str(uuid.uuid4())
        ),
        grpc.StatusCode.INVALID_ARGUMENT: pb.GetPayoutMethodRequest(
            developer_id="d", payout_method_id="m"
        ),
    }
    with grpc.insecure_channel("127.0.0.1:9091") as channel:
        for expected, request in requests.items():
            with pytest.raises(grpc.RpcError) as error:
                DeveloperServiceStub(channel).GetPayoutMethod(
                    request, metadata=[("authorization", f"Bearer {token}")], timeout=5
                )
            assert error.value.code() is expected
