"""Buying a gift card on the real engines: a ``gift_card`` payment within the configured limits;
when it settles the platform owes the value (gift-card liability) and the card is issued once;
the buyer sees its code once (sealed until then, erased after; 409 the second time); a refund
takes back only what is left on the card (a rejected one puts it back); the code never reaches
a log; the ledger check stays green."""

from __future__ import annotations

import logging
import re
import uuid

import httpx
import pytest
from discounts_support import pay_with_gift_cards
from ledger_support import fund_wallet
from parovoz_kit.clock import ManualClock
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.db.gift_cards import SqlGiftCards
from parovoz_payment.domain.gift_cards import GiftCard, hash_code, normalize_code
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_vocabulary import PaymentStatus
from parovoz_payment.jobs.ledger_check import check_ledger
from parovoz_testing.tokens import auth
from sqlalchemy import text
from users_support import player

PAYMENTS = "/api/v1/payments"
PURCHASES = f"{PAYMENTS}/gift-cards/purchases"


@pytest.fixture(autouse=True)
def all_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


def purchase(minor: int, currency: str = "RUB", **extra: object) -> dict:
    attributes = {
        "amount": {"amount_minor": minor, "currency": currency},
        "method": "wallet",
        "use_wallet": True,
        "recipient_email": "friend@example.com",
        "message": "С днём рождения!",
        **extra,
    }
    return {"data": {"type": "giftCardPurchase", "attributes": attributes}}


async def buy(
    client: httpx.AsyncClient, user_id: uuid.UUID, payload: dict, key: str | None = None
) -> httpx.Response:
    headers = {**auth(user_id), "Idempotency-Key": key or str(uuid.uuid4())}
    return await client.post(PURCHASES, json=payload, headers=headers)


async def bought(client: httpx.AsyncClient, infrastructure: Infrastructure, minor: int):
    buyer = player()
    await fund_wallet(infrastructure, buyer, minor)
    answer = await buy(client, buyer, purchase(minor))
    assert answer.status_code == 201, answer.text
    payment = answer.json()["data"]
    assert (payment["attributes"]["status"], payment["attributes"]["purpose"]) == (
        "succeeded",
        "gift_card",
    )
    return buyer, payment["id"]


async def reveal(client: httpx.AsyncClient, user_id: uuid.UUID, payment_id: str) -> httpx.Response:
    return await client.post(f"{PURCHASES}/{payment_id}/reveal", headers=auth(user_id))


async def card_of(infrastructure: Infrastructure, payment_id: str) -> GiftCard:
    async with infrastructure.session_factory() as session:
        found = await SqlGiftCards(session).of_payment(uuid.UUID(payment_id))
    assert found is not None
    return found


async def refund(client: httpx.AsyncClient, payment_id: str, minor: int) -> httpx.Response:
    return await client.post(
        f"{PAYMENTS}/{payment_id}/refunds",
        json={
            "data": {
                "type": "refundRequest",
                "attributes": {
                    "amount": {"amount_minor": minor, "currency": "RUB"},
                    "reason": "customer_request",
                },
            }
        },
        headers={**auth("service:subscription"), "Idempotency-Key": str(uuid.uuid4())},
    )


async def decide(client: httpx.AsyncClient, refund_id: str, decision: str) -> dict:
    decided = await client.post(
        f"{PAYMENTS}/admin/refunds/{refund_id}/decision",
        json={"data": {"type": "refundDecision", "attributes": {"decision": decision}}},
        headers=auth(uuid.uuid4(), ["admin"]),
    )
    assert decided.status_code == 200, decided.text
    return decided.json()["data"]["attributes"]


async def ledger_ok(infrastructure: Infrastructure) -> None:
    async with infrastructure.session_factory() as session:
        report = await check_ledger(session)
    assert report.ok, report.render()


async def test_bad_purchases_are_json_errors_with_pointers(client: httpx.AsyncClient) -> None:
    buyer = player()
    for payload, status, code, pointer in (
        (purchase(49_999), 422, "INVALID_GIFT_CARD_VALUE", "/data/attributes/amount/amount_minor"),
        (purchase(1_500_001), 422, "INVALID_GIFT_CARD_VALUE", None),
        (purchase(50_000, "EUR"), 422, "GIFT_CARD_CURRENCY_NOT_SUPPORTED", None),
        (purchase(50_000, recipient_email="nope"), 400, "INVALID_EMAIL", None),  # malformed
        (purchase(50_000, message="x" * 501), 400, "VALIDATION_ERROR", "/data/attributes/message"),
    ):
        answer = await buy(client, buyer, payload)
        assert answer.status_code == status, answer.text
        [error] = answer.json()["errors"]
        assert error["code"] == code
        assert pointer is None or error["source"]["pointer"] == pointer
    unkeyed = await client.post(PURCHASES, json=purchase(50_000), headers=auth(buyer))
    assert unkeyed.status_code == 400, unkeyed.text
    assert unkeyed.json()["errors"][0]["source"] == {"parameter": "Idempotency-Key"}


async def test_a_bought_card_is_issued_once_and_its_code_shown_once(
    client: httpx.AsyncClient, infrastructure: Infrastructure, all_logs: pytest.LogCaptureFixture
) -> None:
    buyer = player()
    await fund_wallet(infrastructure, buyer, 100_000)
    key = str(uuid.uuid4())
    first = await buy(client, buyer, purchase(100_000), key)
    again = await buy(client, buyer, purchase(100_000), key)  # a retry: the same payment
    assert first.status_code == 201, first.text
    payment_id = first.json()["data"]["id"]
    assert again.json()["data"]["id"] == payment_id
    card = await card_of(infrastructure, payment_id)
    assert (card.origin.value, card.initial_minor, card.liability) == (
        "purchase",
        100_000,
        Money(100_000, "RUB"),
    )

    assert (await reveal(client, uuid.uuid4(), payment_id)).status_code == 404  # not theirs
    shown = await reveal(client, buyer, payment_id)
    assert shown.status_code == 200, shown.text
    assert shown.headers["cache-control"] == "no-store"
    code = shown.json()["data"]["attributes"]["code"]
    assert re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}", code)
    assert shown.json()["data"]["attributes"]["value"] == {
        "amount_minor": 100_000,
        "currency": "RUB",
    }
    plain = normalize_code(code)
    assert plain is not None
    async with infrastructure.session_factory() as session:
        found = await SqlGiftCards(session).by_hash(hash_code(plain))
        sealed = await session.execute(
            text(
                "SELECT code_ciphertext, revealed_at FROM gift_card_purchases WHERE payment_id = :p"
            ),
            {"p": payment_id},
        )
        ciphertext, revealed_at = sealed.one()
    assert found is not None and found.id == card.id
    assert ciphertext is None and revealed_at is not None  # erased once shown

    second = await reveal(client, buyer, payment_id)
    assert second.status_code == 409
    assert second.json()["errors"][0]["code"] == "GIFT_CARD_ALREADY_REVEALED"
    # The code pays like any card.
    check = {"data": {"type": "giftCardBalanceCheck", "attributes": {"code": code}}}
    seen = await client.post(
        f"{PAYMENTS}/gift-cards/balance-check", json=check, headers=auth(buyer)
    )
    assert seen.status_code == 200, seen.text
    assert plain not in all_logs.text and code not in all_logs.text
    await ledger_ok(infrastructure)


async def test_a_refund_takes_only_what_is_left_on_the_card(
    client: httpx.AsyncClient,
    infrastructure: Infrastructure,
    clock: ManualClock,
) -> None:
    buyer, payment_id = await bought(client, infrastructure, 100_000)
    code = (await reveal(client, buyer, payment_id)).json()["data"]["attributes"]["code"]
    spent = await pay_with_gift_cards(infrastructure, clock, 30_000, [code])
    assert spent.status is PaymentStatus.SUCCEEDED

    too_much = await refund(client, payment_id, 70_001)
    assert too_much.status_code == 422, too_much.text
    assert too_much.json()["errors"][0]["code"] == "GIFT_CARD_ALREADY_SPENT"

    # Asked: the value leaves the card at once (it cannot be spent meanwhile) ...
    asked = await refund(client, payment_id, 50_000)
    assert asked.status_code == 201, asked.text
    assert (await card_of(infrastructure, payment_id)).available == Money(20_000, "RUB")
    # ... and a rejected refund puts it back.
    rejected = await decide(client, asked.json()["data"]["id"], "reject")
    assert rejected["status"] == "failed"
    assert (await card_of(infrastructure, payment_id)).available == Money(70_000, "RUB")

    asked = await refund(client, payment_id, 70_000)
    approved = await decide(client, asked.json()["data"]["id"], "approve")
    assert approved["status"] == "succeeded"
    card = await card_of(infrastructure, payment_id)
    assert (card.available, card.redeemed_minor, card.refunded_minor) == (
        Money(0, "RUB"),
        30_000,
        70_000,
    )
    assert card.liability.is_zero
    await ledger_ok(infrastructure)
