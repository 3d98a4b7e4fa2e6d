"""API keys on the real engines (the app in process, PostgreSQL, Redis, the auth stand-in's real
tokens): create (shown once, stored hashed), list, revoke; a key authenticates ``CurrentActor``
routes as its account's editor, is refused elsewhere, stops when revoked or expired, and is
rate limited per minute in Redis (the clock is moved, never slept on)."""

from __future__ import annotations

import dataclasses
import hashlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import APIRouter
from parovoz_developer_portal.main import SERVICE
from parovoz_developer_portal.settings import DeveloperPortalSettings
from parovoz_developer_portal.team.api import CurrentActor
from parovoz_kit.clock import ManualClock
from parovoz_kit.infrastructure import Infrastructure, open_infrastructure
from parovoz_kit.service import build_app, job_runner
from parovoz_testing.tokens import user_token
from sqlalchemy import text

PREFIX = "/api/v1/developer"
KEYS = f"{PREFIX}/api-keys"
PER_MINUTE = 5
MAX_KEYS = 3
START = datetime(2101, 3, 1, 12, 0, 10, tzinfo=UTC)


@pytest.fixture(scope="module")
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture(scope="module")
async def infrastructure(clock: ManualClock) -> AsyncIterator[Infrastructure]:
    settings = DeveloperPortalSettings(
        environment="test",
        api_key_requests_per_minute=PER_MINUTE,
        api_key_max_active_keys=MAX_KEYS,
    )
    async with open_infrastructure(settings) as infra:
        yield dataclasses.replace(infra, clock=clock)


@pytest.fixture(scope="module")
async def client(infrastructure: Infrastructure) -> AsyncIterator[httpx.AsyncClient]:
    app = build_app(SERVICE, infrastructure, job_runner(SERVICE, infrastructure))
    probe = APIRouter()

    @probe.get("/test-probe/actor")
    async def who(actor: CurrentActor) -> dict[str, Any]:
        return {
            "developer_id": str(actor.developer_id),
            "user_id": str(actor.user_id),
            "role": actor.role.value,
            "api_key_id": str(actor.api_key_id) if actor.api_key_id else None,
        }

    app.include_router(probe)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal") as http:
        yield http


#: conftest's Studio: a developer account (``owner``, ``developer_id``, ``member(role)``).
Studio = Any


def auth(user_id: uuid.UUID) -> dict[str, str]:
    return {"Authorization": f"Bearer {user_token(str(user_id))}"}


def creation(name: str = "CI", **attributes: Any) -> dict[str, Any]:
    return {"data": {"type": "apiKeyCreation", "attributes": {"name": name, **attributes}}}


async def create_key(studio: Studio, user: uuid.UUID | None = None, **attributes: Any) -> dict:
    answer = await studio.client.post(
        KEYS, json=creation(**attributes), headers=auth(user or studio.owner)
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json()["data"])


async def probe(client: httpx.AsyncClient, headers: dict[str, str]) -> httpx.Response:
    return await client.get("/test-probe/actor", headers=headers)


async def test_a_key_is_shown_once_stored_hashed_and_listed_without_it(
    studio: Studio, infrastructure: Infrastructure
) -> None:
    created = await create_key(studio, expires_at="2102-01-01T00:00:00Z")
    plain = created["attributes"]["key"]
    assert plain.startswith("pk_live_") and len(plain) >= len("pk_live_") + 43
    assert plain.startswith(created["attributes"]["prefix"])
    assert created["attributes"]["status"] == "active"

    async with infrastructure.session_factory() as session:
        row = (
            await session.execute(
                text("SELECT * FROM developer_api_keys WHERE id = :id"), {"id": created["id"]}
            )
        ).one()
    assert row.key_hash == hashlib.sha256(plain.encode()).hexdigest()
    assert plain not in {str(value) for value in row}

    listed = await studio.client.get(KEYS, headers=auth(studio.owner))
    assert listed.status_code == 200
    assert plain not in listed.text and row.key_hash not in listed.text
    (entry,) = listed.json()["data"]
    assert entry["id"] == created["id"]
    assert entry["attributes"]["name"] == "CI"
    assert entry["attributes"]["created_by_user_id"] == str(studio.owner)
    assert entry["attributes"]["expires_at"].startswith("2102-01-01")
    assert "key" not in entry["attributes"]


async def test_a_replayed_creation_never_shows_the_key_again(studio: Studio) -> None:
    headers = {**auth(studio.owner), "Idempotency-Key": str(uuid.uuid4())}
    first = await studio.client.post(KEYS, json=creation(), headers=headers)
    again = await studio.client.post(KEYS, json=creation(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["data"]["attributes"]["key"].startswith("pk_live_")
    assert again.json()["data"]["id"] == first.json()["data"]["id"]
    assert again.json()["data"]["attributes"]["key"] is None
    listed = await studio.client.get(KEYS, headers=auth(studio.owner))
    assert len(listed.json()["data"]) == 1


@pytest.mark.parametrize("role", ["editor", "finance", "viewer"])
async def test_only_owner_and_admin_manage_keys(studio: Studio, role: str) -> None:
    member = await studio.member(role)
    for answer in (
        await studio.client.post(KEYS, json=creation(), headers=auth(member)),
        await studio.client.get(KEYS, headers=auth(member)),
        await studio.client.delete(f"{KEYS}/{uuid.uuid4()}", headers=auth(member)),
    ):
        assert answer.status_code in (403, 404), answer.text
    assert (
        await studio.client.post(KEYS, json=creation(), headers=auth(member))
    ).status_code == 403
    admin = await studio.member("admin")
    assert (await create_key(studio, admin))["attributes"]["created_by_user_id"] == str(admin)


async def test_the_active_keys_are_limited_and_a_revoked_one_frees_a_place(studio: Studio) -> None:
    keys = [await create_key(studio, name=f"k{n}") for n in range(MAX_KEYS)]
    refused = await studio.client.post(KEYS, json=creation(), headers=auth(studio.owner))
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["code"] == "API_KEY_LIMIT_REACHED"
    gone = await studio.client.delete(f"{KEYS}/{keys[0]['id']}", headers=auth(studio.owner))
    assert gone.status_code == 204
    await create_key(studio)


async def test_an_expiry_in_the_past_and_a_malformed_body_are_refused(studio: Studio) -> None:
    past = await studio.client.post(
        KEYS, json=creation(expires_at="2001-01-01T00:00:00Z"), headers=auth(studio.owner)
    )
    assert past.status_code == 422
    assert past.json()["errors"][0]["code"] == "API_KEY_EXPIRY_IN_PAST"
    for bad in (creation(name=""), creation(name=5), creation(expires_at=12), {"data": {}}):
        answer = await studio.client.post(KEYS, json=bad, headers=auth(studio.owner))
        assert answer.status_code == 400, answer.text


async def test_a_key_acts_as_its_accounts_editor_by_either_header(
    studio: Studio, clock: ManualClock
) -> None:
    created = await create_key(studio)
    plain = created["attributes"]["key"]
    for headers in ({"X-Api-Key": plain}, {"Authorization": f"Bearer {plain}"}):
        clock.advance(timedelta(minutes=1))
        answer = await probe(studio.client, headers)
        assert answer.status_code == 200, answer.text
        assert answer.json() == {
            "developer_id": str(studio.developer_id),
            "user_id": str(studio.owner),
            "role": "editor",
            "api_key_id": created["id"],
        }
    # A user token still works on the same route.
    user = await probe(studio.client, auth(studio.owner))
    assert user.json()["role"] == "owner" and user.json()["api_key_id"] is None


async def test_last_used_is_recorded_at_most_once_a_minute(
    studio: Studio, clock: ManualClock
) -> None:
    plain = (await create_key(studio))["attributes"]["key"]

    async def last_used() -> str | None:
        (entry,) = (await studio.client.get(KEYS, headers=auth(studio.owner))).json()["data"]
        value: str | None = entry["attributes"]["last_used_at"]
        return value

    assert await last_used() is None
    clock.advance(timedelta(minutes=1))
    first_use = clock.now()
    assert (await probe(studio.client, {"X-Api-Key": plain})).status_code == 200
    assert datetime.fromisoformat(str(await last_used())) == first_use
    clock.advance(timedelta(seconds=20))
    assert (await probe(studio.client, {"X-Api-Key": plain})).status_code == 200
    assert datetime.fromisoformat(str(await last_used())) == first_use
    clock.advance(timedelta(seconds=50))
    assert (await probe(studio.client, {"X-Api-Key": plain})).status_code == 200
    assert datetime.fromisoformat(str(await last_used())) == clock.now()


async def test_unknown_revoked_and_expired_keys_are_401_alike(
    studio: Studio, clock: ManualClock
) -> None:
    revoked = await create_key(studio, name="revoked")
    expiring = await create_key(
        studio, name="expiring", expires_at=(clock.now() + timedelta(hours=1)).isoformat()
    )
    await studio.client.delete(f"{KEYS}/{revoked['id']}", headers=auth(studio.owner))
    real = expiring["attributes"]["key"]
    assert (await probe(studio.client, {"X-Api-Key": real})).status_code == 200
    clock.advance(timedelta(hours=1, seconds=1))
    answers = [
        await probe(studio.client, {"X-Api-Key": key})
        for key in (
            revoked["attributes"]["key"],
            real,
            real[:-4] + ("AAAA" if not real.endswith("AAAA") else "BBBB"),  # right prefix
            "pk_live_" + "x" * 43,
            "not-a-key",
        )
    ]
    assert [answer.status_code for answer in answers] == [401] * 5
    bodies = {answer.json()["errors"][0]["code"] for answer in answers}
    assert bodies == {"API_KEY_INVALID"}
    assert len({answer.json()["errors"][0]["detail"] for answer in answers}) == 1
    listed = (await studio.client.get(KEYS, headers=auth(studio.owner))).json()["data"]
    assert {entry["attributes"]["status"] for entry in listed} == {"revoked", "expired"}


async def test_a_key_is_refused_on_routes_for_user_tokens(studio: Studio) -> None:
    plain = (await create_key(studio))["attributes"]["key"]
    for headers in ({"X-Api-Key": plain}, {"Authorization": f"Bearer {plain}"}):
        for method, path in (
            ("GET", KEYS),
            ("POST", f"{PREFIX}/games"),
            ("GET", f"{PREFIX}/accounts/me"),
        ):
            answer = await studio.client.request(method, path, headers=headers, json={})
            assert answer.status_code == 401, (method, path, answer.text)


async def test_a_key_is_rate_limited_per_minute_with_retry_after(
    studio: Studio, clock: ManualClock
) -> None:
    plain = (await create_key(studio))["attributes"]["key"]
    other = (await create_key(studio, name="other"))["attributes"]["key"]
    clock.set(datetime(2101, 4, 1, 0, 0, 15, tzinfo=UTC))
    for _ in range(PER_MINUTE):
        assert (await probe(studio.client, {"X-Api-Key": plain})).status_code == 200
    limited = await probe(studio.client, {"X-Api-Key": plain})
    assert limited.status_code == 429
    assert limited.json()["errors"][0]["code"] == "API_KEY_RATE_LIMITED"
    assert limited.headers["Retry-After"] == "45"
    # Another key of the same account has its own allowance.
    assert (await probe(studio.client, {"X-Api-Key": other})).status_code == 200
    clock.advance(timedelta(seconds=45))
    assert (await probe(studio.client, {"X-Api-Key": plain})).status_code == 200


async def test_another_accounts_key_cannot_be_revoked_and_is_404(
    studio: Studio, new_studio: Any
) -> None:
    mine = await create_key(studio)
    theirs = await new_studio()
    answer = await studio.client.delete(f"{KEYS}/{mine['id']}", headers=auth(theirs.owner))
    assert answer.status_code == 404
    listed = (await theirs.client.get(KEYS, headers=auth(theirs.owner))).json()["data"]
    assert listed == []
    assert (await probe(studio.client, {"X-Api-Key": mine["attributes"]["key"]})).json()[
        "developer_id"
    ] == str(studio.developer_id)


async def test_a_key_never_reaches_another_accounts_games(studio: Studio, new_studio: Any) -> None:
    """Through the real version routes (CurrentActor): the key's own game answers, another
    account's game is 404 like an unknown one, for reads and writes alike."""
    plain = (await create_key(studio))["attributes"]["key"]
    theirs = await new_studio()

    async def game_of(owner: uuid.UUID) -> str:
        answer = await studio.client.post(
            f"{PREFIX}/games",
            json={
                "data": {
                    "type": "productCreation",
                    "attributes": {"title": f"Ключ {uuid.uuid4().hex[:8]}"},
                }
            },
            headers=auth(owner),
        )
        assert answer.status_code == 201, answer.text
        return str(answer.json()["data"]["id"])

    mine, other = await game_of(studio.owner), await game_of(theirs.owner)
    version = {
        "data": {
            "type": "gameVersionCreation",
            "attributes": {"version_name": "1.0.0", "changelog": {"ru-RU": "Первая"}},
        }
    }
    key = {"X-Api-Key": plain}
    own = await studio.client.post(f"{PREFIX}/games/{mine}/versions", json=version, headers=key)
    assert own.status_code == 201, own.text
    assert (
        await studio.client.get(f"{PREFIX}/games/{mine}/versions", headers=key)
    ).status_code == 200
    for answer in (
        await studio.client.get(f"{PREFIX}/games/{other}/versions", headers=key),
        await studio.client.post(f"{PREFIX}/games/{other}/versions", json=version, headers=key),
        await studio.client.get(f"{PREFIX}/games/{uuid.uuid4()}/versions", headers=key),
    ):
        assert answer.status_code == 404, answer.text
        assert answer.json()["errors"][0]["code"] == "RESOURCE_NOT_FOUND"
    theirs_listed = await studio.client.get(
        f"{PREFIX}/games/{other}/versions", headers=auth(theirs.owner)
    )
    assert theirs_listed.json()["data"] == []
