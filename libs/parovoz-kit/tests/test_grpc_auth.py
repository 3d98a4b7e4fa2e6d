"""gRPC server interceptors on a real grpc.aio server: service-token auth, error mapping, metrics.

Tokens come from the real auth stand-in (uvicorn on an ephemeral port); the client side uses
the kit's PeerClient with the ServiceTokenInterceptor, as payment calls developer-portal.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import grpc
import httpx
import pytest
import uvicorn
from grpc_health.v1 import health_pb2, health_pb2_grpc
from parovoz.developer.v1 import developer_service_pb2 as pb
from parovoz.developer.v1 import developer_service_pb2_grpc as pb_grpc
from parovoz_kit.auth import AuthConfig, JwtVerifier, ServiceTokenConfig, ServiceTokenSource
from parovoz_kit.errors import NotFound
from parovoz_kit.grpc import GrpcService, create_grpc_server
from parovoz_kit.grpc.client import GrpcPeerConfig, PeerClient
from parovoz_kit.grpc.interceptors import (
    grpc_principal,
    rpc_callers,
    standard_server_interceptors,
)
from parovoz_kit.settings import ServiceSettings
from prometheus_client import REGISTRY
from pydantic import SecretStr
from standin_auth.app import create_app as create_auth_standin
from standin_auth.settings import AuthSettings

SERVICE = "parovoz.developer.v1.DeveloperService"
GET_DEVELOPER = f"/{SERVICE}/GetDeveloper"
#: payment may call GetGame and GetDeveloper; GetPayoutMethod has no row (default deny).
CALLERS = {f"/{SERVICE}/GetGame": {"payment"}, GET_DEVELOPER: {"payment", "greenlight"}}
USER_ID = "6d1f1f0e-8f7a-4c3e-9a55-2b0f0b7c1a11"


@pytest.fixture(scope="module")
def auth_url() -> Iterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(
        uvicorn.Config(create_auth_standin(AuthSettings(service_clients=None)), log_level="warning")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "auth stand-in did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


def mint(auth_url: str, sub: str = USER_ID, roles: list[str] | None = None) -> str:
    response = httpx.post(f"{auth_url}/tokens", json={"sub": sub, "roles": roles or []})
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


class Developers(pb_grpc.DeveloperServiceServicer):
    async def GetGame(self, request: pb.GetGameRequest, context: Any) -> pb.GetGameResponse:
        if request.game_id == "missing":
            raise NotFound("game missing does not exist", code="GAME_NOT_FOUND")
        if request.game_id == "boom":
            raise RuntimeError("secret-internal-detail")
        return pb.GetGameResponse(game=pb.Game(id=request.game_id, title="Sample"))

    async def GetDeveloper(self, request: Any, context: Any) -> pb.GetDeveloperResponse:
        # Proves the servicer sees who is calling.
        caller = grpc_principal().subject
        return pb.GetDeveloperResponse(
            developer=pb.Developer(id=request.developer_id, owner_user_id=caller)
        )


@pytest.fixture
async def target(auth_url: str, kit_settings: Callable[..., ServiceSettings]) -> AsyncIterator[str]:
    verifier = JwtVerifier.from_config(AuthConfig(jwks_url=f"{auth_url}/.well-known/jwks.json"))
    interceptors = standard_server_interceptors(
        verifier, callers=CALLERS, user_methods_by_role={"support": {GET_DEVELOPER}}
    )
    service = GrpcService(SERVICE, Developers(), pb_grpc.add_DeveloperServiceServicer_to_server)
    server = create_grpc_server(kit_settings(grpc_port=0), [service], interceptors)
    await server.start()
    yield f"127.0.0.1:{server.port}"
    await server.stop(0)


async def raw_call(target: str, method: str, request: Any, token: str | None = None) -> Any:
    metadata = (("authorization", f"Bearer {token}"),) if token else None
    async with grpc.aio.insecure_channel(target) as channel:
        stub = pb_grpc.DeveloperServiceStub(channel)
        return await getattr(stub, method)(request, metadata=metadata, timeout=5)


async def status_of(target: str, method: str, request: Any, token: str | None = None):
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await raw_call(target, method, request, token)
    return caught.value.code(), caught.value.details()


def handled(method: str, code: str) -> float:
    labels = {"service": SERVICE, "method": method, "code": code}
    return REGISTRY.get_sample_value("grpc_server_handled_total", labels) or 0.0


async def test_a_call_without_a_token_is_unauthenticated(target: str) -> None:
    before = handled("GetGame", "UNAUTHENTICATED")

    code, details = await status_of(target, "GetGame", pb.GetGameRequest(game_id="g1"))

    assert code is grpc.StatusCode.UNAUTHENTICATED
    assert details.startswith("TOKEN_MISSING: ")
    assert handled("GetGame", "UNAUTHENTICATED") == before + 1


async def test_a_garbage_token_is_unauthenticated(target: str) -> None:
    code, details = await status_of(target, "GetGame", pb.GetGameRequest(), "not.a.token")

    assert code is grpc.StatusCode.UNAUTHENTICATED and details.startswith("TOKEN_INVALID")


async def test_a_user_token_is_refused_on_service_methods(target: str, auth_url: str) -> None:
    user_token = mint(auth_url, roles=["admin"])

    code, details = await status_of(target, "GetGame", pb.GetGameRequest(game_id="g1"), user_token)

    assert code is grpc.StatusCode.PERMISSION_DENIED
    assert details.startswith("PERMISSION_DENIED: ")


async def test_a_role_may_be_allowed_on_listed_methods(target: str, auth_url: str) -> None:
    support = mint(auth_url, roles=["support"])

    response = await raw_call(
        target, "GetDeveloper", pb.GetDeveloperRequest(developer_id="d1"), support
    )
    code, _ = await status_of(target, "GetGame", pb.GetGameRequest(game_id="g1"), support)

    assert response.developer.owner_user_id == USER_ID
    assert code is grpc.StatusCode.PERMISSION_DENIED


async def test_a_service_the_allow_list_does_not_name_is_refused(
    target: str, auth_url: str
) -> None:
    greenlight = mint(auth_url, sub="service:greenlight", roles=["service"])
    payment = mint(auth_url, sub="service:payment", roles=["service"])

    allowed = await raw_call(
        target, "GetDeveloper", pb.GetDeveloperRequest(developer_id="d1"), greenlight
    )
    not_listed = await status_of(target, "GetGame", pb.GetGameRequest(game_id="g1"), greenlight)
    no_row = await status_of(target, "GetPayoutMethod", pb.GetPayoutMethodRequest(), payment)

    assert allowed.developer.owner_user_id == "service:greenlight"
    assert not_listed[0] is grpc.StatusCode.PERMISSION_DENIED
    assert not_listed[1].startswith("PERMISSION_DENIED: ") and "greenlight" in not_listed[1]
    assert no_row[0] is grpc.StatusCode.PERMISSION_DENIED


async def test_without_an_allow_list_every_service_is_refused(
    auth_url: str, kit_settings: Callable[..., ServiceSettings]
) -> None:
    verifier = JwtVerifier.from_config(AuthConfig(jwks_url=f"{auth_url}/.well-known/jwks.json"))
    service = GrpcService(SERVICE, Developers(), pb_grpc.add_DeveloperServiceServicer_to_server)
    server = create_grpc_server(
        kit_settings(grpc_port=0), [service], standard_server_interceptors(verifier)
    )
    await server.start()
    try:
        token = mint(auth_url, sub="service:payment", roles=["service"])
        code, _ = await status_of(
            f"127.0.0.1:{server.port}", "GetGame", pb.GetGameRequest(game_id="g1"), token
        )
    finally:
        await server.stop(0)

    assert code is grpc.StatusCode.PERMISSION_DENIED


def test_an_allow_list_names_every_method_of_its_service_and_no_other() -> None:
    descriptor = pb.DESCRIPTOR.services_by_name["DeveloperService"]
    every = {"GetDeveloper": {"payment"}, "GetGame": set(), "GetPayoutMethod": {"payment"}}

    table = rpc_callers(descriptor, every)

    assert table == {
        GET_DEVELOPER: frozenset({"payment"}),
        f"/{SERVICE}/GetGame": frozenset(),
        f"/{SERVICE}/GetPayoutMethod": frozenset({"payment"}),
    }
    with pytest.raises(ValueError, match="GetPayoutMethod"):
        rpc_callers(descriptor, {"GetDeveloper": {"payment"}, "GetGame": set()})
    with pytest.raises(ValueError, match="DeleteGame"):
        rpc_callers(descriptor, {**every, "DeleteGame": {"payment"}})


async def test_the_health_service_needs_no_token(target: str) -> None:
    async with grpc.aio.insecure_channel(target) as channel:
        response = await health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service=SERVICE), timeout=5
        )

    assert response.status == health_pb2.HealthCheckResponse.SERVING


@pytest.fixture
async def peer(target: str, auth_url: str) -> AsyncIterator[PeerClient]:
    tokens = ServiceTokenSource(
        ServiceTokenConfig(
            token_url=f"{auth_url}/oauth/token",
            client_id="payment",
            client_secret=SecretStr("payment-dev-secret"),
        )
    )
    async with PeerClient(
        GrpcPeerConfig(name="developer-portal", target=target), token_source=tokens
    ) as client:
        yield client
    await tokens.aclose()


async def test_a_service_token_is_attached_and_accepted(peer: PeerClient) -> None:
    developers = peer.stub(pb_grpc.DeveloperServiceStub)

    game = await developers.GetGame(pb.GetGameRequest(game_id="g1"))
    developer = await developers.GetDeveloper(pb.GetDeveloperRequest(developer_id="d1"))

    assert game.game.title == "Sample"
    assert developer.developer.owner_user_id == "service:payment"


async def test_kit_errors_cross_the_wire_with_their_code(peer: PeerClient) -> None:
    before = handled("GetGame", "NOT_FOUND")

    with pytest.raises(NotFound) as caught:
        await peer.stub(pb_grpc.DeveloperServiceStub).GetGame(pb.GetGameRequest(game_id="missing"))

    assert caught.value.code == "GAME_NOT_FOUND"
    assert caught.value.detail == "game missing does not exist"
    assert handled("GetGame", "NOT_FOUND") == before + 1


async def test_unexpected_errors_are_internal_without_their_text(target: str, auth_url: str):
    service_token = mint(auth_url, sub="service:payment")

    code, details = await status_of(
        target, "GetGame", pb.GetGameRequest(game_id="boom"), service_token
    )

    assert code is grpc.StatusCode.INTERNAL
    assert details.startswith("INTERNAL_ERROR: ") and "secret-internal-detail" not in details


STREAM_METHOD = "/kit.test.Stream/Count"


async def _count(request: bytes, context: Any) -> AsyncIterator[bytes]:
    caller = grpc_principal().subject.encode()
    for n in range(int(request)):
        yield caller + b":" + str(n).encode()


@pytest.fixture
async def stream_target(auth_url: str, kit_settings: Callable[..., ServiceSettings]):
    verifier = JwtVerifier.from_config(AuthConfig(jwks_url=f"{auth_url}/.well-known/jwks.json"))
    handler = grpc.method_handlers_generic_handler(
        "kit.test.Stream", {"Count": grpc.unary_stream_rpc_method_handler(_count)}
    )
    service = GrpcService(
        "kit.test.Stream", None, lambda _, server: server.add_generic_rpc_handlers((handler,))
    )
    server = create_grpc_server(
        kit_settings(grpc_port=0),
        [service],
        standard_server_interceptors(verifier, callers={STREAM_METHOD: {"payment"}}),
    )
    await server.start()
    yield f"127.0.0.1:{server.port}"
    await server.stop(0)


async def test_streaming_calls_are_guarded_and_carry_the_service_token(
    stream_target: str, auth_url: str
) -> None:
    async with grpc.aio.insecure_channel(stream_target) as channel:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            async for _ in channel.unary_stream(STREAM_METHOD)(b"2", timeout=5):
                pass
    assert caught.value.code() is grpc.StatusCode.UNAUTHENTICATED

    tokens = ServiceTokenSource(
        ServiceTokenConfig(
            token_url=f"{auth_url}/oauth/token",
            client_id="payment",
            client_secret=SecretStr("payment-dev-secret"),
        )
    )
    config = GrpcPeerConfig(name="stream-peer", target=stream_target)
    async with PeerClient(config, token_source=tokens) as peer:
        items = [item async for item in peer.channel.unary_stream(STREAM_METHOD)(b"3")]
    await tokens.aclose()

    assert items == [b"service:payment:0", b"service:payment:1", b"service:payment:2"]
