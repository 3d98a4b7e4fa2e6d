"""A receipt's contact (54-FZ wants the buyer's, issue #12 "also found"): the e-mail a payment
names, else the account's e-mail the user service (the stand-in, :8092) knows; the placeholder
only when neither is known. Real engines: the app in process, PostgreSQL, the user stand-in."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.db.payments import SqlPayments
from parovoz_payment.db.receipts import contact_of
from parovoz_payment.domain.receipts import Customer
from parovoz_payment.use_cases.receipts import PLACEHOLDER_EMAIL, payment_receipt
from parovoz_testing.tokens import auth

USERS = "http://127.0.0.1:8092/users"
TOP_UPS = "/api/v1/payments/wallet/top-ups"


def player_with(email: str | None) -> uuid.UUID:
    """A long-standing player of the user stand-in whose account has ``email``."""
    user_id = uuid.uuid4()
    profile = {
        "birth_date": "1990-01-01",
        "region": "RU",
        "account_created_at": (datetime.now(UTC) - timedelta(days=400)).isoformat(),
        "blocked": False,
        "email": email,
    }
    httpx.put(f"{USERS}/{user_id}", json=profile).raise_for_status()
    return user_id


async def top_up(client: httpx.AsyncClient, user_id: uuid.UUID, **attributes: object) -> str:
    body = {
        "data": {
            "type": "walletTopUp",
            "attributes": {
                "amount": {"amount_minor": 50_000, "currency": "RUB"},
                "method": "bank_card",
                "return_url": "https://parovoz.example/wallet",
                **attributes,
            },
        }
    }
    headers = {**auth(user_id), "Idempotency-Key": str(uuid.uuid4())}
    created = await client.post(TOP_UPS, json=body, headers=headers)
    assert created.status_code == 201, created.text
    return str(created.json()["data"]["id"])


async def receipt_customer(infrastructure: Infrastructure, payment_id: str) -> Customer:
    """The customer of the receipt this payment gets (as stored at settlement, sent with
    T-Bank's Init), and the contact remembered at creation."""
    async with infrastructure.session_factory() as session:
        remembered = await contact_of(session, uuid.UUID(payment_id))
        stored = await SqlPayments(session).get(uuid.UUID(payment_id))
        assert stored is not None
        receipt = await payment_receipt(session, stored.payment)
    assert receipt is not None
    assert remembered in (None, receipt.customer)
    return receipt.customer


async def test_a_payment_naming_no_email_gets_the_accounts_email_on_its_receipt(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    user_id = player_with("buyer-receipts@example.test")
    payment_id = await top_up(client, user_id)
    assert await receipt_customer(infrastructure, payment_id) == Customer(
        email="buyer-receipts@example.test"
    )


async def test_an_email_the_payment_names_wins_over_the_accounts(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    user_id = player_with("account@example.test")
    payment_id = await top_up(client, user_id, customer_email="named@example.test")
    assert await receipt_customer(infrastructure, payment_id) == Customer(
        email="named@example.test"
    )


async def test_the_placeholder_only_when_no_email_is_known(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    without_email = player_with(None)
    payment_id = await top_up(client, without_email)
    assert await receipt_customer(infrastructure, payment_id) == Customer(email=PLACEHOLDER_EMAIL)
    unknown = uuid.uuid4()  # the user service has no profile: nothing to take
    payment_id = await top_up(client, unknown)
    assert await receipt_customer(infrastructure, payment_id) == Customer(email=PLACEHOLDER_EMAIL)
