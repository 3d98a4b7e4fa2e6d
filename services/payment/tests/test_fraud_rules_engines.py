"""Fraud rules on the real engines: PostgreSQL (rules, holds, audit, outbox), Redis (counters),
the user stand-in (:8092), the auth stand-in and the provider sandbox. Time moves on a manual
clock (the counters' windows are judged by it), never by sleeping."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from parovoz_kit.clock import ManualClock
from parovoz_kit.errors import BusinessRuleViolation
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.clients.providers.registry import provider_registry
from parovoz_payment.clients.user_service import UserServiceClient
from parovoz_payment.db.audit import audit_log
from parovoz_payment.db.fraud_counters import FraudCounters
from parovoz_payment.domain.fraud import card_fingerprint
from parovoz_payment.domain.methods import MethodChoice, PaymentMethod, Provider
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_creation import start_payment
from parovoz_payment.domain.payment_purposes import Origin, Route
from parovoz_payment.domain.payment_vocabulary import (
    CancellationReason,
    PaymentPurpose,
    PaymentStatus,
)
from parovoz_payment.domain.providers import (
    NotificationSubject,
    ProviderNotification,
    ProviderPayment,
)
from parovoz_payment.use_cases.fraud import FraudScreen, fraud_screen
from parovoz_payment.use_cases.payment_confirmation import settle_payment_notification
from parovoz_payment.use_cases.payment_flow import PaymentOrder
from parovoz_testing.tokens import auth
from sqlalchemy import select, text
from users_support import player

PAYMENTS = "/api/v1/payments"
ADMIN_PATH = f"{PAYMENTS}/admin"


ADMIN_ID = uuid.uuid4()
ADMIN = auth(ADMIN_ID, ["admin"])


def donation(amount_minor: int) -> dict:
    return {
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


async def pay(client: httpx.AsyncClient, user_id: uuid.UUID, amount_minor: int) -> httpx.Response:
    """A donation (its own route starts its payment)."""
    headers = {**auth(user_id), "Idempotency-Key": str(uuid.uuid4())}
    return await client.post(f"{PAYMENTS}/donations", json=donation(amount_minor), headers=headers)


async def decide(client: httpx.AsyncClient, payment_id: str, decision: str) -> httpx.Response:
    body = {"data": {"type": "holdDecision", "attributes": {"decision": decision}}}
    return await client.post(
        f"{ADMIN_PATH}/payments/{payment_id}/hold-decision", json=body, headers=ADMIN
    )


@pytest.fixture
async def switch(client: httpx.AsyncClient) -> AsyncIterator:
    """Switch a rule on/off through the admin API; every rule is back on afterwards."""
    rules = (await client.get(f"{ADMIN_PATH}/fraud-rules", headers=ADMIN)).json()["data"]
    ids = {rule["attributes"]["kind"]: rule["id"] for rule in rules}

    async def set_enabled(kind: str, enabled: bool) -> dict:
        body = {"data": {"type": "fraudRule", "attributes": {"enabled": enabled}}}
        answer = await client.patch(
            f"{ADMIN_PATH}/fraud-rules/{ids[kind]}", json=body, headers=ADMIN
        )
        assert answer.status_code == 200, answer.text
        return answer.json()["data"]["attributes"]

    yield set_enabled
    for kind in ids:
        await set_enabled(kind, True)


async def test_the_seeded_rules_are_listed_for_admins_only(client: httpx.AsyncClient) -> None:
    refused = await client.get(f"{ADMIN_PATH}/fraud-rules", headers=auth(uuid.uuid4()))
    assert refused.status_code == 403
    rules = (await client.get(f"{ADMIN_PATH}/fraud-rules", headers=ADMIN)).json()["data"]
    by_kind = {rule["attributes"]["kind"]: rule["attributes"] for rule in rules}
    assert by_kind["card_failures"]["parameters"] == {
        "max_failures": 5,
        "window_seconds": 600,
        "lock_seconds": 86400,
    }
    assert by_kind["distinct_cards"]["action"] == "review"
    assert by_kind["new_account_large_payment"]["parameters"]["threshold_rub_minor"] == 10_000_000
    assert by_kind["blocked_user"]["action"] == "block"
    bad = {"data": {"type": "fraudRule", "attributes": {"parameters": {"max_failures": 0}}}}
    card_failures = next(r for r in rules if r["attributes"]["kind"] == "card_failures")
    answer = await client.patch(
        f"{ADMIN_PATH}/fraud-rules/{card_failures['id']}", json=bad, headers=ADMIN
    )
    assert answer.status_code == 400  # an invalid parameter value
    assert answer.json()["errors"][0]["code"] == "INVALID_RULE_PARAMETER"
    # Past int32 a window would leave the calendar: refused, never a 500.
    huge = {"data": {"type": "fraudRule", "attributes": {"parameters": {"lock_seconds": 2**40}}}}
    too_long = await client.patch(
        f"{ADMIN_PATH}/fraud-rules/{card_failures['id']}", json=huge, headers=ADMIN
    )
    assert too_long.status_code == 400, too_long.text
    assert too_long.json()["errors"][0]["code"] == "INVALID_RULE_PARAMETER"


async def test_a_blocked_user_cannot_pay_until_the_rule_is_off(
    client: httpx.AsyncClient, switch
) -> None:
    blocked = player(blocked=True)
    refused = await pay(client, blocked, 50_000)
    assert refused.status_code == 403, refused.text
    assert refused.json()["errors"][0]["code"] == "PAYMENT_BLOCKED"
    assert (await switch("blocked_user", False))["enabled"] is False
    allowed = await pay(client, blocked, 50_000)
    assert allowed.status_code == 201, allowed.text
    assert allowed.json()["data"]["attributes"]["status"] == "pending"


def failed_report(card: str, amount: Money) -> ProviderPayment:
    return ProviderPayment(
        provider=Provider.YOOKASSA,
        provider_payment_id=f"test-{uuid.uuid4()}",
        status=PaymentStatus.CANCELLED,
        amount=amount,
        cancellation_reason=CancellationReason.INSUFFICIENT_FUNDS,
        card_fingerprint=card,
    )


async def test_a_card_failing_more_than_five_times_in_ten_minutes_is_locked_for_a_day(
    infrastructure: Infrastructure, switch
) -> None:
    screen = fraud_screen(infrastructure)
    clock = ManualClock(datetime.now(UTC))
    user_id, saved_method_id = player(), uuid.uuid4()
    card = card_fingerprint("220220", f"{uuid.uuid4().int % 10000:04d}", "12", "2030")
    assert card is not None
    amount = Money(10_013, "RUB")
    order = PaymentOrder(
        user_id=user_id,
        purpose=PaymentPurpose.DONATION,
        amount=amount,
        region="RU",
        choice=MethodChoice(saved_method_id=saved_method_id),
        return_url=None,
        origin=Origin.user(Route.DONATIONS),
    )

    async def fail_once() -> None:
        payment = start_payment(
            user_id=user_id,
            purpose=PaymentPurpose.DONATION,
            amount=amount,
            region="RU",
            now=clock.now(),
            choice=order.choice,
        )
        report = failed_report(card, amount)
        await screen.observe(payment, report, clock)
        await screen.observe(payment, report, clock)  # a duplicated notification counts once

    # Five failures, then eleven minutes pass: the window forgets them.
    for _ in range(5):
        await fail_once()
    clock.advance(timedelta(minutes=11))
    await fail_once()
    assert not (await screen.screen(order, clock.now())).holds
    # Five more inside ten minutes make six: the card is locked.
    for _ in range(4):
        await fail_once()
    assert not (await screen.screen(order, clock.now())).holds  # 5 in the window: not more
    await fail_once()
    with pytest.raises(BusinessRuleViolation) as locked:
        await screen.screen(order, clock.now())
    assert locked.value.code == "CARD_LOCKED"

    await switch("card_failures", False)
    assert not (await screen.screen(order, clock.now())).holds  # switched off: not enforced
    await switch("card_failures", True)
    clock.advance(timedelta(hours=23, minutes=59))
    with pytest.raises(BusinessRuleViolation):
        await screen.screen(order, clock.now())
    clock.advance(timedelta(minutes=1))
    assert not (await screen.screen(order, clock.now())).holds  # 24 h later: unlocked
    async with infrastructure.session_factory() as session:
        locks = await session.execute(
            select(audit_log.c.action).where(audit_log.c.subject_id == card)
        )
        assert list(locks.scalars()) == ["card.locked"]


async def test_user_service_down_holds_for_review(infrastructure: Infrastructure) -> None:
    # Port 9 (discard) refuses connections on loopback: the user service is "down".
    down = UserServiceClient("http://127.0.0.1:9", timeout_seconds=0.5, failure_threshold=1)
    screen = FraudScreen(infrastructure.unit_of_work, FraudCounters(infrastructure.redis), down)
    order = PaymentOrder(
        user_id=uuid.uuid4(),
        purpose=PaymentPurpose.DONATION,
        amount=Money(50_000, "RUB"),
        region="RU",
        choice=MethodChoice(method=PaymentMethod.BANK_CARD),
        return_url=None,
        origin=Origin.user(Route.DONATIONS),
    )
    for _ in range(2):  # the second answer comes from the open circuit, without a call
        verdict = await screen.screen(order, infrastructure.clock.now())
        assert [rule for rule, _ in verdict.review] == ["user_service_unavailable"]
    await down.aclose()


async def outbox_types(infrastructure: Infrastructure, payment_id: str) -> list[str]:
    async with infrastructure.session_factory() as session:
        rows = await session.execute(
            text("SELECT type FROM outbox WHERE key = :key ORDER BY seq"), {"key": payment_id}
        )
        return list(rows.scalars())


async def test_many_cards_hold_then_release_pays_through_the_sandbox(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    user_id = player()
    counters = FraudCounters(infrastructure.redis)
    now = infrastructure.clock.now()
    for n in range(4):
        await counters.record_user_card(user_id, f"card-{n}", now, timedelta(days=1))

    created = await pay(client, user_id, 50_000)
    assert created.status_code == 201, created.text
    held = created.json()["data"]
    assert held["attributes"]["status"] == "on_hold"
    assert held["attributes"]["confirmation_url"] is None
    listed = (await client.get(f"{ADMIN_PATH}/payments/held", headers=ADMIN)).json()["data"]
    mine = [item for item in listed if item["id"] == held["id"]]
    assert [r["rule"] for r in mine[0]["attributes"]["reasons"]] == ["distinct_cards"]
    forbidden = await client.get(f"{ADMIN_PATH}/payments/held", headers=auth(user_id))
    assert forbidden.status_code == 403

    released = await decide(client, held["id"], "release")
    assert released.status_code == 200, released.text
    attributes = released.json()["data"]["attributes"]
    assert attributes["status"] == "pending" and attributes["provider"] == "yookassa"
    again = await decide(client, held["id"], "reject")
    assert again.status_code == 422 and again.json()["errors"][0]["code"] == "HOLD_ALREADY_DECIDED"

    async with httpx.AsyncClient() as browser:  # the buyer pays on the sandbox's page
        paid = await browser.get(attributes["confirmation_url"], follow_redirects=False)
    assert paid.status_code == 303, paid.text
    async with infrastructure.session_factory() as session:
        provider_id = (
            await session.execute(
                text("SELECT provider_payment_id FROM payments WHERE id = :id"),
                {"id": held["id"]},
            )
        ).scalar_one()
    notification = ProviderNotification(
        Provider.YOOKASSA,
        NotificationSubject.PAYMENT,
        provider_id,
        uuid.UUID(held["id"]),
        "payment.succeeded",
    )
    await settle_payment_notification(
        infrastructure.unit_of_work,
        provider_registry(infrastructure),
        infrastructure.clock,
        notification,
        fraud=fraud_screen(infrastructure),
    )
    fetched = await client.get(f"{PAYMENTS}/{held['id']}", headers=auth(user_id))
    assert fetched.json()["data"]["attributes"]["status"] == "succeeded"
    assert "payment.payment.succeeded.v1" in await outbox_types(infrastructure, held["id"])
    # The sandbox's card was learned from the provider: a fifth card for this user.
    cards = await counters.user_cards(user_id, infrastructure.clock.now(), timedelta(days=1))
    assert len(cards) == 5
    async with infrastructure.session_factory() as session:
        actions = await session.execute(
            select(audit_log.c.action, audit_log.c.actor)
            .where(audit_log.c.subject_id == held["id"])
            .order_by(audit_log.c.id)
        )
        assert ("payment.hold_released", str(ADMIN_ID)) in list(actions)


async def test_a_large_payment_from_a_new_account_is_held_then_rejected(
    client: httpx.AsyncClient, infrastructure: Infrastructure, switch
) -> None:
    newcomer = player(age=timedelta(days=2))
    created = await pay(client, newcomer, 10_000_001)
    assert created.status_code == 201, created.text
    held = created.json()["data"]
    assert held["attributes"]["status"] == "on_hold"

    rejected = await decide(client, held["id"], "reject")
    assert rejected.status_code == 200, rejected.text
    attributes = rejected.json()["data"]["attributes"]
    assert attributes["status"] == "cancelled"
    assert attributes["cancellation_reason"] == "fraud_suspected"
    assert await outbox_types(infrastructure, held["id"]) == ["payment.payment.cancelled.v1"]
    async with infrastructure.session_factory() as session:
        actions = await session.execute(
            select(audit_log.c.action).where(audit_log.c.subject_id == held["id"])
        )
        assert set(actions.scalars()) >= {"payment.held", "payment.hold_rejected"}

    # The limit itself passes; switched off, nothing is held.
    at_limit = await pay(client, newcomer, 10_000_000)
    assert at_limit.json()["data"]["attributes"]["status"] == "pending"
    await switch("new_account_large_payment", False)
    unchecked = await pay(client, newcomer, 10_000_001)
    assert unchecked.json()["data"]["attributes"]["status"] == "pending"
    not_held = await decide(client, unchecked.json()["data"]["id"], "release")
    assert not_held.status_code == 422
    assert not_held.json()["errors"][0]["code"] == "PAYMENT_NOT_ON_HOLD"
