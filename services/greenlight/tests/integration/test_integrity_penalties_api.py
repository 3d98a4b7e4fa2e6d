"""Penalties through the app on the real PostgreSQL and user stand-in: a suspended or banned
user cannot vote (403 VOTING_NOT_ELIGIBLE with the reason) and can again once a suspension
ends (the clock moved); the penalized event is in the outbox for account suspensions and bans
only; appeal once, decided by staff; who may do what."""

from __future__ import annotations

import dataclasses
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from parovoz_greenlight.main import SERVICE
from parovoz_greenlight.settings import GreenlightSettings
from parovoz_greenlight.voting.domain import Category
from parovoz_kit.clock import ManualClock, SystemClock
from parovoz_kit.infrastructure import Infrastructure, open_infrastructure
from parovoz_kit.service import build_app, job_runner
from parovoz_testing.tokens import user_token
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).parent))
from greenlight_voting_support import in_voting, voter

PREFIX = "/api/v1/greenlight"
EVENT = "greenlight.user.penalized.v1"


@pytest.fixture(scope="module")
def clock() -> ManualClock:
    return ManualClock(SystemClock().now())


@pytest.fixture(scope="module")
async def infrastructure(clock: ManualClock) -> AsyncIterator[Infrastructure]:
    async with open_infrastructure(GreenlightSettings(environment="test")) as infra:
        yield dataclasses.replace(infra, clock=clock)


@pytest.fixture(scope="module")
async def client(infrastructure: Infrastructure) -> AsyncIterator[httpx.AsyncClient]:
    app = build_app(SERVICE, infrastructure, job_runner(SERVICE, infrastructure))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://greenlight") as http:
        yield http


def auth(user_id: uuid.UUID, *roles: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {user_token(str(user_id), roles)}"}


VOTE = {
    "data": {
        "type": "vote",
        "attributes": {
            "choice": "yes",
            "scores": {c.value: 4 for c in Category},
            "played_demo": False,
            "would_recommend": True,
        },
    }
}


def penalty(user_id: uuid.UUID, type_: str, days: int | None = None) -> dict[str, Any]:
    attributes: dict[str, Any] = {"user_id": str(user_id), "type": type_, "reason": "Накрутка"}
    if days is not None:
        attributes["duration_days"] = days
    return {"data": {"type": "penalty", "attributes": attributes}}


async def penalize(
    client: httpx.AsyncClient, user_id: uuid.UUID, type_: str, days: int | None = None
) -> dict[str, Any]:
    answer = await client.post(
        f"{PREFIX}/penalties",
        json=penalty(user_id, type_, days),
        headers=auth(uuid.uuid4(), "moderator"),
    )
    assert answer.status_code == 201, answer.text
    data: dict[str, Any] = answer.json()["data"]
    return data


async def outbox(infrastructure: Infrastructure, key: uuid.UUID) -> list[tuple[str, Any]]:
    async with infrastructure.engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT type, payload FROM outbox WHERE key = :key ORDER BY seq"),
            {"key": str(key)},
        )
        return [(kind, payload) for kind, payload in rows]


async def test_suspended_user_cannot_vote_until_the_suspension_ends(
    client: httpx.AsyncClient, infrastructure: Infrastructure, clock: ManualClock
) -> None:
    submission_id = await in_voting(infrastructure)
    user = await voter(clock)
    await penalize(client, user, "voting_suspension", 7)
    refused = await client.post(
        f"{PREFIX}/submissions/{submission_id}/votes", json=VOTE, headers=auth(user)
    )
    assert refused.status_code == 403, refused.text
    [error] = refused.json()["errors"]
    assert error["code"] == "VOTING_NOT_ELIGIBLE"
    assert "VOTING_SUSPENDED" in error["detail"]
    clock.advance(timedelta(days=7, seconds=1))
    cast = await client.post(
        f"{PREFIX}/submissions/{submission_id}/votes", json=VOTE, headers=auth(user)
    )
    assert cast.status_code == 201, cast.text


async def test_a_warning_does_not_block_and_a_ban_blocks_for_good(
    client: httpx.AsyncClient, infrastructure: Infrastructure, clock: ManualClock
) -> None:
    submission_id = await in_voting(infrastructure)
    warned, banned = await voter(clock), await voter(clock)
    await penalize(client, warned, "warning")
    await penalize(client, banned, "permanent_ban")
    path = f"{PREFIX}/submissions/{submission_id}/votes"
    assert (await client.post(path, json=VOTE, headers=auth(warned))).status_code == 201
    clock.advance(timedelta(days=20))
    refused = await client.post(path, json=VOTE, headers=auth(banned))
    assert refused.status_code == 403
    assert "VOTING_SUSPENDED" in refused.json()["errors"][0]["detail"]
    # A ban has no end: no far-future instant, but "suspended for good".
    eligibility = await client.get(f"{PREFIX}/eligibility", headers=auth(banned))
    assert eligibility.status_code == 200, eligibility.text
    attributes = eligibility.json()["data"]["attributes"]
    assert [r["code"] for r in attributes["reasons"]] == ["VOTING_SUSPENDED"]
    assert attributes["suspended_until"] is None
    assert attributes["suspended_permanently"] is True
    suspended = await voter(clock)
    suspension = await penalize(client, suspended, "voting_suspension", 7)
    dated = await client.get(f"{PREFIX}/eligibility", headers=auth(suspended))
    attributes = dated.json()["data"]["attributes"]
    assert attributes["suspended_permanently"] is False
    assert attributes["suspended_until"] is not None
    assert attributes["suspended_until"][:19] == suspension["attributes"]["ends_at"][:19]
    free = (await client.get(f"{PREFIX}/eligibility", headers=auth(warned))).json()
    assert free["data"]["attributes"]["eligible"] is True
    assert free["data"]["attributes"]["suspended_permanently"] is False


async def test_event_in_the_outbox_for_account_suspension_and_ban_only(
    client: httpx.AsyncClient, infrastructure: Infrastructure, clock: ManualClock
) -> None:
    quiet, suspended, banned = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await penalize(client, quiet, "warning")
    await penalize(client, quiet, "voting_suspension", 30)
    suspension = await penalize(client, suspended, "account_suspension", 14)
    ban = await penalize(client, banned, "permanent_ban")
    assert await outbox(infrastructure, quiet) == []
    [(kind, payload)] = await outbox(infrastructure, suspended)
    assert kind == EVENT
    assert (payload["penalty_id"], payload["penalty_type"]) == (
        suspension["id"],
        "account_suspension",
    )
    assert payload["ends_at"] is not None and payload["user_id"] == str(suspended)
    [(kind, payload)] = await outbox(infrastructure, banned)
    assert kind == EVENT
    assert (payload["penalty_id"], payload["penalty_type"], payload["ends_at"]) == (
        ban["id"],
        "permanent_ban",
        None,
    )


async def test_who_may_do_what_and_appeal_once(
    client: httpx.AsyncClient, infrastructure: Infrastructure, clock: ManualClock
) -> None:
    user = uuid.uuid4()
    forbidden = await client.post(
        f"{PREFIX}/penalties",
        json=penalty(user, "warning"),
        headers=auth(uuid.uuid4(), "curator"),
    )
    assert forbidden.status_code == 403
    assert forbidden.json()["errors"][0]["code"] == "PENALTY_NOT_AUTHORIZED"
    bad = await client.post(
        f"{PREFIX}/penalties",
        json=penalty(user, "voting_suspension", 10),
        headers=auth(uuid.uuid4(), "moderator"),
    )
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["source"]["pointer"] == "/data/attributes/duration_days"

    created = await penalize(client, user, "voting_suspension", 30)
    base = f"{PREFIX}/penalties/{created['id']}"
    mine = await client.get(f"{PREFIX}/penalties/mine", headers=auth(user))
    assert [p["id"] for p in mine.json()["data"]] == [created["id"]]
    staff = await client.get(
        f"{PREFIX}/penalties", params={"user_id": str(user)}, headers=auth(uuid.uuid4())
    )
    assert staff.status_code == 403

    appeal = {"data": {"type": "penalty-appeal", "attributes": {"text": "Я честен."}}}
    other = await client.post(f"{base}/appeal", json=appeal, headers=auth(uuid.uuid4()))
    assert other.status_code == 404
    first = await client.post(f"{base}/appeal", json=appeal, headers=auth(user))
    assert first.status_code == 200, first.text
    again = await client.post(f"{base}/appeal", json=appeal, headers=auth(user))
    assert again.status_code == 422
    assert again.json()["errors"][0]["code"] == "PENALTY_ALREADY_APPEALED"

    decision = {"data": {"type": "penalty-appeal-decision", "attributes": {"decision": "revoked"}}}
    decided = await client.post(
        f"{base}/appeal-decision", json=decision, headers=auth(uuid.uuid4(), "moderator")
    )
    assert decided.status_code == 200, decided.text
    attributes = decided.json()["data"]["attributes"]
    assert attributes["appeal_decision"] == "revoked" and attributes["in_force"] is False
    revoke = await client.post(f"{base}/revoke", headers=auth(uuid.uuid4(), "admin"))
    assert revoke.status_code == 422
    listed = await client.get(
        f"{PREFIX}/penalties", params={"user_id": str(user)}, headers=auth(uuid.uuid4(), "admin")
    )
    assert [p["attributes"]["revoked_at"] is not None for p in listed.json()["data"]] == [True]
