"""Coupons on the real engines: admin create/list/disable, and applied at payment creation —
validity window, minimum order, currency, global and per-user limits (reserved uses count,
released on expiry), the best of several, a race for the last use, the receipt-facing amounts."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import httpx
import pytest
from discounts_support import pay_with_coupons
from games_support import priced_game
from parovoz_kit.clock import ManualClock
from parovoz_kit.errors import BusinessRuleViolation
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.clients.providers.registry import provider_registry
from parovoz_payment.db.coupons import SqlCoupons
from parovoz_payment.domain.coupons import Coupon, CouponKind, new_coupon
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_vocabulary import PaymentStatus
from parovoz_payment.domain.payments import Payment
from parovoz_payment.jobs.ledger_check import check_ledger
from parovoz_payment.use_cases.expiry import expire_payment
from parovoz_testing.tokens import auth

COUPONS = "/api/v1/payments/admin/coupons"


async def coupon(infrastructure: Infrastructure, clock: ManualClock, **fields: object) -> Coupon:
    fields.setdefault("kind", CouponKind.PERCENT)
    if fields["kind"] is CouponKind.PERCENT:
        fields.setdefault("percent_off", 10)
    made = new_coupon(code=f"T{uuid.uuid4().hex[:12]}", now=clock.now(), **fields)  # type: ignore[arg-type]
    async with infrastructure.unit_of_work() as uow:
        assert await SqlCoupons(uow.session).add(made, "test-admin")
        await uow.commit()
    return made


async def refused(infrastructure: Infrastructure, clock: ManualClock, *args: object, **kw: object):
    with pytest.raises(BusinessRuleViolation) as error:
        await pay_with_coupons(infrastructure, clock, *args, **kw)
    return error.value.code


async def test_admin_creates_lists_and_disables_coupons(client: httpx.AsyncClient) -> None:
    admin = auth(uuid.uuid4(), ["admin"])
    code = f"WINTER{uuid.uuid4().hex[:8]}".upper()
    body = {
        "data": {
            "type": "coupon",
            "attributes": {
                "code": code,
                "kind": "fixed",
                "amount_off": {"amount_minor": 5_000, "currency": "RUB"},
                "min_order": {"amount_minor": 20_000, "currency": "RUB"},
                "max_uses": 100,
                "max_uses_per_user": 1,
            },
        }
    }
    assert (await client.post(COUPONS, json=body, headers=auth(uuid.uuid4()))).status_code == 403
    created = await client.post(COUPONS, json=body, headers=admin)
    assert created.status_code == 201, created.text
    assert (await client.post(COUPONS, json=body, headers=admin)).json()["errors"][0][
        "code"
    ] == "COUPON_CODE_TAKEN"
    bad = {"data": {"type": "coupon", "attributes": {"code": "X1Y", "kind": "percent"}}}
    answer = await client.post(COUPONS, json=bad, headers=admin)
    assert answer.status_code == 400  # an invalid field, not a business refusal
    assert answer.json()["errors"][0]["code"] == "INVALID_COUPON_DISCOUNT"
    assert answer.json()["errors"][0]["source"]["pointer"] == "/data/attributes/percent_off"
    listed = await client.get(COUPONS, headers=admin, params={"page[size]": 200})
    assert code in [c["attributes"]["code"] for c in listed.json()["data"]]
    coupon_id = created.json()["data"]["id"]
    disabled = await client.post(f"{COUPONS}/{coupon_id}/disable", headers=admin)
    assert disabled.status_code == 200 and disabled.json()["data"]["attributes"]["disabled_at"]


async def test_a_discount_lowers_what_is_paid_and_is_kept_on_the_payment(
    infrastructure: Infrastructure, clock: ManualClock
) -> None:
    ten = await coupon(infrastructure, clock, percent_off=10)
    paid = await pay_with_coupons(infrastructure, clock, 99_999, [ten.code.lower()])
    assert paid.status is PaymentStatus.PENDING and paid.coupon_id == ten.id
    assert paid.discount == Money(9_999, "RUB") and paid.amount == Money(90_000, "RUB")
    assert paid.list_amount == Money(99_999, "RUB") and paid.card_amount == Money(90_000, "RUB")
    whole = await coupon(infrastructure, clock, percent_off=100)
    almost_free = await pay_with_coupons(infrastructure, clock, 10_000, [whole.code])
    assert almost_free.amount == Money(1, "RUB")  # never free: one kopeck stays to pay


async def test_validity_window_minimum_and_currency(
    infrastructure: Infrastructure, clock: ManualClock
) -> None:
    later = await coupon(
        infrastructure,
        clock,
        starts_at=clock.now() + timedelta(days=1),
        expires_at=clock.now() + timedelta(days=2),
    )
    assert await refused(infrastructure, clock, 10_000, [later.code]) == "COUPON_NOT_STARTED"
    clock.advance(timedelta(days=1, minutes=1))
    assert (
        await pay_with_coupons(infrastructure, clock, 10_000, [later.code])
    ).discount.is_positive
    clock.advance(timedelta(days=1))
    assert await refused(infrastructure, clock, 10_000, [later.code]) == "COUPON_EXPIRED"
    fixed = await coupon(
        infrastructure,
        clock,
        kind=CouponKind.FIXED,
        amount_off=Money(5_000, "RUB"),
        min_order=Money(20_000, "RUB"),
    )
    assert await refused(infrastructure, clock, 19_999, [fixed.code]) == "COUPON_MIN_AMOUNT"
    assert (
        await refused(infrastructure, clock, 30_000, [fixed.code], currency="EUR")
        == "COUPON_CURRENCY_MISMATCH"
    )
    assert await refused(infrastructure, clock, 30_000, ["NO-SUCH-COUPON"]) == "COUPON_NOT_FOUND"


async def test_limits_count_reserved_uses_and_an_expired_payment_gives_its_use_back(
    infrastructure: Infrastructure, clock: ManualClock
) -> None:
    once_each = await coupon(infrastructure, clock, max_uses_per_user=1)
    user = uuid.uuid4()
    first = await pay_with_coupons(infrastructure, clock, 10_000, [once_each.code], user)
    code = await refused(infrastructure, clock, 10_000, [once_each.code], user)
    assert code == "COUPON_USER_LIMIT_REACHED"
    await pay_with_coupons(infrastructure, clock, 10_000, [once_each.code])  # another user may
    clock.advance(timedelta(minutes=61))
    expired = await expire_payment(
        infrastructure.unit_of_work, provider_registry(infrastructure), clock, first.id
    )
    assert expired.status is PaymentStatus.CANCELLED
    assert (await pay_with_coupons(infrastructure, clock, 10_000, [once_each.code], user)).coupon_id

    twice = await coupon(infrastructure, clock, max_uses=2)
    await pay_with_coupons(infrastructure, clock, 10_000, [twice.code])
    await pay_with_coupons(infrastructure, clock, 10_000, [twice.code])
    assert await refused(infrastructure, clock, 10_000, [twice.code]) == "COUPON_EXHAUSTED"


async def test_the_best_single_coupon_wins(infrastructure: Infrastructure, clock: ManualClock):
    small = await coupon(infrastructure, clock, percent_off=5)
    big = await coupon(infrastructure, clock, kind=CouponKind.FIXED, amount_off=Money(3_000, "RUB"))
    gone = await coupon(infrastructure, clock, expires_at=clock.now() + timedelta(seconds=1))
    clock.advance(timedelta(seconds=2))
    paid = await pay_with_coupons(infrastructure, clock, 50_000, [small.code, gone.code, big.code])
    assert paid.coupon_id == big.id and paid.discount == Money(3_000, "RUB")
    paid = await pay_with_coupons(infrastructure, clock, 100_000, [small.code, big.code])
    assert paid.coupon_id == small.id and paid.discount == Money(5_000, "RUB")
    assert await refused(infrastructure, clock, 10_000, [gone.code, "NOPE-X"]) == "COUPON_EXPIRED"


async def test_two_payments_race_for_the_last_use(
    infrastructure: Infrastructure, clock: ManualClock
) -> None:
    last = await coupon(infrastructure, clock, max_uses=1)
    outcomes = await asyncio.gather(
        *(pay_with_coupons(infrastructure, clock, 10_000, [last.code]) for _ in range(3)),
        return_exceptions=True,
    )
    assert sum(isinstance(o, Payment) for o in outcomes) == 1
    assert sorted(o.code for o in outcomes if isinstance(o, BusinessRuleViolation)) == [
        "COUPON_EXHAUSTED",
        "COUPON_EXHAUSTED",
    ]
    async with infrastructure.engine.connect() as connection:
        report = await check_ledger(connection)
    assert report.ok, report.render()


async def test_the_payments_api_points_at_the_coupon(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    game_id = await priced_game(infrastructure, 15_000)
    attributes = {
        "purpose": "game_purchase",
        "game_id": str(game_id),
        "amount": {"amount_minor": 15_000, "currency": "RUB"},
        "region": "RU",
        "coupon_code": "NO-SUCH-COUPON",
    }
    answer = await client.post(
        "/api/v1/payments",
        json={"data": {"type": "paymentCreation", "attributes": attributes}},
        headers=auth(uuid.uuid4()) | {"Idempotency-Key": str(uuid.uuid4())},
    )
    assert answer.status_code == 422
    error = answer.json()["errors"][0]
    assert (error["code"], error["source"]["pointer"]) == (
        "COUPON_NOT_FOUND",
        "/data/attributes/coupon_code",
    )
