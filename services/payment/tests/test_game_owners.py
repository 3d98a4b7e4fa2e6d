"""Who earns from a game: payment's read model first, developer-portal's GetGame when it
misses (a real gRPC call with a service token, a deadline and a breaker).

Runs against the platform `make dev` / `make test` start (developer-portal on 9091)."""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from developer_portal_support import drafted_game
from parovoz_kit.errors import NotFound, Unavailable
from parovoz_kit.infrastructure import Infrastructure, open_infrastructure
from parovoz_payment.clients.developer_portal import IDEMPOTENT_METHODS, DeveloperPortalCatalogue
from parovoz_payment.db.game_owners import SqlGameOwners
from parovoz_payment.db.tables import game_owners
from parovoz_payment.domain.games import owner_of_game
from parovoz_payment.settings import PaymentSettings
from sqlalchemy import delete, select


@pytest.fixture
async def infrastructure() -> AsyncIterator[Infrastructure]:
    async with open_infrastructure(PaymentSettings(environment="test")) as infra:
        yield infra


def _catalogue(infrastructure: Infrastructure) -> DeveloperPortalCatalogue:
    target = infrastructure.settings.developer_portal_grpc_target
    return DeveloperPortalCatalogue(
        infrastructure.peer("developer-portal", target, IDEMPOTENT_METHODS)
    )


async def test_a_read_model_miss_is_answered_by_developer_portal(
    infrastructure: Infrastructure,
) -> None:
    async with httpx.AsyncClient() as http:
        game = await drafted_game(http, str(uuid.uuid4()))
    game_id, developer_id = str(game.game_id), str(game.developer_id)
    # Make sure the read model misses, whether or not the event has arrived yet.
    async with infrastructure.session_factory.begin() as session:
        await session.execute(delete(game_owners).where(game_owners.c.game_id == game_id))

    async with infrastructure.session_factory.begin() as session:
        owner = await owner_of_game(
            uuid.UUID(game_id), SqlGameOwners(session), _catalogue(infrastructure)
        )
    assert str(owner.developer_id) == developer_id
    async with infrastructure.session_factory() as session:
        row = (
            await session.execute(select(game_owners).where(game_owners.c.game_id == game_id))
        ).one()
    assert row.learned_from in {"grpc", "event"}  # the event may land right after
    assert str(row.developer_id) == developer_id


async def test_an_unknown_game_is_not_found(infrastructure: Infrastructure) -> None:
    async with infrastructure.session_factory() as session:
        with pytest.raises(NotFound):
            await owner_of_game(uuid.uuid4(), SqlGameOwners(session), _catalogue(infrastructure))


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_a_stopped_peer_fails_fast_once_the_breaker_opens(
    infrastructure: Infrastructure,
) -> None:
    settings = infrastructure.settings
    peer = infrastructure.peer("developer-portal-stopped", f"127.0.0.1:{_closed_port()}", ())
    catalogue = DeveloperPortalCatalogue(peer)
    for _ in range(settings.grpc_client_breaker_failure_threshold):
        with pytest.raises(Unavailable):
            await catalogue.game_owner(uuid.uuid4())
    started = time.perf_counter()
    with pytest.raises(Unavailable) as error:
        await catalogue.game_owner(uuid.uuid4())
    assert error.value.code == "CIRCUIT_OPEN"
    assert time.perf_counter() - started < 0.05
