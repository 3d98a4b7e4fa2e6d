"""PeerClient against a real grpc.aio server on loopback: deadlines, retries, the breaker.

The test servicer counts its hits, so "retried" and "not sent" are observed on the server.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from typing import Any

import grpc
import pytest
from parovoz.developer.v1 import developer_service_pb2 as pb
from parovoz.developer.v1 import developer_service_pb2_grpc as pb_grpc
from parovoz_kit.errors import NotFound, Unavailable
from parovoz_kit.grpc import GrpcService, create_grpc_server
from parovoz_kit.grpc.breaker import BreakerState, CircuitOpen
from parovoz_kit.grpc.client import GrpcPeerConfig, PeerClient
from parovoz_kit.grpc.server import GrpcServer
from parovoz_kit.settings import ServiceSettings
from prometheus_client import REGISTRY

SERVICE = "parovoz.developer.v1.DeveloperService"


class Developers(pb_grpc.DeveloperServiceServicer):
    """Fails ``unavailable_left`` times with UNAVAILABLE, or sleeps ``delay``, then answers."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.unavailable_left = 0
        self.delay = 0.0
        self.not_found = False

    async def _serve(self, method: str, context: grpc.aio.ServicerContext) -> None:
        self.hits[method] += 1
        if self.unavailable_left > 0:
            self.unavailable_left -= 1
            await context.abort(grpc.StatusCode.UNAVAILABLE, "overloaded")
        if self.not_found:
            await context.abort(grpc.StatusCode.NOT_FOUND, "GAME_NOT_FOUND: no such game")
        await asyncio.sleep(self.delay)

    async def GetGame(self, request: Any, context: Any) -> pb.GetGameResponse:
        await self._serve("GetGame", context)
        return pb.GetGameResponse(game=pb.Game(id=request.game_id))

    async def GetDeveloper(self, request: Any, context: Any) -> pb.GetDeveloperResponse:
        await self._serve("GetDeveloper", context)
        return pb.GetDeveloperResponse(developer=pb.Developer(id=request.developer_id))


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def servicer() -> Developers:
    return Developers()


@pytest.fixture
async def start_server(
    servicer: Developers, kit_settings: Callable[..., ServiceSettings]
) -> AsyncIterator[Callable[[int], Any]]:
    servers: list[GrpcServer] = []

    async def start(port: int = 0) -> GrpcServer:
        service = GrpcService(SERVICE, servicer, pb_grpc.add_DeveloperServiceServicer_to_server)
        server = create_grpc_server(kit_settings(grpc_port=port), [service])
        await server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        await server.stop(0)


def peer_config(port: int, **overrides: Any) -> GrpcPeerConfig:
    values: dict[str, Any] = {
        "name": "developer-portal",
        "target": f"127.0.0.1:{port}",
        "deadline_seconds": 2.0,
        "max_attempts": 3,
        "backoff_initial_seconds": 0.01,
        "backoff_max_seconds": 0.05,
        "idempotent_methods": {"GetGame"},
        "breaker_failure_threshold": 5,
        "breaker_reset_timeout_seconds": 30,
        "reconnect_backoff_max_seconds": 0.1,
    }
    values.update(overrides)
    return GrpcPeerConfig(**values)


@pytest.fixture
async def peer(start_server) -> AsyncIterator[PeerClient]:
    server = await start_server()
    async with PeerClient(peer_config(server.port)) as client:
        yield client


def developers(peer: PeerClient) -> pb_grpc.DeveloperServiceStub:
    return peer.stub(pb_grpc.DeveloperServiceStub)


async def test_an_idempotent_method_is_retried_until_it_succeeds(peer, servicer) -> None:
    servicer.unavailable_left = 2

    response = await developers(peer).GetGame(pb.GetGameRequest(game_id="g1"))

    assert response.game.id == "g1"
    assert servicer.hits["GetGame"] == 3


async def test_retries_stop_after_max_attempts(peer, servicer) -> None:
    servicer.unavailable_left = 10

    with pytest.raises(Unavailable) as caught:
        await developers(peer).GetGame(pb.GetGameRequest(game_id="g1"))

    assert servicer.hits["GetGame"] == 3
    assert caught.value.code == "PEER_UNAVAILABLE"
    assert "overloaded" not in caught.value.detail  # the peer's raw text stays in our logs


async def test_a_non_idempotent_method_is_never_retried(peer, servicer) -> None:
    servicer.unavailable_left = 1

    with pytest.raises(Unavailable):
        await developers(peer).GetDeveloper(pb.GetDeveloperRequest(developer_id="d1"))

    assert servicer.hits["GetDeveloper"] == 1


async def test_a_business_error_is_not_retried_and_keeps_its_code(peer, servicer) -> None:
    servicer.not_found = True

    with pytest.raises(NotFound) as caught:
        await developers(peer).GetGame(pb.GetGameRequest(game_id="g1"))

    assert caught.value.code == "GAME_NOT_FOUND"
    assert servicer.hits["GetGame"] == 1
    assert peer.breaker.state is BreakerState.CLOSED


async def test_every_call_gets_a_deadline(start_server, servicer) -> None:
    server = await start_server()
    servicer.delay = 5.0
    config = peer_config(server.port, deadline_seconds=0.2, idempotent_methods=set())
    async with PeerClient(config) as peer:
        started = time.perf_counter()
        with pytest.raises(Unavailable) as caught:
            await developers(peer).GetGame(pb.GetGameRequest(game_id="g1"))
        elapsed = time.perf_counter() - started

    assert caught.value.code == "PEER_DEADLINE_EXCEEDED"
    assert elapsed < 1.0
    assert servicer.hits["GetGame"] == 1


async def test_a_per_method_deadline_overrides_the_default(start_server, servicer) -> None:
    server = await start_server()
    servicer.delay = 0.5
    overrides = {"method_deadline_seconds": {"GetDeveloper": 0.1}, "deadline_seconds": 3.0}
    async with PeerClient(peer_config(server.port, **overrides)) as peer:
        with pytest.raises(Unavailable):
            await developers(peer).GetDeveloper(pb.GetDeveloperRequest(developer_id="d1"))
        game = await developers(peer).GetGame(pb.GetGameRequest(game_id="g1"))

    assert game.game.id == "g1"


def breaker_gauge() -> float | None:
    return REGISTRY.get_sample_value("grpc_client_breaker_state", {"peer": "developer-portal"})


def circuit_open_count() -> float:
    labels = {"peer": "developer-portal", "method": f"{SERVICE}/GetGame", "code": "CIRCUIT_OPEN"}
    return REGISTRY.get_sample_value("grpc_client_calls_total", labels) or 0.0


async def test_a_stopped_peer_opens_the_breaker_and_recovers(start_server, servicer) -> None:
    server = await start_server()
    port = server.port
    await server.stop(0)
    clock = Clock()
    config = peer_config(port, breaker_failure_threshold=3, max_attempts=1)
    async with PeerClient(config, clock=clock) as peer:
        stub = developers(peer)
        for _ in range(3):  # the peer is down: real attempts, each refused
            with pytest.raises(Unavailable) as caught:
                await stub.GetGame(pb.GetGameRequest(game_id="g1"))
            assert caught.value.code == "PEER_UNAVAILABLE"
        assert peer.breaker.state is BreakerState.OPEN and breaker_gauge() == 2

        await start_server(port)  # the peer is back, but the breaker has not looked yet
        refused_before = circuit_open_count()
        started = time.perf_counter()
        with pytest.raises(CircuitOpen) as caught:
            await stub.GetGame(pb.GetGameRequest(game_id="g1"))
        assert time.perf_counter() - started < 0.05
        assert caught.value.code == "CIRCUIT_OPEN"
        assert servicer.hits["GetGame"] == 0  # nothing was sent
        assert circuit_open_count() == refused_before + 1

        clock.now += 31  # past the reset timeout: the next call is the half-open trial
        response = await stub.GetGame(pb.GetGameRequest(game_id="g1"))

        assert response.game.id == "g1" and servicer.hits["GetGame"] == 1
        assert peer.breaker.state is BreakerState.CLOSED and breaker_gauge() == 0


async def test_a_failed_trial_reopens_the_breaker(start_server, servicer) -> None:
    server = await start_server()
    port = server.port
    await server.stop(0)
    clock = Clock()
    config = peer_config(port, breaker_failure_threshold=1, max_attempts=1, deadline_seconds=0.3)
    async with PeerClient(config, clock=clock) as peer:
        stub = developers(peer)
        with pytest.raises(Unavailable):
            await stub.GetGame(pb.GetGameRequest(game_id="g1"))
        clock.now += 31

        with pytest.raises(Unavailable) as caught:  # the trial, still no peer
            await stub.GetGame(pb.GetGameRequest(game_id="g1"))
        assert caught.value.code != "CIRCUIT_OPEN"

        assert peer.breaker.state is BreakerState.OPEN
        with pytest.raises(CircuitOpen):
            await stub.GetGame(pb.GetGameRequest(game_id="g1"))
