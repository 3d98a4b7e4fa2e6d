"""The caller allow-list of every RPC of every running service (ARCHITECTURE.md's gRPC table;
each service's ``grpc/callers.py``, enforced by the kit's interceptor, default deny).

The methods come from each server's reflection, so an RPC served without a row in its table
fails here. Each is called with an empty request by every service its table names (auth passes:
any answer but UNAUTHENTICATED / PERMISSION_DENIED), by every other client the auth stand-in
knows (PERMISSION_DENIED) and by users, with and without platform roles (never passes)."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterator, Mapping
from functools import cache

import grpc
import pytest
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)
from parovoz_developer_portal.grpc.callers import CALLERS as DEVELOPER_PORTAL
from parovoz_greenlight.grpc.callers import CALLERS as GREENLIGHT
from parovoz_kit.grpc.interceptors import PUBLIC_SERVICES
from parovoz_payment.grpc.callers import CALLERS as PAYMENT
from parovoz_subscription.grpc.callers import CALLERS as SUBSCRIPTION
from parovoz_testing.platform import SERVICES, ServiceUnderTest
from parovoz_testing.tokens import service_token, user_token

TABLES: Mapping[str, Mapping[str, Collection[str]]] = {
    "developer-portal": DEVELOPER_PORTAL,
    "greenlight": GREENLIGHT,
    "subscription": SUBSCRIPTION,
    "payment": PAYMENT,
}
#: Every client of the auth stand-in: our services, the stand-ins and the outside clients.
CLIENTS = (
    *("developer-portal", "greenlight", "subscription", "payment", "admin", "user"),
    *("catalog-library", "provider-sandbox", "social", "launcher", "gateway"),
)
REFUSED = {grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED}


@cache
def token_of(client: str) -> str:
    return service_token(client)


@pytest.fixture
def channel(service: ServiceUnderTest) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(f"127.0.0.1:{service.grpc_port}") as channel:
        yield channel


def served_methods(channel: grpc.Channel) -> list[str]:
    """Every method of every service the server answers for (its reflection), but the open
    health and reflection services."""
    database = ProtoReflectionDescriptorDatabase(channel)
    methods = []
    for name in sorted(set(database.get_services()) - PUBLIC_SERVICES):
        package, _, service = name.rpartition(".")
        file = database.FindFileContainingSymbol(name)
        assert file.package == package
        [descriptor] = [item for item in file.service if item.name == service]
        methods += [f"/{name}/{method.name}" for method in descriptor.method]
    return methods


def status_of(channel: grpc.Channel, method: str, token: str) -> grpc.StatusCode:
    call = channel.unary_unary(
        method, request_serializer=lambda raw: raw, response_deserializer=lambda raw: raw
    )
    try:
        call(b"", metadata=(("authorization", f"Bearer {token}"),), timeout=20)
    except grpc.RpcError as error:
        return error.code()
    return grpc.StatusCode.OK


def test_every_served_rpc_has_a_row_and_only_its_callers_pass(
    service: ServiceUnderTest, channel: grpc.Channel
) -> None:
    table = TABLES[service.name]
    methods = served_methods(channel)
    assert f"/{service.grpc_service}/" in " ".join(methods)
    assert set(methods) == set(table), "every served RPC has exactly one row"

    for method in methods:
        allowed = set(table[method])
        answers = {client: status_of(channel, method, token_of(client)) for client in CLIENTS}
        passed = {client for client, code in answers.items() if code not in REFUSED}
        denied = {
            client for client, code in answers.items() if code is grpc.StatusCode.PERMISSION_DENIED
        }
        assert passed == allowed, (method, answers)
        assert denied == set(CLIENTS) - allowed, (method, answers)


@pytest.mark.parametrize(
    "roles", [(), ("admin",), ("support",)], ids=["player", "admin", "support"]
)
def test_a_user_token_passes_no_rpc(
    service: ServiceUnderTest, channel: grpc.Channel, roles: tuple[str, ...]
) -> None:
    token = user_token(str(uuid.uuid4()), roles)

    answers = {method: status_of(channel, method, token) for method in served_methods(channel)}

    assert answers and set(answers.values()) <= REFUSED, answers


def test_the_tables_follow_the_architecture() -> None:
    """ARCHITECTURE.md's gRPC table, row by row."""
    by_name = {
        method.rsplit("/", 1)[1]: set(callers)
        for table in TABLES.values()
        for method, callers in table.items()
    }
    access = {"catalog-library", "launcher", "gateway", "developer-portal", "greenlight", "payment"}
    assert by_name == {
        "GetDeveloper": {"greenlight", "payment", "subscription"},
        "GetGame": {"greenlight", "payment", "subscription"},
        "GetPayoutMethod": {"payment"},
        "GetSubmission": {"developer-portal"},
        "CheckAccess": access,
        "ListUserSubscriptions": access,
        "IssueOfflineLicense": access,
        "CreatePayment": {"greenlight", "subscription"},
        "GetPayment": {"greenlight", "subscription"},
        "Refund": {"greenlight", "subscription"},
        "ChargeSavedMethod": {"subscription"},
        "GetDeveloperBalance": {"developer-portal"},
        "ListDeveloperLedger": {"developer-portal"},
    }
    assert {service.name for service in SERVICES} == set(TABLES)
