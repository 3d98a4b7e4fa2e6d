"""Settling payments on the real engines: wallet-only payments through the REST API, and
provider-confirmed statuses applied concurrently to one payment (one effect, whatever order)."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from ledger_support import fund_wallet, pending_at_provider
from parovoz_kit.errors import BusinessRuleViolation
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.db.ledger_tables import ledger_transactions
from parovoz_payment.domain.methods import Provider
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose, PaymentStatus
from parovoz_payment.domain.providers import ProviderPayment
from parovoz_payment.use_cases.payment_confirmation import apply_confirmed_status
from parovoz_testing.tokens import auth
from sqlalchemy import func, select, text

PAYMENTS = "/api/v1/payments"
DONATIONS = f"{PAYMENTS}/donations"


async def counts(infrastructure: Infrastructure, payment_id: uuid.UUID) -> tuple[int, list[str]]:
    """(ledger transactions, outbox event types) of one payment."""
    async with infrastructure.session_factory() as session:
        posted = (
            await session.execute(
                select(func.count()).where(ledger_transactions.c.reference == str(payment_id))
            )
        ).scalar_one()
        types = (
            await session.execute(
                text("SELECT type FROM outbox WHERE key = :key ORDER BY seq"),
                {"key": str(payment_id)},
            )
        ).scalars()
        return posted, list(types)


async def balance(client: httpx.AsyncClient, user_id: uuid.UUID) -> int:
    wallet = await client.get(f"{PAYMENTS}/wallet", headers=auth(user_id))
    return wallet.json()["data"]["attributes"]["balance"]["amount_minor"]


async def test_a_wallet_only_payment_settles_at_once(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    user_id = uuid.uuid4()
    await fund_wallet(infrastructure, user_id, 150_000)
    body = {
        "data": {
            "type": "donation",
            "attributes": {
                "streamer_id": str(uuid.uuid4()),
                "amount": {"amount_minor": 50_000, "currency": "RUB"},
                "method": "wallet",
                "use_wallet": True,
            },
        }
    }
    headers = {**auth(user_id), "Idempotency-Key": str(uuid.uuid4())}
    response = await client.post(DONATIONS, json=body, headers=headers)
    assert response.status_code == 201, response.text
    payment = response.json()["data"]
    assert payment["attributes"]["status"] == "succeeded"
    assert payment["attributes"]["wallet_amount"]["amount_minor"] == 50_000
    assert payment["attributes"]["confirmation_url"] is None
    assert await balance(client, user_id) == 100_000
    assert await counts(infrastructure, uuid.UUID(payment["id"])) == (
        1,
        ["payment.payment.succeeded.v1"],
    )

    # More than the balance from the wallet alone: refused, nothing written.
    body["data"]["attributes"]["amount"]["amount_minor"] = 100_001
    headers["Idempotency-Key"] = str(uuid.uuid4())
    refused = await client.post(DONATIONS, json=body, headers=headers)
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["code"] == "INSUFFICIENT_WALLET_BALANCE"
    assert await balance(client, user_id) == 100_000


def reported(provider_id: str, status: PaymentStatus, amount_minor: int) -> ProviderPayment:
    return ProviderPayment(Provider.YOOKASSA, provider_id, status, Money(amount_minor, "RUB"))


async def test_concurrent_confirmations_settle_once(infrastructure: Infrastructure) -> None:
    payment_id, _, provider_id = await pending_at_provider(
        infrastructure, PaymentPurpose.DONATION, 30_000
    )
    statuses = [PaymentStatus.SUCCEEDED] * 8 + [PaymentStatus.PENDING] * 4
    results = await asyncio.gather(
        *(
            apply_confirmed_status(
                infrastructure.unit_of_work,
                infrastructure.clock,
                payment_id,
                reported(provider_id, status, 30_000),
            )
            for status in statuses
        )
    )
    assert {result.status for result in results} <= {PaymentStatus.SUCCEEDED, PaymentStatus.PENDING}
    assert await counts(infrastructure, payment_id) == (1, ["payment.payment.succeeded.v1"])
    # A contradicting final status afterwards is refused, not applied.
    with pytest.raises(BusinessRuleViolation):
        await apply_confirmed_status(
            infrastructure.unit_of_work,
            infrastructure.clock,
            payment_id,
            reported(provider_id, PaymentStatus.CANCELLED, 30_000),
        )
    assert await counts(infrastructure, payment_id) == (1, ["payment.payment.succeeded.v1"])


async def test_a_succeeded_top_up_credits_the_wallet(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    payment_id, user_id, provider_id = await pending_at_provider(
        infrastructure, PaymentPurpose.WALLET_TOP_UP, 20_000
    )
    for _ in range(2):
        await apply_confirmed_status(
            infrastructure.unit_of_work,
            infrastructure.clock,
            payment_id,
            reported(provider_id, PaymentStatus.SUCCEEDED, 20_000),
        )
    assert await balance(client, user_id) == 20_000
    assert await counts(infrastructure, payment_id) == (1, ["payment.payment.succeeded.v1"])
