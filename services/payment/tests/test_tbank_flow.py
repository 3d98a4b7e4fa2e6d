"""A whole payment at T-Bank on the real engines and the provider sandbox: payment's app built
with YooKassa switched off (as an operator would while YooKassa is down), so a card payment is
routed to T-Bank: Init (with its 54-FZ receipt) → the buyer pays on the sandbox's page → T-Bank's
signed notification reaches payment's webhook (the running service) → GetState confirms it →
booked once → the fiscalisation notification marks the receipt → a partial refund through
T-Bank's Cancel (with its refund receipt, fiscalised too) → the ledger check stays green."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from parovoz_kit.infrastructure import Infrastructure, open_infrastructure
from parovoz_kit.service import build_app, job_runner
from parovoz_payment.clients.providers.config import ProviderConfig
from parovoz_payment.jobs.ledger_check import check_ledger
from parovoz_payment.main import SERVICE
from parovoz_payment.settings import PaymentSettings
from parovoz_testing.tokens import auth
from sqlalchemy import text

PAYMENTS = "/api/v1/payments"
DONATIONS = f"{PAYMENTS}/donations"


@pytest.fixture(scope="module")
async def tbank_only() -> AsyncIterator[Infrastructure]:
    settings = PaymentSettings(environment="test", providers=ProviderConfig(yookassa_enabled=False))
    async with open_infrastructure(settings) as infra:
        yield infra


@pytest.fixture(scope="module")
async def app_client(tbank_only: Infrastructure) -> AsyncIterator[httpx.AsyncClient]:
    app = build_app(SERVICE, tbank_only, job_runner(SERVICE, tbank_only))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://payment") as http:
        yield http


async def scalar(infra: Infrastructure, query: str, **params: object) -> object:
    async with infra.session_factory() as session:
        return (await session.execute(text(query), params)).scalar_one()


async def fiscalised(infra: Infrastructure, payment_id: str, kind: str) -> tuple[str, str]:
    """The receipt's (status, provider id) once T-Bank's RECEIPT notification marked it."""
    query = (
        "SELECT status, coalesce(provider_receipt_id, '') FROM receipts "
        "WHERE payment_id = :id AND type = :kind"
    )
    for _ in range(200):
        async with infra.session_factory() as session:
            row = (await session.execute(text(query), {"id": payment_id, "kind": kind})).first()
        if row is not None and row[0] != "pending":
            return row[0], row[1]
        await asyncio.sleep(0.05)
    pytest.fail(f"the {kind} receipt was never fiscalised")


async def test_a_card_payment_at_tbank_is_booked_once_and_refunded_in_part(
    tbank_only: Infrastructure, app_client: httpx.AsyncClient
) -> None:
    user_id = str(uuid.uuid4())
    headers = auth(user_id)
    body = {
        "data": {
            "type": "donation",
            "attributes": {
                "streamer_id": str(uuid.uuid4()),
                "amount": {"amount_minor": 59900, "currency": "RUB"},
                "method": "bank_card",
                "return_url": "https://store.example/return",
                "customer_email": "player@example.com",
            },
        }
    }
    created = await app_client.post(
        DONATIONS, json=body, headers={**headers, "Idempotency-Key": str(uuid.uuid4())}
    )
    assert created.status_code == 201, created.text
    payment = created.json()["data"]
    assert payment["attributes"]["provider"] == "tbank"
    confirmation_url = payment["attributes"]["confirmation_url"]

    async with httpx.AsyncClient(timeout=5) as buyer:
        paid = await buyer.get(confirmation_url, follow_redirects=False)
    assert paid.status_code == 303  # the sandbox's page: paid, back to the store

    for _ in range(200):  # the notification goes to the running service's webhook
        seen = await app_client.get(f"{PAYMENTS}/{payment['id']}", headers=headers)
        if seen.json()["data"]["attributes"]["status"] == "succeeded":
            break
        await asyncio.sleep(0.05)
    else:
        pytest.fail("T-Bank's notification never settled the payment")

    booked = "SELECT count(*) FROM ledger_transactions WHERE reference = :id AND kind = 'payment'"
    assert await scalar(tbank_only, booked, id=payment["id"]) == 1
    succeeded = "SELECT count(*) FROM outbox WHERE key = :id AND type = :type"
    assert (
        await scalar(tbank_only, succeeded, id=payment["id"], type="payment.payment.succeeded.v1")
        == 1
    )

    # The receipt went with Init; T-Bank's cash register answered with a fiscal document.
    status, document = await fiscalised(tbank_only, payment["id"], "payment")
    assert status == "succeeded" and ":" in document

    refund_body = {
        "data": {
            "type": "refundRequest",
            "attributes": {
                "amount": {"amount_minor": 20000, "currency": "RUB"},
                "reason": "customer_request",
                "destination": "original_method",
            },
        }
    }
    service_headers = auth("service:subscription")
    refund = await app_client.post(
        f"{PAYMENTS}/{payment['id']}/refunds",
        json=refund_body,
        headers={**service_headers, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert refund.status_code == 201, refund.text
    # Not a game: an admin approves it, then the money goes back through T-Bank's Cancel.
    assert refund.json()["data"]["attributes"]["status"] == "requires_review"
    admin_headers = auth(uuid.uuid4(), ["admin"])
    decided = await app_client.post(
        f"{PAYMENTS}/admin/refunds/{refund.json()['data']['id']}/decision",
        json={"data": {"type": "refundDecision", "attributes": {"decision": "approve"}}},
        headers=admin_headers,
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["data"]["attributes"]["status"] == "succeeded"
    refunded = "SELECT refunded_amount_minor FROM payments WHERE id = :id"
    assert await scalar(tbank_only, refunded, id=payment["id"]) == 20000
    status, refund_document = await fiscalised(tbank_only, payment["id"], "refund")
    assert status == "succeeded" and refund_document != document
    async with tbank_only.session_factory() as session:
        assert (await check_ledger(session)).ok


async def test_a_wallet_purchase_closes_a_tbank_top_up_with_a_closing_receipt(
    tbank_only: Infrastructure, app_client: httpx.AsyncClient
) -> None:
    user_id = str(uuid.uuid4())
    headers = auth(user_id)
    top_up = await app_client.post(
        f"{PAYMENTS}/wallet/top-ups",
        json={"data": {"type": "walletTopUp", "attributes": {
            "amount": {"amount_minor": 100_000, "currency": "RUB"}, "method": "bank_card",
            "return_url": "https://store.example/wallet", "customer_email": "w@example.com"}}},
        headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
    )  # fmt: skip
    assert top_up.status_code == 201, top_up.text
    async with httpx.AsyncClient(timeout=5) as buyer:
        await buyer.get(top_up.json()["data"]["attributes"]["confirmation_url"])
    top_up_id = top_up.json()["data"]["id"]
    assert (await fiscalised(tbank_only, top_up_id, "payment"))[0] == "succeeded"

    bought = await app_client.post(
        DONATIONS,
        json={"data": {"type": "donation", "attributes": {
            "streamer_id": str(uuid.uuid4()), "amount": {"amount_minor": 59_900, "currency": "RUB"},
            "method": "wallet", "use_wallet": True, "customer_email": "w@example.com"}}},
        headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
    )  # fmt: skip

    assert bought.status_code == 201, bought.text
    purchase_id = bought.json()["data"]["id"]
    status, document = await fiscalised(tbank_only, purchase_id, "payment")
    assert status == "succeeded" and ":" in document
    linked = "SELECT advance_payment_id::text FROM receipts WHERE payment_id = :id"
    assert await scalar(tbank_only, linked, id=purchase_id) == top_up_id
