"""The card-failure fraud rule in the card flow (issue #12, also found): the provider sandbox
reports the card the buyer entered, declined payments included (YooKassa's
``payment_method.card``, T-Bank's masked ``Pan`` and ``ExpDate`` in its notification), payment
counts a card's failures by it, and past the limit the card is locked: a saved method of that
card is refused before any provider hears of it.

Real engines: the sandbox (:8091), the user stand-in (:8092), the running payment service's
webhook (T-Bank), Redis counters, PostgreSQL."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from parovoz_kit.infrastructure import Infrastructure, open_infrastructure
from parovoz_kit.service import build_app, job_runner
from parovoz_payment.clients.providers.config import ProviderConfig
from parovoz_payment.clients.providers.registry import provider_registry
from parovoz_payment.db.audit import audit_log
from parovoz_payment.db.fraud_counters import FraudCounters
from parovoz_payment.db.payments import SqlPayments
from parovoz_payment.db.saved_methods import saved_methods
from parovoz_payment.domain.fraud import card_fingerprint
from parovoz_payment.domain.methods import Provider
from parovoz_payment.domain.providers import NotificationSubject, ProviderNotification
from parovoz_payment.main import SERVICE
from parovoz_payment.settings import PaymentSettings
from parovoz_payment.use_cases.fraud import fraud_screen
from parovoz_payment.use_cases.payment_confirmation import settle_payment_notification
from parovoz_testing.tokens import auth
from sqlalchemy import select
from users_support import player

PAYMENTS = "/api/v1/payments"
RETURN_URL = "https://parovoz.example/return"


def a_card() -> tuple[str, str, str]:
    """A card of this test only: (number, MMYY expiry, fingerprint payment counts it by)."""
    number = f"411111{random.randrange(10**10):010d}"
    month, year = random.randint(1, 12), random.randint(27, 35)
    card = card_fingerprint(number[:6], number[-4:], f"{month:02d}", f"20{year}")
    assert card is not None
    return number, f"{month:02d}{year}", card


async def top_up(
    client: httpx.AsyncClient, user_id: uuid.UUID, **attributes: object
) -> httpx.Response:
    body = {
        "data": {
            "type": "walletTopUp",
            "attributes": {
                "amount": {"amount_minor": 50_000, "currency": "RUB"},
                "return_url": RETURN_URL,
                **attributes,
            },
        }
    }
    headers = {**auth(user_id), "Idempotency-Key": str(uuid.uuid4())}
    return await client.post(f"{PAYMENTS}/wallet/top-ups", json=body, headers=headers)


async def pay_at_the_sandbox(
    infrastructure: Infrastructure, created: httpx.Response, query: str
) -> str:
    """The buyer enters the card on the sandbox's page; the notification is then settled (as
    the webhook does: the status and the card are asked from the provider). The status."""
    assert created.status_code == 201, created.text
    data = created.json()["data"]
    async with httpx.AsyncClient() as browser:
        paid = await browser.get(f"{data['attributes']['confirmation_url']}?{query}")
    assert paid.status_code == 303, paid.text
    payment_id = uuid.UUID(data["id"])
    providers = provider_registry(infrastructure)
    async with infrastructure.session_factory() as session:
        stored = await SqlPayments(session).get(payment_id)
    assert stored is not None and stored.payment.provider_payment_id is not None
    await settle_payment_notification(
        infrastructure.unit_of_work,
        providers,
        infrastructure.clock,
        ProviderNotification(
            Provider.YOOKASSA,
            NotificationSubject.PAYMENT,
            stored.payment.provider_payment_id,
            payment_id,
            "payment.canceled",
        ),
        fraud=fraud_screen(infrastructure),
    )
    async with infrastructure.session_factory() as session:
        settled = await SqlPayments(session).get(payment_id)
    assert settled is not None
    return settled.payment.status.value


async def test_repeated_declines_of_one_card_lock_it_and_its_saved_method(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    user_id = player()
    number, expiry, card = a_card()
    counters = FraudCounters(infrastructure.redis)

    # The buyer saves the card with a first top-up that goes through.
    saved = await top_up(client, user_id, method="bank_card", save_method=True)
    status = await pay_at_the_sandbox(
        infrastructure, saved, f"outcome=succeed&card={number}&expiry={expiry}"
    )
    assert status == "succeeded"
    async with infrastructure.session_factory() as session:
        method_id = (
            await session.execute(
                select(saved_methods.c.id).where(saved_methods.c.user_id == user_id)
            )
        ).scalar_one()
    assert await counters.saved_method_card(method_id) == card  # learned from the provider

    # Six declines of that card (the rule: more than 5 in 10 minutes) on the provider's page.
    for attempt in range(6):
        declined = await top_up(client, user_id, method="bank_card")
        status = await pay_at_the_sandbox(
            infrastructure,
            declined,
            f"outcome=fail&code=card_expired&card={number}&expiry={expiry}",
        )
        assert status == "cancelled"
        locked_until = await counters.card_locked_until(card)
        if attempt < 5:
            assert locked_until is None, f"locked after {attempt + 1} failures"
    locked_until = await counters.card_locked_until(card)
    assert locked_until is not None
    assert locked_until - infrastructure.clock.now() > timedelta(hours=23)

    # The card is locked: its saved method is refused before any provider hears of it.
    refused = await top_up(client, user_id, method=str(method_id))
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["code"] == "CARD_LOCKED"
    async with infrastructure.session_factory() as session:
        locks = await session.execute(
            select(audit_log.c.action).where(audit_log.c.subject_id == card)
        )
        assert "card.locked" in set(locks.scalars())


@pytest.fixture(scope="module")
async def tbank_only() -> AsyncIterator[Infrastructure]:
    """Payment with YooKassa switched off: a card payment goes to T-Bank."""
    settings = PaymentSettings(environment="test", providers=ProviderConfig(yookassa_enabled=False))
    async with open_infrastructure(settings) as infra:
        yield infra


@pytest.fixture(scope="module")
async def tbank_client(tbank_only: Infrastructure) -> AsyncIterator[httpx.AsyncClient]:
    app = build_app(SERVICE, tbank_only, job_runner(SERVICE, tbank_only))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://payment") as http:
        yield http


async def test_tbank_declines_of_one_card_reach_the_webhook_and_lock_it(
    tbank_only: Infrastructure, tbank_client: httpx.AsyncClient
) -> None:
    """T-Bank names the card in its notification only (masked Pan, ExpDate): the running
    service's webhook counts the declines by it, as for YooKassa."""
    user_id = player()
    number, expiry, card = a_card()
    counters = FraudCounters(tbank_only.redis)
    for _ in range(6):
        declined = await top_up(tbank_client, user_id, method="bank_card")
        assert declined.status_code == 201, declined.text
        attributes = declined.json()["data"]["attributes"]
        assert attributes["provider"] == "tbank"
        query = f"outcome=fail&code=card_expired&card={number}&expiry={expiry}"
        async with httpx.AsyncClient() as browser:
            paid = await browser.get(f"{attributes['confirmation_url']}?{query}")
        assert paid.status_code == 303, paid.text
    for _ in range(200):  # the notifications go to the running service's webhook
        if await counters.card_locked_until(card) is not None:
            break
        await asyncio.sleep(0.05)
    else:
        pytest.fail("six declines of one card at T-Bank did not lock it")
