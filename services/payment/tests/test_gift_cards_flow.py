"""Gift cards on the real engines: admin issue (code shown once), balance checks with the Redis
limiter, payments paid by gift cards (whole, partial over several payments, racing for the last
kopecks), release on expiry, breakage of expired value, the ledger check after each, and never a
code in the logs."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from discounts_support import pay_with_gift_cards
from games_support import priced_game
from parovoz_kit.clock import ManualClock
from parovoz_kit.errors import BusinessRuleViolation
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.clients.providers.registry import provider_registry
from parovoz_payment.db.audit import audit_log
from parovoz_payment.db.gift_cards import SqlGiftCards
from parovoz_payment.domain.gift_cards import (
    ALPHABET,
    GiftCard,
    GiftCardRules,
    generate_code,
    normalize_code,
)
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_vocabulary import PaymentStatus
from parovoz_payment.domain.payments import Payment
from parovoz_payment.jobs.ledger_check import check_ledger
from parovoz_payment.use_cases.expiry import expire_payment
from parovoz_payment.use_cases.gift_cards import break_expired_gift_cards, issue_promotional
from parovoz_testing.tokens import auth
from sqlalchemy import select

PAYMENTS = "/api/v1/payments"


@pytest.fixture(autouse=True)
def all_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


async def issue(infrastructure: Infrastructure, clock: ManualClock, minor: int, cur: str = "RUB"):
    issued = await issue_promotional(
        infrastructure.unit_of_work,
        clock,
        Money(minor, cur),
        admin="test-admin",
        issue_key=str(uuid.uuid4()),
        rules=GiftCardRules(),
    )
    assert issued.code is not None
    return issued.card, issued.code


async def card(infrastructure: Infrastructure, card_id: uuid.UUID) -> GiftCard:
    async with infrastructure.session_factory() as session:
        found = await SqlGiftCards(session).get(card_id)
    assert found is not None
    return found


async def ledger_ok(infrastructure: Infrastructure) -> None:
    async with infrastructure.engine.connect() as connection:
        report = await check_ledger(connection)
    assert report.ok, report.render()


def test_codes_are_sixteen_unambiguous_characters() -> None:
    codes = {generate_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(code) == 16 and set(code) <= set(ALPHABET) for code in codes)
    assert not set("01OIL") & set(ALPHABET)
    code = generate_code()
    assert normalize_code(f" {code[:4].lower()}-{code[4:8]} {code[8:]}") == code
    assert normalize_code("0" * 16) is None and normalize_code(code[:15]) is None


async def test_admin_issues_a_card_once_and_the_user_checks_it(
    infrastructure: Infrastructure, client: httpx.AsyncClient, all_logs: pytest.LogCaptureFixture
) -> None:
    admin = auth(uuid.uuid4(), ["admin"])
    body = {
        "data": {
            "type": "giftCard",
            "attributes": {"value": {"amount_minor": 50_000, "currency": "RUB"}},
        }
    }
    key = {"Idempotency-Key": str(uuid.uuid4())}
    refused = await client.post(
        f"{PAYMENTS}/admin/gift-cards", json=body, headers=auth(uuid.uuid4()) | key
    )
    assert refused.status_code == 403
    issued = await client.post(f"{PAYMENTS}/admin/gift-cards", json=body, headers=admin | key)
    assert issued.status_code == 201, issued.text
    attributes = issued.json()["data"]["attributes"]
    code = attributes["code"]
    assert len(code.replace("-", "")) == 16 and attributes["available"]["amount_minor"] == 50_000
    expires = datetime.fromisoformat(attributes["expires_at"])
    assert timedelta(days=364) < expires - datetime.now(UTC) <= timedelta(days=365)
    again = await client.post(f"{PAYMENTS}/admin/gift-cards", json=body, headers=admin | key)
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["data"]["id"] == issued.json()["data"]["id"]
    assert again.json()["data"]["attributes"]["code"] is None  # shown once

    user = auth(uuid.uuid4())
    check = {"data": {"type": "giftCardBalanceCheck", "attributes": {"code": code}}}
    seen = await client.post(f"{PAYMENTS}/gift-cards/balance-check", json=check, headers=user)
    assert seen.status_code == 200, seen.text
    assert seen.json()["data"]["attributes"]["available"] == {
        "amount_minor": 50_000,
        "currency": "RUB",
    }
    assert seen.json()["data"]["attributes"]["code"] is None
    await ledger_ok(infrastructure)
    assert code not in all_logs.text and code.replace("-", "") not in all_logs.text


async def test_wrong_codes_are_rate_limited(client: httpx.AsyncClient) -> None:
    user = auth(uuid.uuid4())
    statuses = []
    for _ in range(11):
        guess = {"data": {"type": "giftCardBalanceCheck", "attributes": {"code": generate_code()}}}
        answer = await client.post(f"{PAYMENTS}/gift-cards/balance-check", json=guess, headers=user)
        statuses.append(answer.status_code)
    assert statuses == [404] * 10 + [429]
    assert answer.json()["errors"][0]["code"] == "GIFT_CARD_ATTEMPTS_EXCEEDED"
    # Retry-After: what is left of the window (an hour by default), in seconds.
    assert 0 < int(answer.headers["Retry-After"]) <= 3600
    other = auth(uuid.uuid4())  # per user
    guess = {"data": {"type": "giftCardBalanceCheck", "attributes": {"code": generate_code()}}}
    answer = await client.post(f"{PAYMENTS}/gift-cards/balance-check", json=guess, headers=other)
    assert answer.status_code == 404


async def test_a_card_pays_in_parts_and_a_cancelled_payment_gives_its_part_back(
    infrastructure: Infrastructure, clock: ManualClock, all_logs: pytest.LogCaptureFixture
) -> None:
    gift, code = await issue(infrastructure, clock, 50_000)
    first = await pay_with_gift_cards(infrastructure, clock, 30_000, [code])
    assert first.status is PaymentStatus.SUCCEEDED and first.provider is None
    assert first.gift_card_amount == Money(30_000, "RUB") and first.card_amount.is_zero
    assert (await card(infrastructure, gift.id)).available == Money(20_000, "RUB")

    # 200.00 card + 100.00 at the bank
    second = await pay_with_gift_cards(infrastructure, clock, 30_000, [code])
    assert second.status is PaymentStatus.PENDING and second.provider_payment_id is not None
    assert second.gift_card_amount == Money(20_000, "RUB")
    assert second.card_amount == Money(10_000, "RUB")
    with pytest.raises(BusinessRuleViolation) as exhausted:
        await pay_with_gift_cards(infrastructure, clock, 10_000, [code])
    assert exhausted.value.code == "GIFT_CARD_EXHAUSTED" and exhausted.value.pointer == "/gc/0"

    clock.advance(timedelta(minutes=61))
    expired = await expire_payment(
        infrastructure.unit_of_work, provider_registry(infrastructure), clock, second.id
    )
    assert expired.status is PaymentStatus.CANCELLED
    after = await card(infrastructure, gift.id)
    assert (after.available, after.reserved_minor, after.redeemed_minor) == (
        Money(20_000, "RUB"),
        0,
        30_000,
    )
    third = await pay_with_gift_cards(infrastructure, clock, 20_000, [code])
    assert third.status is PaymentStatus.SUCCEEDED
    assert (await card(infrastructure, gift.id)).available.is_zero
    await ledger_ok(infrastructure)
    assert code not in all_logs.text


async def test_two_cards_combine_and_other_currencies_or_unknown_codes_are_refused(
    infrastructure: Infrastructure, clock: ManualClock
) -> None:
    _, small = await issue(infrastructure, clock, 10_000)
    _, big = await issue(infrastructure, clock, 50_000)
    _, tenge = await issue(infrastructure, clock, 1_000_000, "KZT")
    both = await pay_with_gift_cards(infrastructure, clock, 40_000, [small, big])
    assert both.status is PaymentStatus.SUCCEEDED and both.gift_card_amount == Money(40_000, "RUB")
    for codes, error in (
        ([tenge], "GIFT_CARD_CURRENCY_MISMATCH"),
        ([generate_code()], "GIFT_CARD_NOT_FOUND"),
        (["not a code"], "GIFT_CARD_NOT_FOUND"),
        ([small], "GIFT_CARD_EXHAUSTED"),
    ):
        with pytest.raises(BusinessRuleViolation) as refused:
            await pay_with_gift_cards(infrastructure, clock, 10_000, codes)
        assert refused.value.code == error


async def test_two_payments_race_for_the_last_kopecks(
    infrastructure: Infrastructure, clock: ManualClock
) -> None:
    gift, code = await issue(infrastructure, clock, 10_000)
    outcomes = await asyncio.gather(
        *(pay_with_gift_cards(infrastructure, clock, 10_000, [code]) for _ in range(2)),
        return_exceptions=True,
    )
    paid = [o for o in outcomes if isinstance(o, Payment)]
    refused = [o for o in outcomes if isinstance(o, BusinessRuleViolation)]
    assert len(paid) == 1 and paid[0].status is PaymentStatus.SUCCEEDED
    assert [r.code for r in refused] == ["GIFT_CARD_EXHAUSTED"]
    assert (await card(infrastructure, gift.id)).redeemed_minor == 10_000
    await ledger_ok(infrastructure)


async def test_expired_value_is_refused_then_broken_into_revenue_once(
    infrastructure: Infrastructure, clock: ManualClock
) -> None:
    gift, code = await issue(infrastructure, clock, 30_000)
    await pay_with_gift_cards(infrastructure, clock, 10_000, [code])
    clock.advance(timedelta(days=366))
    with pytest.raises(BusinessRuleViolation) as expired:
        await pay_with_gift_cards(infrastructure, clock, 10_000, [code])
    assert expired.value.code == "GIFT_CARD_EXPIRED"
    assert await break_expired_gift_cards(infrastructure.unit_of_work, clock) >= 1
    broken = await card(infrastructure, gift.id)
    assert (broken.broken_minor, broken.redeemed_minor) == (20_000, 10_000)
    assert broken.available.is_zero
    await break_expired_gift_cards(infrastructure.unit_of_work, clock)  # again: nothing more
    assert (await card(infrastructure, gift.id)).broken_minor == 20_000
    await ledger_ok(infrastructure)
    # Audited once, with the whole card before and after the breakage (never its code).
    async with infrastructure.session_factory() as session:
        rows = await session.execute(
            select(audit_log.c.before, audit_log.c.after).where(
                audit_log.c.subject_id == str(gift.id), audit_log.c.action == "gift_card.expired"
            )
        )
        [(before, after)] = list(rows)
    assert (before["broken_minor"], after["broken_minor"]) == (0, 20_000)
    assert (before["available_minor"], after["available_minor"]) == (20_000, 0)
    assert before["redeemed_minor"] == after["redeemed_minor"] == 10_000
    assert code not in str(before) + str(after)


async def test_payments_api_takes_gift_card_codes_and_counts_wrong_ones(
    infrastructure: Infrastructure, client: httpx.AsyncClient, clock: ManualClock
) -> None:
    _, code = await issue(infrastructure, clock, 20_000)
    user = auth(uuid.uuid4())
    game_id = await priced_game(infrastructure, 15_000)

    def body(codes: list[str]) -> dict[str, object]:
        attributes = {
            "purpose": "game_purchase",
            "game_id": str(game_id),
            "amount": {"amount_minor": 15_000, "currency": "RUB"},
            "region": "RU",
            "gift_card_codes": codes,
        }
        return {"data": {"type": "paymentCreation", "attributes": attributes}}

    paid = await client.post(
        PAYMENTS, json=body([code]), headers=user | {"Idempotency-Key": str(uuid.uuid4())}
    )
    assert paid.status_code == 201, paid.text
    attributes = paid.json()["data"]["attributes"]
    assert attributes["status"] == "succeeded"
    assert attributes["gift_card_amount"] == {"amount_minor": 15_000, "currency": "RUB"}
    wrong = await client.post(
        PAYMENTS,
        json=body([code, generate_code()]),
        headers=user | {"Idempotency-Key": str(uuid.uuid4())},
    )
    assert wrong.status_code == 422
    error = wrong.json()["errors"][0]
    assert error["code"] == "GIFT_CARD_NOT_FOUND"
    assert error["source"]["pointer"] == "/data/attributes/gift_card_codes/1"
