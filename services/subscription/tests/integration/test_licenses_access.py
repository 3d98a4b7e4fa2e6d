"""Offline licenses with the real access decision (CheckAccess's, on the real engines): a
subscriber of a plan with the game gets a license ending no later than the paid period; the
game outside the catalog, a suspended subscription, a device over the limit and an unknown
game are refused with access's own reasons; gRPC alike."""

from __future__ import annotations

import sys
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import grpc
import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))  # its *_support modules
from access_support import a_game, a_plan, a_subscription, move, put_profile
from google.rpc import error_details_pb2, status_pb2
from parovoz.subscription.v1 import subscription_service_pb2 as pb
from parovoz.subscription.v1 import subscription_service_pb2_grpc
from parovoz_kit.grpc import create_grpc_server
from parovoz_kit.grpc.interceptors import standard_server_interceptors
from parovoz_kit.infrastructure import Infrastructure
from parovoz_license import verify_license
from parovoz_subscription.grpc.callers import CALLERS
from parovoz_subscription.grpc.servicer import grpc_services
from parovoz_subscription.settings import SubscriptionSettings
from parovoz_subscription.subscriptions.domain import SubscriptionStatus
from parovoz_subscription.unit_of_work import subscription_unit_of_work
from parovoz_testing.tokens import service_token, user_token

PREFIX = "/api/v1/subscriptions"
URL = f"{PREFIX}/offline-licenses"
S = SubscriptionStatus


def auth(user_id: uuid.UUID) -> dict[str, str]:
    return {"Authorization": f"Bearer {user_token(str(user_id))}"}


def _body(game_id: uuid.UUID, device_id: str = "pc-1") -> dict[str, object]:
    return {
        "data": {
            "type": "offlineLicenseRequest",
            "attributes": {"game_id": str(game_id), "device_id": device_id},
        }
    }


async def _subscriber(
    infrastructure: Infrastructure,
    now: datetime,
    *,
    in_catalog: bool = True,
    period_end: timedelta = timedelta(days=20),
    max_devices: int = 3,
) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID, datetime]:
    """A user with an active subscription to a plan (with the game unless ``in_catalog`` is
    False): (user, game, subscription, its period end)."""
    user_id = uuid.uuid4()
    put_profile(user_id)
    game_id = await a_game(infrastructure, now)
    games = (game_id,) if in_catalog else ()
    plan_id = await a_plan(infrastructure, now, games=games, max_devices=max_devices)
    subscription = await a_subscription(
        infrastructure, user_id, plan_id, now, period_end=period_end
    )
    return user_id, game_id, subscription.id, subscription.current_period_end


async def _refusal(client: httpx.AsyncClient, user_id, game_id, device_id="pc-1") -> dict:  # type: ignore[no-untyped-def]
    response = await client.post(URL, json=_body(game_id, device_id), headers=auth(user_id))
    assert response.status_code in (404, 422), response.text
    (error,) = response.json()["errors"]
    return error


async def test_a_subscriber_gets_a_license_for_14_days(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    now = infrastructure.clock.now()
    user_id, game_id, subscription_id, _ = await _subscriber(infrastructure, now)
    response = await client.post(URL, json=_body(game_id), headers=auth(user_id))
    assert response.status_code == 201, response.text
    attributes = response.json()["data"]["attributes"]
    assert attributes["subscription_id"] == str(subscription_id)
    issued_at = datetime.fromisoformat(attributes["issued_at"])
    expires_at = datetime.fromisoformat(attributes["expires_at"])
    assert expires_at - issued_at == timedelta(days=14)
    jwks = (await client.get(f"{PREFIX}/.well-known/jwks.json")).json()
    license = verify_license(
        attributes["token"], jwks, device_id="pc-1", game_id=str(game_id), now=issued_at
    )
    assert license.subscription_id == str(subscription_id)
    # The device was registered by the decision, as CheckAccess registers it.
    async with subscription_unit_of_work(infrastructure) as uow:
        assert "pc-1" in await uow.access.registered_ids(user_id)


async def test_a_license_ends_with_the_paid_period(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    now = infrastructure.clock.now()
    user_id, game_id, _, period_end = await _subscriber(
        infrastructure, now, period_end=timedelta(days=3, hours=5)
    )
    response = await client.post(URL, json=_body(game_id), headers=auth(user_id))
    assert response.status_code == 201, response.text
    expires_at = datetime.fromisoformat(response.json()["data"]["attributes"]["expires_at"])
    assert expires_at == period_end.replace(microsecond=0)


async def test_access_denials_are_refused_with_their_reason(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    now = infrastructure.clock.now()
    user_id, game_id, _, _ = await _subscriber(infrastructure, now, in_catalog=False)
    assert (await _refusal(client, user_id, game_id))["code"] == "GAME_NOT_IN_SUBSCRIPTION"

    user_id, game_id, subscription_id, _ = await _subscriber(infrastructure, now)
    await move(infrastructure, subscription_id, now, S.PENDING_PAYMENT, S.SUSPENDED)
    assert (await _refusal(client, user_id, game_id))["code"] == "SUBSCRIPTION_SUSPENDED"

    stranger = uuid.uuid4()
    put_profile(stranger)
    assert (await _refusal(client, stranger, game_id))["code"] == "NO_ACTIVE_SUBSCRIPTION"

    error = await _refusal(client, stranger, uuid.uuid4())
    assert (error["status"], error["code"]) == ("404", "GAME_NOT_FOUND")
    async with subscription_unit_of_work(infrastructure) as uow:
        assert await uow.licenses.of_device(user_id, game_id, "pc-1") == []


async def test_a_device_over_the_limit_gets_no_license(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    now = infrastructure.clock.now()
    user_id, game_id, _, _ = await _subscriber(infrastructure, now, max_devices=1)
    first = await client.post(URL, json=_body(game_id, "pc-1"), headers=auth(user_id))
    assert first.status_code == 201
    assert (await _refusal(client, user_id, game_id, "pc-2"))["code"] == "DEVICE_LIMIT_EXCEEDED"
    again = await client.post(URL, json=_body(game_id, "pc-1"), headers=auth(user_id))
    assert again.status_code == 201  # renewal on the registered device


@pytest.fixture(scope="module")
async def stub(
    infrastructure: Infrastructure,
) -> AsyncIterator[subscription_service_pb2_grpc.SubscriptionServiceStub]:
    settings = SubscriptionSettings(environment="test", grpc_port=0)
    server = create_grpc_server(
        settings,
        grpc_services(infrastructure),
        standard_server_interceptors(infrastructure.verifier, callers=CALLERS),
    )
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
            yield subscription_service_pb2_grpc.SubscriptionServiceStub(channel)
    finally:
        await server.stop(0)


async def test_grpc_issues_for_a_subscriber_and_refuses_with_the_access_reason(
    stub, infrastructure: Infrastructure
) -> None:
    metadata = (("authorization", f"Bearer {service_token('launcher')}"),)
    now = infrastructure.clock.now()
    user_id, game_id, subscription_id, _ = await _subscriber(infrastructure, now)
    request = pb.IssueOfflineLicenseRequest(
        user_id=str(user_id), game_id=str(game_id), device_id="deck-1", region="RU"
    )
    reply = await stub.IssueOfflineLicense(request, metadata=metadata, timeout=10)
    assert reply.license.subscription_id == str(subscription_id)

    outsider, other_game, _, _ = await _subscriber(infrastructure, now, in_catalog=False)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.IssueOfflineLicense(
            pb.IssueOfflineLicenseRequest(
                user_id=str(outsider), game_id=str(other_game), device_id="deck-1"
            ),
            metadata=metadata,
            timeout=10,
        )
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    trailers = dict(caught.value.trailing_metadata() or ())
    info = error_details_pb2.ErrorInfo()
    status_pb2.Status.FromString(trailers["grpc-status-details-bin"]).details[0].Unpack(info)
    assert info.reason == "ACCESS_REASON_GAME_NOT_IN_CATALOG"
