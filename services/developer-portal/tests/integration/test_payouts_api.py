"""`/finance/payouts/requests`, `/finance/balance` and `/finance/ledger` on the real engines;
balance and ledger come from payment's RUNNING gRPC server (127.0.0.1:9094)."""

from __future__ import annotations

import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from parovoz_developer_portal.finance.domain.payouts import (
    PayoutAmount,
    PayoutTrigger,
    request_payout,
)
from parovoz_developer_portal.finance_unit_of_work import finance_unit_of_work
from parovoz_developer_portal.main import SERVICE
from parovoz_developer_portal.settings import DeveloperPortalSettings
from parovoz_kit.infrastructure import open_infrastructure
from parovoz_kit.service import build_app, job_runner
from sqlalchemy import text

REQUESTED = "developer.payout.requested.v1"


def payout_body(amount_minor: int = 150_000, **attributes: Any) -> dict[str, Any]:
    return {
        "data": {
            "type": "payoutRequests",
            "attributes": {
                "amount": {"amount_minor": amount_minor, "currency": "RUB"},
                **attributes,
            },
        }
    }


async def ask(studio, user_id=None, body=None, key: str | None = "new") -> httpx.Response:
    headers = studio.auth(user_id or studio.owner)
    if key is not None:
        headers["Idempotency-Key"] = str(uuid.uuid4()) if key == "new" else key
    return await studio.client.post(
        f"{studio.finance}/payouts/requests", json=body or payout_body(), headers=headers
    )


async def requested_events(studio) -> list[dict[str, Any]]:
    async with studio.infrastructure.session_factory() as session:
        rows = await session.execute(
            text("SELECT payload FROM outbox WHERE type = :type AND key = :key ORDER BY seq"),
            {"type": REQUESTED, "key": str(studio.developer_id)},
        )
        return [row.payload for row in rows]


async def test_a_payout_request_is_stored_and_announced_exactly_once(studio) -> None:
    method = await studio.add_method()
    key = str(uuid.uuid4())
    first = await ask(studio, key=key)
    again = await ask(studio, key=key)
    assert first.status_code == again.status_code == 201, first.text
    assert again.headers.get("Idempotent-Replayed") == "true"
    data = first.json()["data"]
    assert again.json()["data"]["id"] == data["id"]
    attributes = data["attributes"]
    assert attributes["status"] == "requested" and attributes["trigger"] == "on_request"
    assert attributes["payout_method_id"] == method["id"]
    assert attributes["payout_method"] == "ПАО Сбербанк •••• 0001"
    [event] = await requested_events(studio)
    assert event["payout_request_id"] == data["id"]
    assert event["payout_method_id"] == method["id"]
    assert event["amount"] == {"amount_minor": 150_000, "currency": "RUB"}
    assert event["requested_by_user_id"] == str(studio.owner)
    # No bank detail travels in the event.
    assert "40702810938000000001" not in str(event) and "0001" not in str(event)
    # Readable afterwards (its status may already have moved: the RUNNING platform relays the
    # event to payment, which answers on payment.events.v1).
    shown = await studio.client.get(data["links"]["self"], headers=studio.auth(studio.owner))
    assert shown.status_code == 200 and shown.json()["data"]["id"] == data["id"]


async def test_the_key_is_required_because_money_moves(studio) -> None:
    await studio.add_method()
    answer = await ask(studio, key=None)
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["code"] == "IDEMPOTENCY_KEY_REQUIRED"
    assert await requested_events(studio) == []


async def test_below_the_minimum_is_refused_with_a_pointer(studio) -> None:
    await studio.add_method()
    answer = await ask(studio, body=payout_body(99_999))
    assert answer.status_code == 422
    [error] = answer.json()["errors"]
    assert error["code"] == "PAYOUT_BELOW_MINIMUM"
    assert error["source"]["pointer"] == "/data/attributes/amount/amount_minor"
    assert await requested_events(studio) == []


async def test_one_open_payout_at_a_time_and_its_method_stays(studio) -> None:
    method = await studio.add_method()
    await open_payout_without_event(studio, uuid.UUID(method["id"]))
    second = await ask(studio, body=payout_body(200_000))
    assert second.status_code == 409
    assert second.json()["errors"][0]["code"] == "PAYOUT_ALREADY_IN_PROGRESS"
    deleted = await studio.client.delete(method["links"]["self"], headers=studio.auth(studio.owner))
    assert deleted.status_code == 409
    assert deleted.json()["errors"][0]["code"] == "PAYOUT_METHOD_IN_USE"
    assert await requested_events(studio) == []


async def open_payout_without_event(studio, method_id: uuid.UUID) -> uuid.UUID:
    """An open payout request stored directly, without its event: one asked through the API is
    relayed by the RUNNING platform to payment, which may end it before the test looks."""
    async with finance_unit_of_work(studio.infrastructure) as uow:
        method = await uow.payout_methods.get(studio.developer_id, method_id)
        assert method is not None
        request = request_payout(
            studio.developer_id,
            PayoutAmount(150_000, "RUB"),
            method,
            minimum_minor=100_000,
            trigger=PayoutTrigger.ON_REQUEST,
            user_id=studio.owner,
            now=studio.infrastructure.clock.now(),
        )
        await uow.payout_requests.add(request)
        await uow.commit()
    return request.id


async def test_a_named_method_another_accounts_method_and_no_method(studio, new_studio) -> None:
    other = await new_studio()
    others_method = await other.add_method()
    no_method = await ask(studio)
    assert no_method.status_code == 422
    assert no_method.json()["errors"][0]["code"] == "PAYOUT_METHOD_REQUIRED"
    await studio.add_method()
    foreign = await ask(studio, body=payout_body(payout_method_id=others_method["id"]))
    assert foreign.status_code == 404
    assert foreign.json()["errors"][0]["source"]["pointer"] == "/data/attributes/payout_method_id"


@pytest.mark.parametrize(
    ("role", "status"), [("finance", 201), ("admin", 201), ("editor", 403), ("viewer", 403)]
)
async def test_who_may_ask_for_a_payout(studio, role: str, status: int) -> None:
    await studio.add_method()
    member = await studio.member(role)
    answer = await ask(studio, member)
    assert answer.status_code == status, answer.text
    listing = await studio.client.get(
        f"{studio.finance}/payouts/requests", headers=studio.auth(member)
    )
    assert listing.status_code == (200 if status == 201 else 403)


async def test_payout_requests_are_listed_newest_first_and_private(studio, new_studio) -> None:
    await studio.add_method()
    first = (await ask(studio)).json()["data"]
    # End the first one so a second may be asked (as payment's event would).
    async with studio.infrastructure.session_factory.begin() as session:
        await session.execute(
            text("UPDATE payout_requests SET status = 'completed' WHERE id = :id"),
            {"id": first["id"]},
        )
    second = (await ask(studio, body=payout_body(300_000))).json()["data"]
    listing = await studio.client.get(
        f"{studio.finance}/payouts/requests", headers=studio.auth(studio.owner)
    )
    assert [item["id"] for item in listing.json()["data"]] == [second["id"], first["id"]]
    other = await new_studio()
    hidden = await studio.client.get(first["links"]["self"], headers=studio.auth(other.owner))
    assert hidden.status_code == 404


async def test_balance_and_ledger_of_a_developer_without_sales(studio) -> None:
    headers = studio.auth(studio.owner)
    balance = await studio.client.get(f"{studio.finance}/balance", headers=headers)
    assert balance.status_code == 200, balance.text
    data = balance.json()["data"]
    assert data["id"] == str(studio.developer_id)
    for entry in data["attributes"]["balances"]:  # empty, or a zero rouble balance
        for part in ("pending", "available", "in_payout"):
            assert entry[part]["amount_minor"] == 0
    ledger = await studio.client.get(
        f"{studio.finance}/ledger", params={"page[size]": 10}, headers=headers
    )
    assert ledger.status_code == 200, ledger.text
    assert ledger.json()["data"] == [] and ledger.json()["links"]["next"] is None
    too_big = await studio.client.get(
        f"{studio.finance}/ledger", params={"page[size]": 1000}, headers=headers
    )
    assert too_big.status_code == 400
    assert too_big.json()["errors"][0]["code"] == "VALIDATION_ERROR"
    viewer = await studio.member("viewer")
    refused = await studio.client.get(f"{studio.finance}/balance", headers=studio.auth(viewer))
    assert refused.status_code == 403


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@asynccontextmanager
async def portal(**overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
    settings = DeveloperPortalSettings(environment="test", **overrides)
    async with open_infrastructure(settings) as infrastructure:
        app = build_app(SERVICE, infrastructure, job_runner(SERVICE, infrastructure))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://portal") as http:
            yield http


async def test_payment_down_is_a_503_not_a_500(studio) -> None:
    async with portal(payment_grpc_target=f"127.0.0.1:{_closed_port()}") as http:
        headers = studio.auth(studio.owner)
        for path in ("balance", "ledger"):
            answer = await http.get(f"{studio.finance}/{path}", headers=headers)
            assert answer.status_code == 503, answer.text
            assert answer.json()["errors"][0]["code"] == "PAYMENT_UNAVAILABLE"


async def test_the_balance_precheck_refuses_more_than_available(studio) -> None:
    await studio.add_method()
    async with portal(payout_balance_precheck=True) as http:
        headers = {**studio.auth(studio.owner), "Idempotency-Key": str(uuid.uuid4())}
        answer = await http.post(
            f"{studio.finance}/payouts/requests", json=payout_body(), headers=headers
        )
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert error["code"] == "PAYOUT_EXCEEDS_AVAILABLE_BALANCE"
    assert await requested_events(studio) == []


def test_settings_refuse_the_development_key_in_production() -> None:
    real = {
        "database_url": "postgresql+psycopg://developer:real@db/developer",
        "auth_client_secret": "real-client-credential",
        "s3_secret_key": "real-s3-credential",
        "redis_url": "redis://cache/0",
    }
    with pytest.raises(ValueError, match="development key"):
        DeveloperPortalSettings(environment="production", **real)
    key = "cmVhbC1wYXlvdXQta2V5LW9mLTMyLWJ5dGVzLW9rISE="
    settings = DeveloperPortalSettings(environment="production", payout_details_key=key, **real)
    assert settings.payout_details_cipher().current_key_id == "dev-1"
    with pytest.raises(ValueError, match="32 bytes"):
        DeveloperPortalSettings(payout_details_key="c2hvcnQ=")
