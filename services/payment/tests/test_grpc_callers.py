"""Payment's caller allow-list (grpc/callers.py, ARCHITECTURE.md's gRPC table) on a real
grpc.aio server built from payment's own ServiceDefinition (its servicers, table and kit
interceptors), with real tokens from the auth stand-in. Every RPC of the served descriptor is
called by each service the table names (passes auth), by every other client the platform knows
(PERMISSION_DENIED) and by users (never passes): a new RPC without a row fails here."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from functools import cache

import grpc
import pytest
from parovoz.payment.v1 import payment_service_pb2 as pb
from parovoz_kit.grpc import create_grpc_server
from parovoz_kit.grpc.interceptors import standard_server_interceptors
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.main import SERVICE
from parovoz_payment.settings import PaymentSettings
from parovoz_testing.tokens import service_token, user_token

#: Every client of the auth stand-in: our services, the stand-ins and the outside clients.
CLIENTS = (
    *("developer-portal", "greenlight", "subscription", "payment", "admin", "user"),
    *("catalog-library", "provider-sandbox", "social", "launcher", "gateway"),
)
DESCRIPTOR = pb.DESCRIPTOR.services_by_name["PaymentService"]
METHODS = [f"/{DESCRIPTOR.full_name}/{method.name}" for method in DESCRIPTOR.methods]
REFUSED = {grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED}


@cache
def token_of(client: str) -> str:
    return service_token(client)


@pytest.fixture(scope="module")
async def channel(infrastructure: Infrastructure) -> AsyncIterator[grpc.aio.Channel]:
    server = create_grpc_server(
        PaymentSettings(environment="test", grpc_port=0),
        SERVICE.grpc_services(infrastructure),
        standard_server_interceptors(
            infrastructure.verifier,
            callers=SERVICE.grpc_callers,
            user_methods_by_role=SERVICE.grpc_user_methods,
        ),
    )
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as opened:
            yield opened
    finally:
        await server.stop(0)


async def status_of(channel: grpc.aio.Channel, method: str, token: str) -> grpc.StatusCode:
    """The answer to ``method`` called with an empty request: OK or the error's code."""
    call = channel.unary_unary(
        method, request_serializer=lambda raw: raw, response_deserializer=lambda raw: raw
    )
    try:
        await call(b"", metadata=(("authorization", f"Bearer {token}"),), timeout=20)
    except grpc.aio.AioRpcError as error:
        return error.code()
    return grpc.StatusCode.OK


def test_the_table_has_a_row_for_every_rpc_and_follows_the_architecture() -> None:
    assert set(SERVICE.grpc_callers) == set(METHODS)
    assert {
        method.rsplit("/", 1)[1]: set(names) for method, names in SERVICE.grpc_callers.items()
    } == {
        "CreatePayment": {"greenlight", "subscription"},
        "GetPayment": {"greenlight", "subscription"},
        "Refund": {"greenlight", "subscription"},
        "ChargeSavedMethod": {"subscription"},
        "GetDeveloperBalance": {"developer-portal"},
        "ListDeveloperLedger": {"developer-portal"},
    }
    assert not SERVICE.grpc_user_methods


@pytest.mark.parametrize("method", METHODS, ids=lambda method: method.rsplit("/", 1)[1])
async def test_only_the_listed_services_pass(channel: grpc.aio.Channel, method: str) -> None:
    allowed = SERVICE.grpc_callers.get(method, frozenset())
    assert allowed, f"{method} has no caller"

    answers = {client: await status_of(channel, method, token_of(client)) for client in CLIENTS}

    assert {client for client, code in answers.items() if code not in REFUSED} == set(allowed)
    assert {
        client for client, code in answers.items() if code is grpc.StatusCode.PERMISSION_DENIED
    } == set(CLIENTS) - set(allowed)


@pytest.mark.parametrize("method", METHODS, ids=lambda method: method.rsplit("/", 1)[1])
@pytest.mark.parametrize(
    "roles", [(), ("admin",), ("support",)], ids=["player", "admin", "support"]
)
async def test_a_user_token_never_passes(
    channel: grpc.aio.Channel, method: str, roles: tuple[str, ...]
) -> None:
    token = user_token(str(uuid.uuid4()), roles)

    assert await status_of(channel, method, token) in REFUSED
