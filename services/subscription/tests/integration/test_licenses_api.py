"""Offline licenses through the app in process (real PostgreSQL, Redis, tokens) with a fake
access decision (``test_licenses_access.py`` has the real one): REST issue (201, the token
verified offline with the JWKS the service publishes, the row stored; Idempotency-Key; a denial
is 422 with the access reason; bad input 400), the public JWKS, and gRPC IssueOfflineLicense on
a real grpc.aio server (ErrorInfo on a denial, idempotency_key, service callers only)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import grpc
import httpx
import pytest
from google.rpc import error_details_pb2, status_pb2
from parovoz.subscription.v1 import subscription_service_pb2 as pb
from parovoz.subscription.v1 import subscription_service_pb2_grpc
from parovoz_kit.grpc import create_grpc_server
from parovoz_kit.grpc.interceptors import standard_server_interceptors
from parovoz_kit.infrastructure import Infrastructure
from parovoz_license import LicenseInvalid, verify_license
from parovoz_subscription.error_texts import RUSSIAN
from parovoz_subscription.grpc.callers import CALLERS
from parovoz_subscription.grpc.servicer import grpc_services
from parovoz_subscription.licenses.adapters import DECIDER
from parovoz_subscription.settings import SubscriptionSettings
from parovoz_subscription.unit_of_work import subscription_unit_of_work
from parovoz_testing.tokens import service_token, user_token

PREFIX = "/api/v1/subscriptions"
URL = f"{PREFIX}/offline-licenses"
JWKS = f"{PREFIX}/.well-known/jwks.json"


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    subscription_id: uuid.UUID | None = None
    access_until: datetime | None = None


@dataclass
class FakeAccess:
    """Access decided per (user, game): allowed where a test says so, else denied."""

    allowed: dict[tuple[uuid.UUID, uuid.UUID], Decision] = field(default_factory=dict)
    denied: dict[uuid.UUID, str] = field(default_factory=dict)
    calls: list[tuple[uuid.UUID, uuid.UUID, str, str | None]] = field(default_factory=list)

    async def __call__(self, uow, user_id, game_id, device_id, region, now) -> Decision:  # type: ignore[no-untyped-def]
        self.calls.append((user_id, game_id, device_id, region))
        if (user_id, game_id) in self.allowed:
            return self.allowed[user_id, game_id]
        return Decision(False, self.denied.get(user_id, "NO_ACTIVE_SUBSCRIPTION"))

    def allow(self, user_id: uuid.UUID, game_id: uuid.UUID, until: datetime) -> uuid.UUID:
        subscription_id = uuid.uuid4()
        self.allowed[user_id, game_id] = Decision(True, "GRANTED", subscription_id, until)
        return subscription_id


@pytest.fixture(scope="module")
def access(infrastructure: Infrastructure) -> FakeAccess:
    fake = FakeAccess()
    assert infrastructure.shared(DECIDER, lambda: fake) is fake, "decider built before the fake"
    return fake


def auth(user_id: uuid.UUID) -> dict[str, str]:
    return {"Authorization": f"Bearer {user_token(str(user_id))}"}


def _body(game_id: object, device_id: object = "launcher-1") -> dict[str, object]:
    return {
        "data": {
            "type": "offlineLicenseRequest",
            "attributes": {"game_id": str(game_id), "device_id": device_id},
        }
    }


async def _jwks(client: httpx.AsyncClient) -> dict[str, object]:
    response = await client.get(JWKS)
    assert response.status_code == 200
    return response.json()


async def test_a_license_is_issued_stored_and_verifies_with_the_published_keys(
    client: httpx.AsyncClient, access: FakeAccess, infrastructure: Infrastructure
) -> None:
    user_id, game_id = uuid.uuid4(), uuid.uuid4()
    now = infrastructure.clock.now()
    subscription_id = access.allow(user_id, game_id, now + timedelta(days=60))
    response = await client.post(URL, json=_body(game_id), headers=auth(user_id))
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    attributes = data["attributes"]
    assert data["type"] == "offlineLicense" and data["links"]["jwks"] == JWKS
    assert attributes["subscription_id"] == str(subscription_id)
    assert (attributes["user_id"], attributes["game_id"]) == (str(user_id), str(game_id))
    issued_at = datetime.fromisoformat(attributes["issued_at"])
    expires_at = datetime.fromisoformat(attributes["expires_at"])
    assert expires_at - issued_at == timedelta(days=14)
    assert abs(issued_at - now) < timedelta(seconds=30)
    assert access.calls[-1] == (user_id, game_id, "launcher-1", None)

    jwks = await _jwks(client)
    license = verify_license(
        attributes["token"], jwks, device_id="launcher-1", game_id=str(game_id), now=issued_at
    )
    assert license.id == data["id"] and license.key_id == attributes["key_id"]
    with pytest.raises(LicenseInvalid):
        verify_license(attributes["token"], jwks, device_id="launcher-2", now=issued_at)

    async with subscription_unit_of_work(infrastructure) as uow:
        stored = await uow.licenses.get(uuid.UUID(data["id"]))
    assert stored is not None
    assert (stored.user_id, stored.device_id, stored.expires_at) == (
        user_id,
        "launcher-1",
        expires_at,
    )


async def test_a_license_ends_with_the_access_that_grants_it(
    client: httpx.AsyncClient, access: FakeAccess, infrastructure: Infrastructure
) -> None:
    user_id, game_id = uuid.uuid4(), uuid.uuid4()
    ends = (infrastructure.clock.now() + timedelta(days=2)).replace(microsecond=0)
    access.allow(user_id, game_id, ends)
    response = await client.post(URL, json=_body(game_id), headers=auth(user_id))
    assert response.status_code == 201
    assert datetime.fromisoformat(response.json()["data"]["attributes"]["expires_at"]) == ends


async def test_renewal_is_a_new_license_and_a_key_replays_the_first(
    client: httpx.AsyncClient, access: FakeAccess, infrastructure: Infrastructure
) -> None:
    user_id, game_id = uuid.uuid4(), uuid.uuid4()
    access.allow(user_id, game_id, infrastructure.clock.now() + timedelta(days=60))
    headers = auth(user_id)
    first = await client.post(URL, json=_body(game_id), headers=headers)
    renewed = await client.post(URL, json=_body(game_id), headers=headers)
    assert first.json()["data"]["id"] != renewed.json()["data"]["id"]

    keyed = {**headers, "Idempotency-Key": str(uuid.uuid4())}
    once = await client.post(URL, json=_body(game_id), headers=keyed)
    again = await client.post(URL, json=_body(game_id), headers=keyed)
    assert once.status_code == again.status_code == 201
    assert again.json() == once.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    other = await client.post(URL, json=_body(game_id, "launcher-9"), headers=keyed)
    assert other.status_code == 422
    assert other.json()["errors"][0]["code"] == "IDEMPOTENCY_KEY_REUSED"
    async with subscription_unit_of_work(infrastructure) as uow:
        licenses = await uow.licenses.of_device(user_id, game_id, "launcher-1")
    assert len(licenses) == 3  # first, renewed, once (the replay issued nothing)


@pytest.mark.parametrize(
    "reason", ["GAME_NOT_IN_SUBSCRIPTION", "SUBSCRIPTION_SUSPENDED", "DEVICE_LIMIT_EXCEEDED"]
)
async def test_a_denial_is_422_with_the_access_reason(
    client: httpx.AsyncClient, access: FakeAccess, infrastructure: Infrastructure, reason: str
) -> None:
    user_id, game_id = uuid.uuid4(), uuid.uuid4()
    access.denied[user_id] = reason
    response = await client.post(URL, json=_body(game_id), headers=auth(user_id))
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["code"] == reason and error["status"] == "422"
    assert error["detail"] == f"{RUSSIAN[reason]} Офлайн-лицензия не выдаётся."
    async with subscription_unit_of_work(infrastructure) as uow:
        assert await uow.licenses.of_device(user_id, game_id, "launcher-1") == []


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        (_body("not-a-uuid"), "/data/attributes/game_id"),
        (_body(uuid.uuid4(), ""), "/data/attributes/device_id"),
        (_body(uuid.uuid4(), "x" * 129), "/data/attributes/device_id"),
        (_body(uuid.uuid4(), 12345), "/data/attributes/device_id"),
        ({"data": {"type": "other", "attributes": {}}}, "/data/type"),
    ],
)
async def test_bad_input_is_400_with_the_field(
    client: httpx.AsyncClient, access: FakeAccess, body: dict[str, object], pointer: str
) -> None:
    response = await client.post(URL, json=body, headers=auth(uuid.uuid4()))
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {e["code"] for e in errors} == {"VALIDATION_ERROR"}
    assert pointer in [e["source"]["pointer"] for e in errors]


async def test_a_token_is_required_to_issue(client: httpx.AsyncClient) -> None:
    response = await client.post(URL, json=_body(uuid.uuid4()))
    assert response.status_code == 401


async def test_the_jwks_is_public_cacheable_and_rfc_8037(client: httpx.AsyncClient) -> None:
    response = await client.get(JWKS)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=300"
    keys = response.json()["keys"]
    assert keys and all(
        (k["kty"], k["crv"], k["use"], k["alg"]) == ("OKP", "Ed25519", "sig", "EdDSA") for k in keys
    )
    assert len({k["kid"] for k in keys}) == len(keys)


# --- gRPC ------------------------------------------------------------------------------------
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


@pytest.fixture(scope="module")
def launcher() -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {service_token('launcher')}"),)


def _request(
    user_id: uuid.UUID, game_id: uuid.UUID, **fields: str
) -> pb.IssueOfflineLicenseRequest:
    return pb.IssueOfflineLicenseRequest(
        user_id=str(user_id), game_id=str(game_id), device_id="deck-1", **fields
    )


async def test_grpc_issues_a_license_and_replays_it_under_its_key(
    stub, launcher, access: FakeAccess, client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    user_id, game_id = uuid.uuid4(), uuid.uuid4()
    subscription_id = access.allow(user_id, game_id, infrastructure.clock.now() + timedelta(30))
    key = str(uuid.uuid4())
    request = _request(user_id, game_id, region="KZ", idempotency_key=key)
    reply = await stub.IssueOfflineLicense(request, metadata=launcher, timeout=10)
    license = reply.license
    assert (license.user_id, license.device_id) == (str(user_id), "deck-1")
    assert license.subscription_id == str(subscription_id)
    assert access.calls[-1] == (user_id, game_id, "deck-1", "KZ")
    expires = license.expires_at.ToDatetime()
    assert expires - license.issued_at.ToDatetime() == timedelta(days=14)
    verified = verify_license(
        license.token,
        await _jwks(client),
        device_id="deck-1",
        game_id=str(game_id),
        now=infrastructure.clock.now(),
    )
    assert verified.id == license.id and verified.key_id == license.key_id
    replay = await stub.IssueOfflineLicense(request, metadata=launcher, timeout=10)
    assert replay.license == license
    fresh = await stub.IssueOfflineLicense(
        _request(user_id, game_id, region="KZ"), metadata=launcher, timeout=10
    )
    assert fresh.license.id != license.id


async def test_grpc_denial_is_failed_precondition_with_error_info(
    stub, launcher, access: FakeAccess
) -> None:
    user_id, game_id = uuid.uuid4(), uuid.uuid4()
    access.denied[user_id] = "GAME_NOT_IN_SUBSCRIPTION"
    for key in ("", str(uuid.uuid4())):
        for _ in range(2):  # the second under a key is the stored refusal, replayed
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await stub.IssueOfflineLicense(
                    _request(user_id, game_id, idempotency_key=key),
                    metadata=launcher,
                    timeout=10,
                )
            error = caught.value
            assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
            assert error.details().startswith("GAME_NOT_IN_SUBSCRIPTION:")
            trailers = dict(error.trailing_metadata() or ())
            status = status_pb2.Status.FromString(trailers["grpc-status-details-bin"])
            info = error_details_pb2.ErrorInfo()
            assert status.details[0].Unpack(info)
            assert info.reason == "ACCESS_REASON_GAME_NOT_IN_CATALOG"
            assert info.metadata["code"] == "GAME_NOT_IN_SUBSCRIPTION"


@pytest.mark.parametrize(
    "fields",
    [
        {"user_id": "nope", "game_id": str(uuid.uuid4()), "device_id": "d"},
        {"user_id": str(uuid.uuid4()), "game_id": str(uuid.uuid4()), "device_id": ""},
        {
            "user_id": str(uuid.uuid4()),
            "game_id": str(uuid.uuid4()),
            "device_id": "d",
            "region": "rus",
        },
    ],
)
async def test_grpc_bad_input_is_invalid_argument(stub, launcher, fields: dict[str, str]) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.IssueOfflineLicense(
            pb.IssueOfflineLicenseRequest(**fields), metadata=launcher, timeout=10
        )
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_grpc_is_for_services_only(stub) -> None:
    for token in (user_token(str(uuid.uuid4())), service_token("subscription")):
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.IssueOfflineLicense(
                _request(uuid.uuid4(), uuid.uuid4()),
                metadata=(("authorization", f"Bearer {token}"),),
                timeout=10,
            )
        assert caught.value.code() in {
            grpc.StatusCode.PERMISSION_DENIED,
            grpc.StatusCode.UNAUTHENTICATED,
        }
