"""Offline licenses end to end, as `make dev` runs it: a rated game published at developer-portal
(its publication produced the way its outbox relay would), a plan with the game by an admin, a
trial subscription by a user; then through the gateway the public JWKS, a license issued (and
replayed under its Idempotency-Key), verified offline with the library and with the
`parovoz-verify-license` command (tampered and expired ones refused), a user without a
subscription refused with access's reason; and IssueOfflineLicense over gRPC."""

from __future__ import annotations

import asyncio
import base64
import json
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest
from confluent_kafka import Producer
from parovoz.subscription.v1 import subscription_service_pb2 as pb
from parovoz.subscription.v1.subscription_service_pb2_grpc import SubscriptionServiceStub
from parovoz_events.developer import GamePublished
from parovoz_kit.events.envelope import Event
from parovoz_license import LicenseExpired, LicenseInvalid, verify_license
from parovoz_testing.developer_portal import DEVELOPER, drafted_game
from parovoz_testing.platform import GATEWAY
from parovoz_testing.tokens import service_token, user_token

SUBSCRIPTIONS = f"{GATEWAY}/api/v1/subscriptions"
LICENSES = f"{SUBSCRIPTIONS}/offline-licenses"
JWKS = f"{SUBSCRIPTIONS}/.well-known/jwks.json"
USERS = "http://127.0.0.1:8092/users"
BROKER = "127.0.0.1:59092"
GRPC = "127.0.0.1:9093"
VERIFY = Path(sys.executable).parent / "parovoz-verify-license"


def bearer(user_id: uuid.UUID, *roles: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {user_token(str(user_id), roles=roles)}"}


def eventually(answer: Callable[[], httpx.Response], until: Callable[[httpx.Response], bool]):
    deadline = time.monotonic() + 60
    while True:
        got = answer()
        if until(got):
            return got
        assert time.monotonic() < deadline, f"never: {got.status_code} {got.text}"
        time.sleep(0.3)


@pytest.fixture(scope="module")
def game_id() -> uuid.UUID:
    owner = str(uuid.uuid4())

    async def draft() -> tuple[uuid.UUID, uuid.UUID]:
        async with httpx.AsyncClient(timeout=30) as http:
            game, developer = await drafted_game(http, owner)
            rated = await http.patch(
                f"{DEVELOPER}/games/{game}",
                headers={"Authorization": f"Bearer {user_token(owner)}"},
                json={"data": {"type": "game", "attributes": {"age_rating": "12+"}}},
            )
            assert rated.status_code == 200, rated.text
            return game, developer

    game, developer = asyncio.run(draft())
    now = datetime.now(UTC)
    published = GamePublished(
        developer_id=developer,
        game_id=game,
        version_id=uuid.uuid4(),
        published_at=now,
        published_by_user_id=None,
        first_published_at=now,
    )
    message = Event.from_data(published, source="/parovoz/developer-portal").to_kafka()
    producer = Producer({"bootstrap.servers": BROKER, "enable.idempotence": True})
    producer.produce(
        "developer.events.v1", key=message.key, value=message.value, headers=message.header_list()
    )
    assert producer.flush(10) == 0
    return game


@pytest.fixture(scope="module")
def plan_id(game_id: uuid.UUID) -> uuid.UUID:
    admin = bearer(uuid.uuid4(), "admin")
    created = httpx.post(
        f"{SUBSCRIPTIONS}/plans",
        headers={**admin, "Idempotency-Key": str(uuid.uuid4())},
        json={
            "data": {
                "type": "planCreation",
                "attributes": {
                    "name": f"Лицензии e2e {uuid.uuid4().hex[:6]}",
                    "description": "План e2e-теста офлайн-лицензий.",
                    "plan_type": "premium",
                    "features": [],
                    "trial_days": 14,
                    "max_devices": 3,
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
    plan = uuid.UUID(created.json()["data"]["id"])
    included = httpx.put(
        f"{SUBSCRIPTIONS}/plans/{plan}/catalog/{game_id}",
        headers=admin,
        json={"data": {"type": "planCatalogEntry", "attributes": {"mode": "included"}}},
        timeout=30,
    )
    assert included.status_code == 200, included.text
    return plan


def a_user() -> uuid.UUID:
    user_id = uuid.uuid4()
    body = {"birth_date": "1990-05-17", "region": "RU", "blocked": False}
    httpx.put(f"{USERS}/{user_id}", json=body, timeout=10).raise_for_status()
    return user_id


def a_subscriber(plan_id: uuid.UUID) -> tuple[uuid.UUID, dict[str, Any]]:
    user_id = a_user()
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
    subscription: dict[str, Any] = created.json()["data"]
    assert subscription["attributes"]["status"] == "trial"
    return user_id, subscription


def issue(
    user_id: uuid.UUID, game_id: uuid.UUID, device_id: str, key: str | None = None
) -> httpx.Response:
    headers = bearer(user_id) | ({"Idempotency-Key": key} if key else {})
    body = {
        "data": {
            "type": "offlineLicenseRequest",
            "attributes": {"game_id": str(game_id), "device_id": device_id},
        }
    }
    return httpx.post(LICENSES, headers=headers, json=body, timeout=30)


def verify_command(token: str, jwks_file: Path, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(VERIFY), token, "--jwks", str(jwks_file), *arguments],
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_the_jwks_is_public_and_cacheable() -> None:
    answer = httpx.get(JWKS, timeout=30)
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "public, max-age=300"
    keys = answer.json()["keys"]
    assert keys and {(k["kty"], k["crv"], k["alg"], k["use"]) for k in keys} == {
        ("OKP", "Ed25519", "EdDSA", "sig")
    }


def test_a_license_issued_through_the_gateway_verifies_offline(
    game_id: uuid.UUID, plan_id: uuid.UUID, tmp_path: Path
) -> None:
    user_id, subscription = a_subscriber(plan_id)
    key = str(uuid.uuid4())
    # The game reaches subscription's read model through the broker: retry until it has.
    issued = eventually(
        lambda: issue(user_id, game_id, "laptop", key=str(uuid.uuid4())),
        lambda answer: answer.status_code == 201,
    )
    first = issue(user_id, game_id, "laptop", key=key)
    assert first.status_code == 201, first.text
    replay = issue(user_id, game_id, "laptop", key=key)
    assert replay.status_code == 201 and replay.json() == first.json()
    assert first.json()["data"]["id"] != issued.json()["data"]["id"]  # renewal: a new one

    data = first.json()["data"]
    attributes = data["attributes"]
    assert attributes["subscription_id"] == subscription["id"]
    issued_at = datetime.fromisoformat(attributes["issued_at"])
    expires_at = datetime.fromisoformat(attributes["expires_at"])
    access_end = datetime.fromisoformat(subscription["attributes"]["current_period_end"])
    assert expires_at <= access_end and expires_at - issued_at <= timedelta(days=14)
    assert expires_at == min(issued_at + timedelta(days=14), access_end.replace(microsecond=0))

    jwks = httpx.get(JWKS, timeout=30).json()
    token = attributes["token"]
    license = verify_license(token, jwks, device_id="laptop", game_id=str(game_id), now=issued_at)
    assert (license.id, license.user_id) == (data["id"], str(user_id))
    with pytest.raises(LicenseInvalid):
        verify_license(token, jwks, device_id="phone", now=issued_at)
    with pytest.raises(LicenseExpired):
        verify_license(token, jwks, device_id="laptop", now=expires_at)

    jwks_file = tmp_path / "jwks.json"
    jwks_file.write_text(json.dumps(jwks))
    at = ["--at", issued_at.isoformat()]
    valid = verify_command(token, jwks_file, "--device", "laptop", "--game", str(game_id), *at)
    assert valid.returncode == 0, valid.stderr
    assert json.loads(valid.stdout)["id"] == data["id"]

    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["device"] = "another-laptop"
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    forged = f"{header}.{forged_payload}.{signature}"
    tampered = verify_command(forged, jwks_file, "--device", "another-laptop", *at)
    assert tampered.returncode == 1 and "OFFLINE_LICENSE_INVALID" in tampered.stderr
    expired = verify_command(
        token, jwks_file, "--device", "laptop", "--at", attributes["expires_at"]
    )
    assert expired.returncode == 1 and "OFFLINE_LICENSE_EXPIRED" in expired.stderr


def test_a_user_without_a_subscription_is_refused(game_id: uuid.UUID, plan_id: uuid.UUID) -> None:
    subscriber, _ = a_subscriber(plan_id)
    eventually(lambda: issue(subscriber, game_id, "pc"), lambda a: a.status_code == 201)
    refused = issue(a_user(), game_id, "pc")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["code"] == "NO_ACTIVE_SUBSCRIPTION"


def test_issue_offline_license_over_grpc(game_id: uuid.UUID, plan_id: uuid.UUID) -> None:
    user_id, subscription = a_subscriber(plan_id)
    eventually(lambda: issue(user_id, game_id, "pc"), lambda a: a.status_code == 201)
    metadata = (("authorization", f"Bearer {service_token('launcher')}"),)
    request = pb.IssueOfflineLicenseRequest(
        idempotency_key=str(uuid.uuid4()),
        user_id=str(user_id),
        game_id=str(game_id),
        device_id="deck",
        region="RU",
    )
    with grpc.insecure_channel(GRPC) as channel:
        stub = SubscriptionServiceStub(channel)
        reply = stub.IssueOfflineLicense(request, metadata=metadata, timeout=10)
        again = stub.IssueOfflineLicense(request, metadata=metadata, timeout=10)
        assert again.license == reply.license
        assert reply.license.subscription_id == subscription["id"]
        jwks = httpx.get(JWKS, timeout=30).json()
        verified = verify_license(
            reply.license.token,
            jwks,
            device_id="deck",
            game_id=str(game_id),
            now=reply.license.issued_at.ToDatetime(tzinfo=UTC),
        )
        assert verified.id == reply.license.id
        with pytest.raises(grpc.RpcError) as refused:
            stub.IssueOfflineLicense(
                pb.IssueOfflineLicenseRequest(
                    user_id=str(a_user()), game_id=str(game_id), device_id="deck"
                ),
                metadata=metadata,
                timeout=10,
            )
        assert refused.value.code() is grpc.StatusCode.FAILED_PRECONDITION
        assert (refused.value.details() or "").startswith("NO_ACTIVE_SUBSCRIPTION:")
