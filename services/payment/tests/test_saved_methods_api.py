"""`GET /api/v1/payments/methods`, `DELETE /api/v1/payments/methods/{id}` on the real engines
(in-process app, payment database, auth stand-in tokens). Methods are saved with
``SqlSavedMethods.add``, as the payment flow will do."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from parovoz_kit.infrastructure import Infrastructure, open_infrastructure
from parovoz_kit.tracing import tracing_from_settings
from parovoz_payment.db.audit import audit_log
from parovoz_payment.db.saved_methods import SqlSavedMethods, saved_methods
from parovoz_payment.domain.saved_methods import card_title
from parovoz_payment.settings import PaymentSettings
from parovoz_testing.tokens import auth
from sqlalchemy import select

METHODS = "/api/v1/payments/methods"


@pytest.fixture(scope="module")
async def infrastructure() -> AsyncIterator[Infrastructure]:
    settings = PaymentSettings(environment="test")
    tracing_from_settings(settings)  # as the service does: requests get real trace ids
    async with open_infrastructure(settings) as infra:
        yield infra


async def save(
    infrastructure: Infrastructure, user_id: uuid.UUID, last4: str, minutes_ago: int = 0
) -> tuple[uuid.UUID, str]:
    """A saved card; returns its id and its (secret) provider token."""
    token = f"pm-test-{uuid.uuid4()}"
    created_at = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    async with infrastructure.session_factory.begin() as session:
        method = await SqlSavedMethods(session).add(
            user_id, "yookassa", token, card_title("mir", last4), created_at
        )
    return method.id, token


async def audit_rows(infrastructure: Infrastructure, method_id: uuid.UUID) -> list:
    async with infrastructure.session_factory() as session:
        rows = await session.execute(
            select(audit_log)
            .where(audit_log.c.subject_type == "saved_method")
            .where(audit_log.c.subject_id == str(method_id))
        )
        return list(rows)


async def test_the_list_holds_my_active_methods_newest_first_and_never_a_token(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    me, stranger = uuid.uuid4(), uuid.uuid4()
    older, older_token = await save(infrastructure, me, "4444", minutes_ago=10)
    newer, newer_token = await save(infrastructure, me, "1111")
    _, stranger_token = await save(infrastructure, stranger, "9999")

    response = await client.get(METHODS, headers=auth(me))
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert [item["id"] for item in data] == [str(newer), str(older)]
    assert data[0]["type"] == "savedMethod"
    assert data[0]["attributes"]["title"] == "MIR •••• 1111"
    assert set(data[0]["attributes"]) == {"provider", "title", "created_at"}
    assert data[0]["attributes"]["provider"] == "yookassa"
    for token in (older_token, newer_token, stranger_token):
        assert token not in response.text

    empty = await client.get(METHODS, headers=auth(uuid.uuid4()))
    assert empty.json()["data"] == []


async def test_the_owner_removes_a_method_softly_and_the_audit_log_says_so(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    me = uuid.uuid4()
    method_id, token = await save(infrastructure, me, "4444")
    kept, _ = await save(infrastructure, me, "5555", minutes_ago=1)
    trace_id = uuid.uuid4().hex
    headers = {
        **auth(me),
        "traceparent": f"00-{trace_id}-{uuid.uuid4().hex[:16]}-01",
        "X-Request-Id": "req-remove-4444",
    }

    removed = await client.delete(f"{METHODS}/{method_id}", headers=headers)
    assert removed.status_code == 204, removed.text
    listed = await client.get(METHODS, headers=auth(me))
    assert [item["id"] for item in listed.json()["data"]] == [str(kept)]
    again = await client.delete(f"{METHODS}/{method_id}", headers=auth(me))
    assert again.status_code == 404
    assert again.json()["errors"][0]["code"] == "SAVED_METHOD_NOT_FOUND"

    async with infrastructure.session_factory() as session:
        row = (
            await session.execute(select(saved_methods).where(saved_methods.c.id == method_id))
        ).one()
    assert row.removed_at is not None  # soft: past payments still name the method

    [audit] = await audit_rows(infrastructure, method_id)
    assert (audit.actor, audit.action) == (str(me), "saved_method.removed")
    assert audit.before["title"] == audit.after["title"] == "MIR •••• 4444"
    assert audit.before["removed_at"] is None and audit.after["removed_at"] is not None
    assert token not in json.dumps([audit.before, audit.after])
    assert "provider_token" not in audit.before
    assert (audit.trace_id, audit.request_id) == (trace_id, "req-remove-4444")


async def test_someone_elses_or_an_unknown_method_is_404_and_stays(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    owner, intruder = uuid.uuid4(), uuid.uuid4()
    method_id, _ = await save(infrastructure, owner, "4444")
    for target in (method_id, uuid.uuid4()):
        response = await client.delete(f"{METHODS}/{target}", headers=auth(intruder))
        assert response.status_code == 404
        assert response.json()["errors"][0]["code"] == "SAVED_METHOD_NOT_FOUND"
    still = await client.get(METHODS, headers=auth(owner))
    assert [item["id"] for item in still.json()["data"]] == [str(method_id)]
    assert await audit_rows(infrastructure, method_id) == []
    malformed = await client.delete(f"{METHODS}/not-a-uuid", headers=auth(owner))
    assert malformed.status_code == 400


async def test_two_concurrent_removals_remove_once(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    me = uuid.uuid4()
    method_id, _ = await save(infrastructure, me, "4444")
    headers = auth(me)
    responses = await asyncio.gather(
        *(client.delete(f"{METHODS}/{method_id}", headers=headers) for _ in range(2))
    )
    assert sorted(response.status_code for response in responses) == [204, 404]
    assert len(await audit_rows(infrastructure, method_id)) == 1


async def test_methods_are_for_signed_in_users_only(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    method_id, _ = await save(infrastructure, uuid.uuid4(), "4444")
    service = auth("service:subscription", ["service"])
    assert (await client.get(METHODS)).status_code == 401
    assert (await client.delete(f"{METHODS}/{method_id}")).status_code == 401
    assert (await client.get(METHODS, headers=service)).status_code == 403
    refused = await client.delete(f"{METHODS}/{method_id}", headers=service)
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["code"] == "USER_TOKEN_REQUIRED"
