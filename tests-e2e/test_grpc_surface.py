"""Every service's gRPC server: standard health says SERVING, reflection lists its contract."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest
from e2e_platform import ServiceUnderTest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)


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
