"""Refunds end to end on the real engines through our REST: a first payment paid at the provider
sandbox, then the owner's refund within 14 days (the subscription ends at once, payment's refund
is approved by payment's admin and its `payment.refund.succeeded.v1` settles our charge), the
window closed after 14 days (the clock moved), and an admin's partial refund."""

from __future__ import annotations

import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from parovoz_events.payment import PaymentSucceeded, RefundSucceeded
from parovoz_kit.events import Event
from parovoz_kit.infrastructure import Infrastructure
from parovoz_subscription.billing.domain.charges import ChargeStatus, PaymentState
from parovoz_subscription.billing.events import payment_event_handlers
from parovoz_subscription.subscriptions.domain import Subscription
from parovoz_testing.consumers import consuming, handled, private_group, private_topic, produce
from parovoz_testing.tokens import auth

sys.path.insert(0, str(Path(__file__).parent))
from billing_flow_support import (
    charge,
    confirm,
    our_events,
    payment_reaches,
    payments_event,
    read,
    subscribe,
)

PREFIX = "/api/v1/subscriptions"
PAYMENT_ADMIN = "http://127.0.0.1:8084/api/v1/payments/admin/refunds"


@pytest.fixture(scope="module")
def group() -> str:
    return private_group("subscription.payment.events.v1")


@pytest.fixture(scope="module")
def topic(infrastructure: Infrastructure, group: str) -> Iterator[str]:
    with private_topic(infrastructure, group) as name:
        yield name


@pytest.fixture(scope="module")
async def consumer(infrastructure: Infrastructure, group: str, topic: str) -> AsyncIterator[str]:
    async with consuming(infrastructure, group, topic, payment_event_handlers(infrastructure)):
        yield group


async def feed(infrastructure: Infrastructure, topic: str, group: str, event: Event) -> None:
    produce(infrastructure, topic, event)
    await handled(infrastructure, group, [event])


async def a_paid_subscription(
    infrastructure: Infrastructure, topic: str, group: str
) -> tuple[Subscription, uuid.UUID, uuid.UUID]:
    """An active subscription whose first payment was paid at the sandbox: (it, charge,
    payment)."""
    subscription, started = await subscribe(infrastructure)
    assert started.payment_id and started.confirmation_url
    await confirm(started.confirmation_url)
    await payment_reaches(infrastructure, started.payment_id, PaymentState.SUCCEEDED)
    event = await payments_event(started.payment_id, PaymentSucceeded.event_type)
    await feed(infrastructure, topic, group, event)
    assert (await read(infrastructure, subscription.id)).status.value == "active"
    return subscription, started.charge_id, started.payment_id


def refund_body(**attributes: object) -> dict:
    return {"data": {"type": "subscriptionRefund", "attributes": attributes}}


async def test_the_owner_gets_the_first_payment_back_within_14_days(
    infrastructure: Infrastructure, client: httpx.AsyncClient, topic: str, consumer: str
) -> None:
    subscription, charge_id, payment_id = await a_paid_subscription(infrastructure, topic, consumer)
    infrastructure.clock.offset += timedelta(days=13, hours=23)  # type: ignore[attr-defined]
    try:
        headers = {**auth(subscription.user_id), "Idempotency-Key": str(uuid.uuid4())}
        answer = await client.post(f"{PREFIX}/{subscription.id}/refund", headers=headers)
        repeated = await client.post(f"{PREFIX}/{subscription.id}/refund", headers=headers)
    finally:
        infrastructure.clock.offset -= timedelta(days=13, hours=23)  # type: ignore[attr-defined]
    assert answer.status_code == 200, answer.text
    refund = answer.json()["data"]
    assert refund["attributes"]["amount"] == {"amount_minor": 39900, "currency": "RUB"}
    assert refund["attributes"]["payment_id"] == str(payment_id)
    assert refund["attributes"]["subscription_status"] == "expired"
    assert repeated.status_code == 200 and repeated.json()["data"]["id"] == refund["id"]

    ended = await read(infrastructure, subscription.id)
    assert ended.status.value == "expired" and not ended.grants_access_at(
        infrastructure.clock.now()
    )
    assert (await our_events(infrastructure, subscription.id))[-1] == (
        "subscription.subscription.expired.v1"
    )
    asked = await charge(infrastructure, charge_id)
    assert asked.refunded_minor == 39900 and asked.status is ChargeStatus.SUCCEEDED

    # payment keeps a subscription refund for its admin; approved, it reports the money back
    if refund["attributes"]["status"] == "requires_review":
        admin = auth(uuid.uuid4(), ["admin"])
        decision = {
            "data": {
                "type": "refundDecision",
                "attributes": {"decision": "approve", "comment": "14-day refund"},
            }
        }
        async with httpx.AsyncClient() as http:
            approved = await http.post(
                f"{PAYMENT_ADMIN}/{refund['id']}/decision", json=decision, headers=admin
            )
        assert approved.status_code == 200, approved.text
    await feed(
        infrastructure,
        topic,
        consumer,
        await payments_event(payment_id, RefundSucceeded.event_type),
    )
    assert (await charge(infrastructure, charge_id)).status is ChargeStatus.REFUNDED
    again = await client.post(
        f"{PREFIX}/{subscription.id}/refund", headers=auth(subscription.user_id)
    )
    assert again.status_code == 422 and again.json()["errors"][0]["code"] == "NOTHING_TO_REFUND"


async def test_after_14_days_the_window_is_closed(
    infrastructure: Infrastructure, client: httpx.AsyncClient, topic: str, consumer: str
) -> None:
    subscription, charge_id, _ = await a_paid_subscription(infrastructure, topic, consumer)
    infrastructure.clock.offset += timedelta(days=14, minutes=5)  # type: ignore[attr-defined]
    try:
        answer = await client.post(
            f"{PREFIX}/{subscription.id}/refund", headers=auth(subscription.user_id)
        )
    finally:
        infrastructure.clock.offset -= timedelta(days=14, minutes=5)  # type: ignore[attr-defined]
    assert answer.status_code == 422, answer.text
    (error,) = answer.json()["errors"]
    assert error["code"] == "REFUND_WINDOW_CLOSED" and "14" in error["detail"]
    assert (await read(infrastructure, subscription.id)).status.value == "active"
    assert (await charge(infrastructure, charge_id)).refunded_minor == 0


async def test_an_admin_refunds_part_and_the_owner_chooses_nothing(
    infrastructure: Infrastructure, client: httpx.AsyncClient, topic: str, consumer: str
) -> None:
    subscription, charge_id, _ = await a_paid_subscription(infrastructure, topic, consumer)
    url = f"{PREFIX}/{subscription.id}/refund"

    owner = await client.post(
        url, headers=auth(subscription.user_id), json=refund_body(amount_minor=100)
    )
    assert owner.status_code == 403, owner.text
    assert owner.json()["errors"][0]["code"] == "REFUND_OPTIONS_ADMIN_ONLY"

    admin = auth(uuid.uuid4(), ["admin"])
    malformed = await client.post(url, headers=admin, json=refund_body(amount_minor="100"))
    assert malformed.status_code == 400, malformed.text
    assert malformed.json()["errors"][0]["source"]["pointer"].endswith("amount_minor")

    part = await client.post(
        url, headers=admin, json=refund_body(charge_id=str(charge_id), amount_minor=10000)
    )
    assert part.status_code == 200, part.text
    assert part.json()["data"]["attributes"]["amount"]["amount_minor"] == 10000
    assert part.json()["data"]["attributes"]["subscription_status"] == "active"

    too_much = await client.post(url, headers=admin, json=refund_body(amount_minor=29901))
    assert too_much.status_code == 422, too_much.text
    assert too_much.json()["errors"][0]["code"] == "REFUND_EXCEEDS_PAID"

    rest = await client.post(url, headers=admin, json=refund_body(end_subscription=True))
    assert rest.status_code == 200, rest.text
    assert rest.json()["data"]["attributes"]["amount"]["amount_minor"] == 29900
    assert rest.json()["data"]["attributes"]["subscription_status"] == "expired"
    assert (await charge(infrastructure, charge_id)).refundable_minor == 0

    stranger = await client.post(url, headers=auth(uuid.uuid4()))
    assert stranger.status_code == 404
