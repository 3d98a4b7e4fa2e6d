"""Exchange rates on the real engines (in-process app, payment database, auth stand-in,
provider sandbox): admins set rates (audit-logged), anyone signed in reads them, and the price
a buyer is shown for a game is exactly what `POST /payments` charges."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from games_support import priced_game
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.db.audit import audit_log
from parovoz_payment.db.currency_rates import currency_rates
from parovoz_payment.domain.money import Money
from parovoz_testing.tokens import auth
from sqlalchemy import delete, select

PAYMENTS = "/api/v1/payments"
RATES = f"{PAYMENTS}/admin/currency-rates"


ADMIN_ID = uuid.uuid4()
ADMIN = auth(ADMIN_ID, ["admin"])


def rate_body(rate: object, valid_from: str | None = None) -> dict:
    attributes: dict = {"rate": rate}
    if valid_from is not None:
        attributes["valid_from"] = valid_from
    return {"data": {"type": "currencyRate", "attributes": attributes}}


@pytest.fixture
async def clean_rates(infrastructure: Infrastructure):
    """Rates are global: each test starts from none and leaves none behind."""
    async with infrastructure.session_factory.begin() as session:
        await session.execute(delete(currency_rates))
    yield
    async with infrastructure.session_factory.begin() as session:
        await session.execute(delete(currency_rates))


async def test_admins_set_rates_and_everyone_reads_them(
    client: httpx.AsyncClient, infrastructure: Infrastructure, clean_rates
) -> None:
    user = auth(uuid.uuid4())
    refused = await client.put(f"{RATES}/KZT", json=rate_body("0.2"), headers=user)
    assert refused.status_code == 403, refused.text

    for currency, body, status, code, source in (
        ("RUB", rate_body("1"), 422, "BASE_CURRENCY_RATE", {"parameter": "currency"}),
        ("XYZ", rate_body("1"), 422, "UNSUPPORTED_CURRENCY", {"parameter": "currency"}),
        ("KZT", rate_body("-0.2"), 400, "INVALID_RATE", {"pointer": "/data/attributes/rate"}),
    ):
        answer = await client.put(f"{RATES}/{currency}", json=body, headers=ADMIN)
        assert answer.status_code == status, answer.text
        error = answer.json()["errors"][0]
        assert (error["code"], error["source"]) == (code, source)
    as_float = await client.put(f"{RATES}/KZT", json=rate_body(0.2), headers=ADMIN)
    assert as_float.status_code == 400  # a JSON number would be a float: refused
    assert as_float.json()["errors"][0]["source"] == {"pointer": "/data/attributes/rate"}

    assert (await client.put(f"{RATES}/KZT", json=rate_body("0.2"), headers=ADMIN)).is_success
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    answer = await client.put(f"{RATES}/KZT", json=rate_body("0.25", later), headers=ADMIN)
    assert answer.status_code == 200, answer.text
    usd = await client.put(f"{RATES}/usd", json=rate_body("92.5123"), headers=ADMIN)
    assert usd.json()["data"]["attributes"]["rate"] == "92.5123"

    listed = await client.get(f"{PAYMENTS}/currency-rates", headers=user)
    assert listed.status_code == 200, listed.text
    # Tomorrow's KZT rate is not in force yet.
    assert {r["id"]: r["attributes"]["rate"] for r in listed.json()["data"]} == {
        "KZT": "0.2",
        "USD": "92.5123",
    }
    async with infrastructure.session_factory() as session:
        rows = await session.execute(
            select(audit_log.c.action, audit_log.c.subject_id).where(
                audit_log.c.actor == str(ADMIN_ID)
            )
        )
        assert sorted(rows) == [
            ("currency_rate.set", "KZT"),
            ("currency_rate.set", "KZT"),
            ("currency_rate.set", "USD"),
        ]


def purchase(game_id: uuid.UUID, region: str, price: dict) -> dict:
    return {
        "data": {
            "type": "paymentCreation",
            "attributes": {
                "purpose": "game_purchase",
                "game_id": str(game_id),
                "amount": price,
                "region": region,
                "method": "bank_card",
                "return_url": "https://parovoz.example/return",
            },
        }
    }


async def test_shown_price_is_what_the_purchase_charges(
    client: httpx.AsyncClient, infrastructure: Infrastructure, clean_rates
) -> None:
    game_id = await priced_game(infrastructure, 99_900, BY=Money(3_500, "BYN"))
    buyer_id = uuid.uuid4()
    buyer = auth(buyer_id)

    async def shown(region: str) -> httpx.Response:
        return await client.get(
            f"{PAYMENTS}/game-prices/{game_id}", params={"region": region}, headers=buyer
        )

    # No KZT rate: not for sale in tenge, and the purchase says the same.
    no_rate = await shown("KZ")
    assert no_rate.status_code == 422 and no_rate.json()["errors"][0]["code"] == "NO_EXCHANGE_RATE"
    refused = await client.post(
        PAYMENTS,
        json=purchase(game_id, "KZ", {"amount_minor": 99_900, "currency": "RUB"}),
        headers={**buyer, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["code"] == "NO_EXCHANGE_RATE"

    await client.put(f"{RATES}/KZT", json=rate_body("0.2"), headers=ADMIN)
    await client.put(f"{RATES}/BYN", json=rate_body("1"), headers=ADMIN)
    kz = (await shown("KZ")).json()["data"]["attributes"]
    # 999.00 RUB / 0.2 = 4 995 ₸ → the next nice price, 5 090 ₸.
    assert kz == {
        "region": "KZ",
        "price": {"amount_minor": 509_000, "currency": "KZT"},
        "source": "converted",
    }
    by = (await shown("BY")).json()["data"]["attributes"]
    assert by["price"] == {"amount_minor": 3_500, "currency": "BYN"}  # regional wins
    assert by["source"] == "regional"
    assert (await shown("RU")).json()["data"]["attributes"]["source"] == "base"

    wrong = await client.post(
        PAYMENTS,
        json=purchase(game_id, "KZ", {"amount_minor": 499_500, "currency": "KZT"}),
        headers={**buyer, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["code"] == "AMOUNT_MISMATCH"
    bought = await client.post(
        PAYMENTS,
        json=purchase(game_id, "KZ", kz["price"]),
        headers={**buyer, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert bought.status_code == 201, bought.text
    assert bought.json()["data"]["attributes"]["amount"] == kz["price"]
