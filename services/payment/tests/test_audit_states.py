"""Audit entries record the whole before and after of a change (issue #12, also found): a held
payment rejected (``on_hold`` → ``cancelled``), a payment declined at the provider (``pending``
→ ``cancelled``), a coupon created and disabled (its discount and limits). Real engines: the
app in process, the auth and user stand-ins, the provider sandbox, Redis, PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.db.audit import audit_log
from parovoz_payment.db.fraud_counters import FraudCounters
from parovoz_payment.db.payments import SqlPayments
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_vocabulary import CancellationReason, PaymentStatus
from parovoz_payment.domain.providers import ProviderPayment
from parovoz_payment.use_cases.payment_confirmation import apply_confirmed_status
from parovoz_testing.tokens import auth
from sqlalchemy import select
from users_support import player

PAYMENTS = "/api/v1/payments"
ADMIN = auth(uuid.uuid4(), ["admin"])


async def entries(infrastructure: Infrastructure, subject_id: str) -> dict[str, Any]:
    """The subject's audit entries by action: (before, after)."""
    async with infrastructure.session_factory() as session:
        rows = await session.execute(
            select(audit_log.c.action, audit_log.c.before, audit_log.c.after)
            .where(audit_log.c.subject_id == subject_id)
            .order_by(audit_log.c.id)
        )
    return {row.action: (row.before, row.after) for row in rows}


async def donate(client: httpx.AsyncClient, user_id: uuid.UUID, amount_minor: int) -> Any:
    body = {
        "data": {
            "type": "donation",
            "attributes": {
                "streamer_id": str(uuid.uuid4()),
                "amount": {"amount_minor": amount_minor, "currency": "RUB"},
                "method": "bank_card",
                "return_url": "https://parovoz.example/return",
            },
        }
    }
    headers = {**auth(user_id), "Idempotency-Key": str(uuid.uuid4())}
    created = await client.post(f"{PAYMENTS}/donations", json=body, headers=headers)
    assert created.status_code == 201, created.text
    return created.json()["data"]


async def test_a_rejected_hold_records_the_held_payment_before_and_the_cancelled_after(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    user_id = player()
    counters = FraudCounters(infrastructure.redis)
    for n in range(4):  # more than 3 cards in a day: the distinct-cards rule holds the payment
        card = f"audit-card-{uuid.uuid4()}-{n}"
        await counters.record_user_card(
            user_id, card, infrastructure.clock.now(), timedelta(days=1)
        )
    held = await donate(client, user_id, 30_000)
    assert held["attributes"]["status"] == "on_hold"
    body = {"data": {"type": "holdDecision", "attributes": {"decision": "reject"}}}
    decided = await client.post(
        f"{PAYMENTS}/admin/payments/{held['id']}/hold-decision", json=body, headers=ADMIN
    )
    assert decided.status_code == 200, decided.text

    found = await entries(infrastructure, held["id"])
    created_before, created = found["payment.created"]
    assert created_before is None and created["status"] == "on_hold"  # a creation: no before
    before, after = found["payment.hold_rejected"]
    assert before is not None, "a change records the state it changed"
    assert (before["status"], after["status"]) == ("on_hold", "cancelled")
    assert after["cancellation_reason"] == "fraud_suspected"
    assert before["cancellation_reason"] is None
    for state in (before, after):  # the whole payment, both sides
        assert state["amount_minor"] == 30_000 and state["currency"] == "RUB"
        assert state["user_id"] == str(user_id) and state["purpose"] == "donation"
        assert {"reference", "method", "provider", "expires_at", "metadata"} <= state.keys()
    assert after["rules"] == ["distinct_cards"]


async def test_a_decline_at_the_provider_records_pending_before_and_cancelled_after(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    user_id = player()
    created = await donate(client, user_id, 25_000)
    async with infrastructure.session_factory() as session:
        stored = await SqlPayments(session).get(uuid.UUID(created["id"]))
    assert stored is not None and stored.payment.provider is not None
    assert stored.payment.provider_payment_id is not None
    # The provider's report of this very payment: declined (nobody else hears of it).
    declined = ProviderPayment(
        provider=stored.payment.provider,
        provider_payment_id=stored.payment.provider_payment_id,
        status=PaymentStatus.CANCELLED,
        amount=Money(25_000, "RUB"),
        cancellation_reason=CancellationReason.INSUFFICIENT_FUNDS,
    )
    await apply_confirmed_status(
        infrastructure.unit_of_work, infrastructure.clock, stored.payment.id, declined
    )
    before, after = (await entries(infrastructure, created["id"]))["payment.cancelled"]
    assert (before["status"], after["status"]) == ("pending", "cancelled")
    assert before["provider_payment_id"] == after["provider_payment_id"]
    assert after["cancellation_reason"] == "insufficient_funds"


async def test_a_coupons_entries_hold_its_discount_and_limits(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    attributes = {
        "code": f"AUD{uuid.uuid4().hex[:10]}",
        "kind": "fixed",
        "amount_off": {"amount_minor": 15_000, "currency": "RUB"},
        "min_order": {"amount_minor": 50_000, "currency": "RUB"},
        "expires_at": "2031-01-01T00:00:00+00:00",
        "max_uses": 100,
        "max_uses_per_user": 2,
    }
    body = {"data": {"type": "coupon", "attributes": attributes}}
    created = await client.post(f"{PAYMENTS}/admin/coupons", json=body, headers=ADMIN)
    assert created.status_code == 201, created.text
    coupon_id = created.json()["data"]["id"]
    disabled = await client.post(f"{PAYMENTS}/admin/coupons/{coupon_id}/disable", headers=ADMIN)
    assert disabled.status_code == 200, disabled.text

    found = await entries(infrastructure, coupon_id)
    creation_before, creation = found["coupon.created"]
    assert creation_before is None
    expected = {
        "code": str(attributes["code"]).upper(),  # codes are case-insensitive, kept upper
        "kind": "fixed",
        "percent_off": None,
        "amount_off_minor": 15_000,
        "currency": "RUB",
        "min_order_minor": 50_000,
        "max_uses": 100,
        "max_uses_per_user": 2,
        "disabled": False,
    }
    assert creation.items() >= expected.items()
    assert creation["expires_at"].startswith("2031-01-01")
    before, after = found["coupon.disabled"]
    assert before.items() >= expected.items()
    assert after.items() >= (expected | {"disabled": True}).items()
    assert after["disabled_at"] is not None and before["disabled_at"] is None
