"""One wallet rule (issue #12, item 2): the top-up limits, the balance cap and "not from
itself" are the domain's, applied where every top-up is created: `POST /payments` with purpose
`wallet_top_up` refuses what `POST /wallet/top-ups` refuses, with the same code, and so does
``create_payment``, the use case every path calls (REST routes and gRPC's CreatePayment, which
may not start a top-up at all: ``domain.payment_purposes``). Nothing is stored for a refused
top-up."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from parovoz_kit.errors import BusinessRuleViolation
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.clients.providers.registry import provider_registry
from parovoz_payment.db.payments import payments
from parovoz_payment.domain.methods import MethodChoice, PaymentMethod
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_purposes import Origin, Route
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose
from parovoz_payment.use_cases.payment_flow import PaymentOrder, create_payment
from parovoz_testing.tokens import auth
from sqlalchemy import func, select
from test_wallet_api import move

PAYMENTS = "/api/v1/payments"
TOP_UPS = "/api/v1/payments/wallet/top-ups"
RETURN_URL = "https://parovoz.example/wallet"


def through_payments(amount_minor: int, **extra: Any) -> dict[str, Any]:
    attributes = {
        "purpose": "wallet_top_up",
        "amount": {"amount_minor": amount_minor, "currency": "RUB"},
        "region": "RU",
        "method": "bank_card",
        "return_url": RETURN_URL,
        **extra,
    }
    return {"data": {"type": "paymentCreation", "attributes": attributes}}


def through_top_ups(amount_minor: int, **extra: Any) -> dict[str, Any]:
    attributes = {
        "amount": {"amount_minor": amount_minor, "currency": "RUB"},
        "method": "bank_card",
        "return_url": RETURN_URL,
        **extra,
    }
    return {"data": {"type": "walletTopUp", "attributes": attributes}}


async def post(client: httpx.AsyncClient, user_id: uuid.UUID, path: str, body: Any) -> Any:
    headers = {**auth(user_id), "Idempotency-Key": str(uuid.uuid4())}
    return await client.post(path, json=body, headers=headers)


async def payments_of(infrastructure: Infrastructure, user_id: uuid.UUID) -> int:
    async with infrastructure.session_factory() as session:
        query = select(func.count()).where(payments.c.user_id == user_id)
        return (await session.execute(query)).scalar_one()


def refusal(response: httpx.Response) -> tuple[int, str, str | None]:
    error = response.json()["errors"][0]
    return response.status_code, error["code"], error.get("source", {}).get("pointer")


@pytest.mark.parametrize(
    ("amount_minor", "code"),
    [(100, "TOP_UP_BELOW_MINIMUM"), (2_000_000, "TOP_UP_ABOVE_MAXIMUM")],
)
async def test_payments_refuses_a_top_up_outside_the_limits_like_the_top_up_route(
    client: httpx.AsyncClient, infrastructure: Infrastructure, amount_minor: int, code: str
) -> None:
    user_id = uuid.uuid4()
    by_payments = await post(client, user_id, PAYMENTS, through_payments(amount_minor))
    by_top_ups = await post(client, user_id, TOP_UPS, through_top_ups(amount_minor))
    expected = (422, code, "/data/attributes/amount")
    assert refusal(by_payments) == expected, by_payments.text
    assert refusal(by_top_ups) == expected, by_top_ups.text
    assert await payments_of(infrastructure, user_id) == 0


async def test_payments_refuses_a_top_up_past_the_balance_cap(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    user_id = uuid.uuid4()
    await move(infrastructure, user_id, top_up=5_950_000)
    response = await post(client, user_id, PAYMENTS, through_payments(100_000))
    assert refusal(response) == (422, "WALLET_BALANCE_CAP_EXCEEDED", "/data/attributes/amount")
    fits = await post(client, user_id, PAYMENTS, through_payments(50_000))
    assert fits.status_code == 201, fits.text
    assert fits.json()["data"]["attributes"]["purpose"] == "wallet_top_up"


@pytest.mark.parametrize("extra", [{"method": "wallet"}, {"use_wallet": True}])
async def test_payments_refuses_a_top_up_paid_from_the_wallet_itself(
    client: httpx.AsyncClient, infrastructure: Infrastructure, extra: dict[str, Any]
) -> None:
    user_id = uuid.uuid4()
    await move(infrastructure, user_id, top_up=100_000)
    response = await post(client, user_id, PAYMENTS, through_payments(50_000, **extra))
    assert refusal(response) == (422, "TOP_UP_METHOD_NOT_ALLOWED", "/data/attributes/method")
    assert await payments_of(infrastructure, user_id) == 0


@pytest.mark.parametrize(
    ("amount_minor", "code"),
    [(100, "TOP_UP_BELOW_MINIMUM"), (2_000_000, "TOP_UP_ABOVE_MAXIMUM")],
)
async def test_the_use_case_every_path_calls_applies_the_same_rule(
    infrastructure: Infrastructure, amount_minor: int, code: str
) -> None:
    user_id = uuid.uuid4()
    order = PaymentOrder(
        user_id=user_id,
        purpose=PaymentPurpose.WALLET_TOP_UP,
        amount=Money(amount_minor, "RUB"),
        region="RU",
        choice=MethodChoice(PaymentMethod.BANK_CARD),
        return_url=RETURN_URL,
        origin=Origin.user(Route.PAYMENTS),  # a path that may start a top-up
    )
    with pytest.raises(BusinessRuleViolation) as error:
        await create_payment(
            infrastructure.unit_of_work,
            provider_registry(infrastructure),
            infrastructure.clock,
            order,
        )
    assert error.value.code == code
    assert await payments_of(infrastructure, user_id) == 0
