"""Every idempotent payment endpoint fingerprints its body by the kit's one mechanism
(``run_idempotent``): the same Idempotency-Key with another body is 422 IDEMPOTENCY_KEY_REUSED
and changes nothing; the same body replays the first answer. Gift-card issuing included, whose
replay is the card without its code: the code is never kept in the idempotency store."""

from __future__ import annotations

import inspect
import uuid

import httpx
from donations_support import DONATIONS
from donations_support import body as donation
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.main import SERVICE
from parovoz_testing.routes import keyed_routes
from parovoz_testing.tokens import auth
from sqlalchemy import text

GIFT_CARDS = "/api/v1/payments/admin/gift-cards"
#: The kit's mechanism, and payment's one wrapper of it for every payment-creating route.
KIT_RUNNERS = ("run_idempotent(", "run_with_optional_key(", "run_payment_creation(")


def gift_card(minor: int) -> dict:
    value = {"amount_minor": minor, "currency": "RUB"}
    return {"data": {"type": "giftCard", "attributes": {"value": value}}}


async def cards_issued_by(infrastructure: Infrastructure, admin: uuid.UUID) -> int:
    async with infrastructure.session_factory() as session:
        found = await session.execute(
            text("SELECT count(*) FROM gift_cards WHERE issued_by = :admin"), {"admin": str(admin)}
        )
    return int(found.scalar_one())


async def kept_answer(infrastructure: Infrastructure, scope: str, key: str) -> bytes:
    async with infrastructure.session_factory() as session:
        found = await session.execute(
            text("SELECT response_body FROM idempotency_keys WHERE scope = :scope AND key = :key"),
            {"scope": scope, "key": key},
        )
    return bytes(found.scalar_one())


async def test_gift_card_issuing_refuses_another_body_under_the_same_key(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    admin = uuid.uuid4()
    key = str(uuid.uuid4())
    headers = auth(admin, ["admin"]) | {"Idempotency-Key": key}

    first = await client.post(GIFT_CARDS, json=gift_card(50_000), headers=headers)
    changed = await client.post(GIFT_CARDS, json=gift_card(90_000), headers=headers)
    again = await client.post(GIFT_CARDS, json=gift_card(50_000), headers=headers)

    assert first.status_code == 201, first.text
    code = first.json()["data"]["attributes"]["code"]
    assert code
    assert changed.status_code == 422, changed.text
    error = changed.json()["errors"][0]
    assert error["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert error["source"] == {"parameter": "Idempotency-Key"}
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["data"]["id"] == first.json()["data"]["id"]
    assert again.json()["data"]["attributes"]["code"] is None
    assert again.json()["data"]["attributes"]["value"]["amount_minor"] == 50_000
    assert await cards_issued_by(infrastructure, admin) == 1
    kept = await kept_answer(infrastructure, f"gift-cards:{admin}", key)
    assert first.json()["data"]["id"].encode() in kept
    assert code.encode() not in kept and code.replace("-", "").encode() not in kept


async def test_a_donation_refuses_another_body_under_the_same_key(
    client: httpx.AsyncClient,
) -> None:
    donor, streamer = uuid.uuid4(), uuid.uuid4()
    headers = auth(donor) | {"Idempotency-Key": str(uuid.uuid4())}

    first = await client.post(DONATIONS, json=donation(streamer, 10_000), headers=headers)
    changed = await client.post(DONATIONS, json=donation(streamer, 20_000), headers=headers)
    again = await client.post(DONATIONS, json=donation(streamer, 10_000), headers=headers)

    assert changed.status_code == 422, changed.text
    assert changed.json()["errors"][0]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert again.headers["Idempotent-Replayed"] == "true"
    assert (again.status_code, again.content) == (first.status_code, first.content)


def test_every_route_taking_a_key_runs_through_the_kit(infrastructure: Infrastructure) -> None:
    """No endpoint keeps its own replay by key (as gift-card issuing did): each one hands its
    work to the kit's run_idempotent (payments' run_payment_creation wraps it)."""
    routes = keyed_routes(SERVICE.routers(infrastructure))

    assert GIFT_CARDS in {route.path for route in routes} and len(routes) >= 8
    for route in routes:
        source = inspect.getsource(route.endpoint)
        assert any(name in source for name in KIT_RUNNERS), (route.path, route.methods)
