"""Donations on the real engines: a donation is a ``donation`` payment through the ordinary
creation use case; when it settles the streamer's balance gets the amount less the 5 %
commission (rounded in the platform's favour) and platform revenue the commission -- exact
over random amounts, the ledger check green; replays create nothing; bad input is a JSON
error with a pointer; the balance is the streamer's (or an admin's) to see."""

from __future__ import annotations

import asyncio
import random
import uuid

import httpx
import pytest
from donations_support import DONATIONS, body, donate
from ledger_support import fund_wallet
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.db.ledger import find_account
from parovoz_payment.domain.donations import split_donation
from parovoz_payment.domain.ledger import AccountKey, AccountPurpose, OwnerType
from parovoz_payment.domain.money import Money
from parovoz_payment.jobs.ledger_check import check_ledger
from parovoz_testing.tokens import auth
from sqlalchemy import text
from users_support import player

PAYMENTS = "/api/v1/payments"


async def balance_of(infrastructure: Infrastructure, key: AccountKey) -> int:
    async with infrastructure.session_factory() as session:
        account = await find_account(session, key)
    return 0 if account is None else account.credit_balance.amount_minor


def streamer_key(streamer_id: uuid.UUID) -> AccountKey:
    return AccountKey.of(OwnerType.STREAMER, streamer_id, AccountPurpose.STREAMER_BALANCE, "RUB")


async def transaction_credits(infrastructure: Infrastructure, payment_id: str) -> dict[str, int]:
    """The settled payment's credits by account purpose."""
    async with infrastructure.session_factory() as session:
        rows = await session.execute(
            text(
                "SELECT a.purpose, e.amount FROM ledger_entries e"
                " JOIN ledger_transactions t ON t.id = e.transaction_id"
                " JOIN ledger_accounts a ON a.id = e.account_id"
                " WHERE t.reference = :ref AND e.direction = 'credit'"
            ),
            {"ref": payment_id},
        )
        return {purpose: amount for purpose, amount in rows}


def test_the_split_is_exact_and_rounds_for_the_platform() -> None:
    rng = random.Random(6)
    for minor in [1, 19, 20, 21, 99, 100, 50_000, *(rng.randint(1, 10**9) for _ in range(2000))]:
        split = split_donation(Money(minor, "RUB"), 500)
        assert split.streamer.amount_minor + split.commission.amount_minor == minor
        # The commission is 5 % rounded up: never less, and less than a kopeck more.
        assert split.commission.amount_minor * 10_000 >= minor * 500
        assert (split.commission.amount_minor - 1) * 10_000 < minor * 500
    assert split_donation(Money(100_00, "RUB"), 500).commission == Money(5_00, "RUB")
    assert split_donation(Money(1, "RUB"), 500).streamer == Money(0, "RUB")


async def test_a_wallet_donation_credits_the_streamer_less_the_commission(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    user_id, streamer_id = player(), uuid.uuid4()
    await fund_wallet(infrastructure, user_id, 1_000_000)
    key = str(uuid.uuid4())
    answer = await donate(client, user_id, body(streamer_id, 12_345), key)
    assert answer.status_code == 201, answer.text
    payment = answer.json()["data"]
    assert payment["attributes"]["status"] == "succeeded"
    assert payment["attributes"]["purpose"] == "donation"
    # 5 % of 123.45 RUB is 6.1725: the platform takes 6.18, the streamer 117.27.
    assert await balance_of(infrastructure, streamer_key(streamer_id)) == 11_727
    assert await transaction_credits(infrastructure, payment["id"]) == {
        "streamer_balance": 11_727,
        "platform_revenue": 618,
    }
    # A replay answers the same payment and moves nothing.
    again = await donate(client, user_id, body(streamer_id, 12_345), key)
    assert again.status_code == 201 and again.json()["data"]["id"] == payment["id"]
    assert await balance_of(infrastructure, streamer_key(streamer_id)) == 11_727

    shown = await client.get(
        f"{PAYMENTS}/streamers/{streamer_id}/balance", headers=auth(streamer_id)
    )
    assert shown.status_code == 200
    assert shown.json()["data"]["attributes"]["balance"] == {
        "amount_minor": 11_727,
        "currency": "RUB",
    }
    admin = auth(uuid.uuid4(), ["admin"])
    assert (
        await client.get(f"{PAYMENTS}/streamers/{streamer_id}/balance", headers=admin)
    ).status_code == 200
    other = await client.get(f"{PAYMENTS}/streamers/{streamer_id}/balance", headers=auth(user_id))
    assert other.status_code == 403
    assert other.json()["errors"][0]["code"] == "STREAMER_BALANCE_FORBIDDEN"


async def test_random_donations_lose_no_kopeck(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    rng = random.Random(2026)
    user_id, streamer_id = player(), uuid.uuid4()
    await fund_wallet(infrastructure, user_id, 5_000_000)
    expected = 0
    for _ in range(15):
        minor = rng.randint(1, 300_000)
        answer = await donate(client, user_id, body(streamer_id, minor))
        assert answer.status_code == 201, answer.text
        credits = await transaction_credits(infrastructure, answer.json()["data"]["id"])
        split = split_donation(Money(minor, "RUB"), 500)
        assert credits.get("streamer_balance", 0) == split.streamer.amount_minor
        assert credits["platform_revenue"] == split.commission.amount_minor
        assert sum(credits.values()) == minor
        expected += split.streamer.amount_minor
    assert await balance_of(infrastructure, streamer_key(streamer_id)) == expected
    async with infrastructure.session_factory() as session:
        report = await check_ledger(session)
    assert report.ok, report.render()


async def test_a_card_donation_settles_from_the_provider_notification(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    """Paid at the provider sandbox, whose notification the running service settles."""
    user_id, streamer_id = player(), uuid.uuid4()
    payload = body(
        streamer_id,
        100_000,
        method="bank_card",
        use_wallet=False,
        return_url="https://parovoz.example/return",
    )
    answer = await donate(client, user_id, payload)
    assert answer.status_code == 201, answer.text
    payment = answer.json()["data"]
    assert payment["attributes"]["status"] == "pending"
    async with httpx.AsyncClient() as browser:
        paid = await browser.get(payment["attributes"]["confirmation_url"])
        assert paid.status_code == 303
    deadline = asyncio.get_running_loop().time() + 15
    while await balance_of(infrastructure, streamer_key(streamer_id)) == 0:
        assert asyncio.get_running_loop().time() < deadline, "the donation never settled"
        await asyncio.sleep(0.2)  # a real network delivery, not a timer under test
    assert await balance_of(infrastructure, streamer_key(streamer_id)) == 95_000
    assert await transaction_credits(infrastructure, payment["id"]) == {
        "streamer_balance": 95_000,
        "platform_revenue": 5_000,
    }


@pytest.mark.parametrize(
    ("change", "status", "code", "pointer"),
    [
        # donations.message is String(300): longer is refused by the schema, before the domain.
        ({"message": "x" * 301}, 400, "VALIDATION_ERROR", "/data/attributes/message"),
        (
            {"amount": {"amount_minor": 1000, "currency": "EUR"}},
            422,
            "DONATION_CURRENCY_NOT_SUPPORTED",
            "/data/attributes/amount/currency",
        ),
        (
            {"amount": {"amount_minor": 0, "currency": "RUB"}},
            400,
            "DONATION_AMOUNT_NOT_POSITIVE",
            "/data/attributes/amount/amount_minor",
        ),
    ],
)
async def test_bad_donations_are_refused_with_a_pointer(
    client: httpx.AsyncClient,
    change: dict,
    status: int,
    code: str,
    pointer: str,
) -> None:
    payload = body(uuid.uuid4(), 1_000)
    payload["data"]["attributes"].update(change)
    answer = await donate(client, player(), payload)
    assert answer.status_code == status, answer.text
    error = answer.json()["errors"][0]
    assert (error["code"], error["source"]["pointer"]) == (code, pointer)


async def test_no_self_donation_and_a_key_is_required(client: httpx.AsyncClient) -> None:
    user_id = player()
    answer = await donate(client, user_id, body(user_id, 1_000))
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["code"] == "DONATION_TO_SELF"
    keyless = await client.post(DONATIONS, json=body(uuid.uuid4(), 1_000), headers=auth(user_id))
    assert keyless.status_code == 400, keyless.text
    assert keyless.json()["errors"][0]["source"] == {"parameter": "Idempotency-Key"}
