"""Access end to end, as `make dev` runs it: a game drafted and rated at developer-portal (its
publication produced the way its outbox relay would), a plan and its catalog by an admin, a
trial subscription by a user, then the decision through the gateway (REST) and over gRPC
(CheckAccess with a service token), the device limit and its removal, and the answers that
change when the subscription is cancelled or the game is unpublished."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import grpc
import httpx
import pytest
from confluent_kafka import Producer
from parovoz.subscription.v1 import subscription_service_pb2 as pb
from parovoz.subscription.v1.subscription_service_pb2_grpc import SubscriptionServiceStub
from parovoz_events.developer import GamePublished, GameUnpublished
from parovoz_kit.events.envelope import Event
from parovoz_testing.developer_portal import DEVELOPER, drafted_game
from parovoz_testing.platform import GATEWAY
from parovoz_testing.tokens import service_token, user_token

SUBSCRIPTIONS = f"{GATEWAY}/api/v1/subscriptions"
USERS = "http://127.0.0.1:8092/users"
BROKER = "127.0.0.1:59092"
GRPC = "127.0.0.1:9093"


def bearer(user_id: uuid.UUID, *roles: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {user_token(str(user_id), roles=roles)}"}


def produce(event: Any) -> None:
    message = Event.from_data(event, source="/parovoz/developer-portal").to_kafka()
    producer = Producer({"bootstrap.servers": BROKER, "enable.idempotence": True})
    producer.produce(
        "developer.events.v1", key=message.key, value=message.value, headers=message.header_list()
    )
    assert producer.flush(10) == 0


def eventually(answer: Callable[[], dict[str, Any]], until: Callable[[dict[str, Any]], bool]):
    deadline = time.monotonic() + 60
    while True:
        got = answer()
        if until(got):
            return got
        assert time.monotonic() < deadline, f"never: {got}"
        time.sleep(0.3)


@pytest.fixture(scope="module")
def published_game() -> Iterator[tuple[uuid.UUID, uuid.UUID]]:
    owner = str(uuid.uuid4())

    async def draft() -> tuple[uuid.UUID, uuid.UUID]:
        async with httpx.AsyncClient(timeout=30) as http:
            game_id, developer_id = await drafted_game(http, owner)
            answer = await http.patch(
                f"{DEVELOPER}/games/{game_id}",
                headers={"Authorization": f"Bearer {user_token(owner)}"},
                json={
                    "data": {
                        "type": "game",
                        "attributes": {"age_rating": "16+", "regions": ["RU", "KZ"]},
                    }
                },
            )
            assert answer.status_code == 200, answer.text
            return game_id, developer_id

    import asyncio

    game_id, developer_id = asyncio.run(draft())
    now = datetime.now(UTC)
    produce(
        GamePublished(
            developer_id=developer_id,
            game_id=game_id,
            version_id=uuid.uuid4(),
            published_at=now,
            published_by_user_id=None,
            first_published_at=now,
        )
    )
    yield game_id, developer_id


@pytest.fixture(scope="module")
def plan(published_game: tuple[uuid.UUID, uuid.UUID]) -> uuid.UUID:
    game_id, _ = published_game
    admin = bearer(uuid.uuid4(), "admin")
    created = httpx.post(
        f"{SUBSCRIPTIONS}/plans",
        headers={**admin, "Idempotency-Key": str(uuid.uuid4())},
        json={
            "data": {
                "type": "planCreation",
                "attributes": {
                    "name": f"Доступ e2e {uuid.uuid4().hex[:6]}",
                    "description": "План e2e-теста доступа.",
                    "plan_type": "premium",
                    "features": [],
                    "trial_days": 14,
                    "max_devices": 2,
                    "new_releases": False,
                    "available_regions": ["RU"],
                    "prices": [
                        {
                            "region": "RU",
                            "billing_period": "monthly",
                            "amount_minor": 39900,
                            "currency": "RUB",
                        }
                    ],
                },
            }
        },
        timeout=30,
    )
    assert created.status_code == 201, created.text
    plan_id = uuid.UUID(created.json()["data"]["id"])
    included = httpx.put(
        f"{SUBSCRIPTIONS}/plans/{plan_id}/catalog/{game_id}",
        headers=admin,
        json={"data": {"type": "planCatalogEntry", "attributes": {"mode": "included"}}},
        timeout=30,
    )
    assert included.status_code == 200, included.text
    return plan_id


def a_user(birth_date: str = "1990-05-17", region: str = "RU") -> uuid.UUID:
    user_id = uuid.uuid4()
    body = {"birth_date": birth_date, "region": region, "blocked": False}
    httpx.put(f"{USERS}/{user_id}", json=body, timeout=10).raise_for_status()
    return user_id


def access(user_id: uuid.UUID, game_id: uuid.UUID, device_id: str) -> dict[str, Any]:
    answer = httpx.get(
        f"{SUBSCRIPTIONS}/access",
        params={"game_id": str(game_id), "device_id": device_id},
        headers=bearer(user_id),
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    attributes: dict[str, Any] = answer.json()["data"]["attributes"]
    return attributes


def subscribe(user_id: uuid.UUID, plan_id: uuid.UUID) -> dict[str, Any]:
    created = httpx.post(
        SUBSCRIPTIONS,
        headers={**bearer(user_id), "Idempotency-Key": str(uuid.uuid4())},
        json={
            "data": {
                "type": "subscriptionCreation",
                "attributes": {
                    "plan_id": str(plan_id),
                    "billing_period": "monthly",
                    "region": "RU",
                },
            }
        },
        timeout=30,
    )
    assert created.status_code == 201, created.text
    document: dict[str, Any] = created.json()["data"]
    return document


def test_access_through_the_gateway_and_grpc(published_game, plan) -> None:
    game_id, _ = published_game
    user_id = a_user()
    before = eventually(
        lambda: access(user_id, game_id, "pc"),
        lambda a: a["reason"] == "NO_ACTIVE_SUBSCRIPTION",
    )
    assert before["allowed"] is False and before["device_limit"] == 3

    subscription = subscribe(user_id, plan)
    assert subscription["attributes"]["status"] == "trial"
    allowed = access(user_id, game_id, "pc")
    assert allowed["allowed"] is True and allowed["reason"] == "GRANTED"
    assert allowed["subscription_id"] == subscription["id"]
    assert allowed["subscription_status"] == "trial" and allowed["plan_id"] == str(plan)
    assert datetime.fromisoformat(allowed["access_until"]) == datetime.fromisoformat(
        subscription["attributes"]["current_period_end"]
    )
    assert (allowed["devices_used"], allowed["device_limit"]) == (1, 2)

    with grpc.insecure_channel(GRPC) as channel:
        stub = SubscriptionServiceStub(channel)
        metadata = (("authorization", f"Bearer {service_token('launcher')}"),)
        reply = stub.CheckAccess(
            pb.CheckAccessRequest(user_id=str(user_id), game_id=str(game_id), device_id="tv"),
            metadata=metadata,
            timeout=10,
        )
        assert reply.allowed and reply.reason == pb.ACCESS_REASON_GRANTED
        assert reply.subscription_id == subscription["id"]
        assert reply.subscription_status == pb.SUBSCRIPTION_STATUS_TRIAL
        assert (reply.devices_used, reply.device_limit) == (2, 2)
        with pytest.raises(grpc.RpcError) as refused:
            stub.CheckAccess(
                pb.CheckAccessRequest(user_id="nope", game_id=str(game_id), device_id="tv"),
                metadata=metadata,
                timeout=10,
            )
        assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT
        assert "user_id" in (refused.value.details() or "")

    third = access(user_id, game_id, "phone")
    assert third["allowed"] is False and third["reason"] == "DEVICE_LIMIT_EXCEEDED"
    devices = httpx.get(f"{SUBSCRIPTIONS}/devices", headers=bearer(user_id), timeout=30)
    assert sorted(d["id"] for d in devices.json()["data"]) == ["pc", "tv"]
    removed = httpx.delete(f"{SUBSCRIPTIONS}/devices/tv", headers=bearer(user_id), timeout=30)
    assert removed.status_code == 204
    assert access(user_id, game_id, "phone")["allowed"] is True

    cancelled = httpx.post(
        f"{SUBSCRIPTIONS}/{subscription['id']}/cancel",
        headers=bearer(user_id),
        json={"data": {"type": "subscriptionCancellation", "attributes": {"reason": "e2e"}}},
        timeout=30,
    )
    assert cancelled.status_code == 200, cancelled.text
    after = access(user_id, game_id, "pc")
    assert after["allowed"] is True and after["subscription_status"] == "cancelled"


def test_a_child_is_refused_an_older_game(published_game, plan) -> None:
    game_id, _ = published_game
    child = a_user(birth_date="2016-01-01")
    subscribe(child, plan)
    refused = eventually(lambda: access(child, game_id, "pc"), lambda a: "reason" in a)
    assert refused["allowed"] is False and refused["reason"] == "AGE_RESTRICTION_VIOLATION"


def test_an_unpublished_game_is_no_longer_available(published_game, plan) -> None:
    game_id, developer_id = published_game
    user_id = a_user()
    subscribe(user_id, plan)
    eventually(lambda: access(user_id, game_id, "pc"), lambda a: a["allowed"] is True)
    produce(
        GameUnpublished(
            developer_id=developer_id,
            game_id=game_id,
            unpublished_at=datetime.now(UTC),
            unpublished_by_user_id=None,
            reason="e2e",
        )
    )
    gone = eventually(lambda: access(user_id, game_id, "pc"), lambda a: not a["allowed"])
    assert gone["reason"] == "GAME_NOT_AVAILABLE"
