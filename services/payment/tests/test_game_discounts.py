"""Discounts (promo periods) in payment: the price table stores the discounts that
``developer.game.price.changed.v1`` carries, and a game purchase at instant T pays the price
lowered by the discount in force at T (rounded down to the whole minor unit, at least one) —
on the real database, through the consumer's handler and ``POST /payments``."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from games_support import priced_game
from hypothesis import given
from hypothesis import strategies as st
from parovoz_events.developer import GamePriceChanged
from parovoz_kit.events import Event
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.db.prices import SqlGamePrices
from parovoz_payment.domain.currency_rates import ExchangeRate, ExchangeRates
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.pricing import (
    GameDiscount,
    GamePriceList,
    discounted_amount,
    game_purchase_price,
)
from parovoz_payment.events.developer_events import on_game_price_changed
from parovoz_testing.tokens import auth

PAYMENTS = "/api/v1/payments"
HOUR = timedelta(hours=1)
T0 = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)


# --- the rule ---------------------------------------------------------------------------------
def price_list(*discounts: GameDiscount, **regional: Money) -> GamePriceList:
    return GamePriceList(
        game_id=uuid.uuid4(),
        developer_id=uuid.uuid4(),
        is_free=False,
        base_price=Money(99_900, "RUB"),
        changed_at=T0 - 24 * HOUR,
        regional_prices=regional,
        discounts=discounts,
    )


def discount(percent: int, start: datetime, end: datetime) -> GameDiscount:
    return GameDiscount(uuid.uuid4(), percent, start, end)


def test_a_purchase_pays_the_discount_in_force_at_its_instant() -> None:
    week = discount(25, T0, T0 + 168 * HOUR)
    later = discount(50, T0 + 168 * HOUR, T0 + 192 * HOUR)  # touching, not overlapping
    prices = price_list(week, later, BY=Money(3_500, "BYN"))
    assert game_purchase_price(prices, "RU", at=T0 - timedelta(microseconds=1)) == Money(
        99_900, "RUB"
    )
    assert game_purchase_price(prices, "RU", at=T0) == Money(74_925, "RUB")
    assert game_purchase_price(prices, "BY", at=T0) == Money(2_625, "BYN")  # regional too
    assert game_purchase_price(prices, "RU", at=T0 + 168 * HOUR) == Money(49_950, "RUB")
    assert game_purchase_price(prices, "RU", at=T0 + 192 * HOUR) == Money(99_900, "RUB")
    assert game_purchase_price(prices, "RU") == Money(99_900, "RUB")  # no instant: list price


def test_a_converted_price_is_discounted_after_the_conversion() -> None:
    rates = ExchangeRates({"KZT": ExchangeRate("KZT", Decimal("0.2"), T0 - 24 * HOUR)})
    prices = price_list(discount(10, T0, T0 + HOUR))
    full = game_purchase_price(prices, "KZ", rates)
    assert full == Money(509_000, "KZT")  # 4 995 ₸ → the nice price 5 090 ₸
    assert game_purchase_price(prices, "KZ", rates, at=T0) == Money(458_100, "KZT")


def test_a_free_game_stays_free() -> None:
    free = GamePriceList(uuid.uuid4(), uuid.uuid4(), True, None, T0)
    assert game_purchase_price(free, "RU", at=T0).is_zero


@given(amount=st.integers(1, 100_000_000), percent=st.integers(1, 99))
def test_rounded_down_never_below_one_minor_unit(amount: int, percent: int) -> None:
    lowered = discounted_amount(amount, percent)
    assert 1 <= lowered <= amount
    assert lowered == 1 or lowered * 100 <= amount * (100 - percent) < (lowered + 1) * 100


# --- the read model and the purchase on the real database -------------------------------------
def price_event(
    game_id: uuid.UUID, changed_at: datetime, *discounts: tuple[int, datetime, datetime]
) -> GamePriceChanged:
    data: dict[str, Any] = {
        "developer_id": uuid.UUID(int=7),
        "game_id": game_id,
        "is_free": False,
        "base_price": {"amount_minor": 99_900, "currency": "RUB"},
        "regional_prices": [],
        "changed_at": changed_at,
        "changed_by_user_id": uuid.UUID(int=8),
        "discounts": [
            {"discount_id": uuid.uuid4(), "percent": p, "starts_at": s, "ends_at": e}
            for p, s, e in discounts
        ],
    }
    return GamePriceChanged.model_validate(data)


async def deliver(infrastructure: Infrastructure, data: GamePriceChanged) -> None:
    event = Event.from_data(data, "/parovoz/developer-portal")
    async with infrastructure.session_factory.begin() as session:
        await on_game_price_changed(session, data, event)


async def stored(infrastructure: Infrastructure, game_id: uuid.UUID) -> GamePriceList:
    async with infrastructure.session_factory() as session:
        prices = await SqlGamePrices(session).get(game_id)
    assert prices is not None
    return prices


def purchase(game_id: uuid.UUID, amount_minor: int) -> dict[str, Any]:
    return {
        "data": {
            "type": "paymentCreation",
            "attributes": {
                "purpose": "game_purchase",
                "game_id": str(game_id),
                "amount": {"amount_minor": amount_minor, "currency": "RUB"},
                "region": "RU",
                "method": "bank_card",
                "return_url": "https://parovoz.example/return",
            },
        }
    }


async def buy(client: httpx.AsyncClient, game_id: uuid.UUID, amount_minor: int) -> httpx.Response:
    return await client.post(
        PAYMENTS,
        json=purchase(game_id, amount_minor),
        headers={**auth(uuid.uuid4()), "Idempotency-Key": str(uuid.uuid4())},
    )


async def shown(client: httpx.AsyncClient, game_id: uuid.UUID) -> dict[str, Any]:
    answer = await client.get(
        f"{PAYMENTS}/game-prices/{game_id}", params={"region": "RU"}, headers=auth(uuid.uuid4())
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]["attributes"]["price"]


@pytest.fixture
async def game(infrastructure: Infrastructure) -> uuid.UUID:
    """A published game at 999.00 RUB, as developer-portal's events leave it."""
    return await priced_game(infrastructure, 99_900)


async def test_inside_the_period_the_purchase_pays_the_discounted_price(
    client: httpx.AsyncClient, infrastructure: Infrastructure, game: uuid.UUID
) -> None:
    now = datetime.now(UTC)
    await deliver(infrastructure, price_event(game, now, (25, now - HOUR, now + HOUR)))
    assert await shown(client, game) == {"amount_minor": 74_925, "currency": "RUB"}
    full = await buy(client, game, 99_900)
    assert full.status_code == 422 and full.json()["errors"][0]["code"] == "AMOUNT_MISMATCH"
    bought = await buy(client, game, 74_925)
    assert bought.status_code == 201, bought.text
    assert bought.json()["data"]["attributes"]["amount"] == {
        "amount_minor": 74_925,
        "currency": "RUB",
    }


async def test_outside_the_period_the_purchase_pays_the_full_price(
    client: httpx.AsyncClient, infrastructure: Infrastructure, game: uuid.UUID
) -> None:
    now = datetime.now(UTC)
    await deliver(
        infrastructure,
        price_event(
            game,
            now,
            (50, now + 24 * HOUR, now + 48 * HOUR),  # scheduled
            (30, now - 2 * HOUR, now - HOUR),  # over (an old event could still carry it)
        ),
    )
    assert len((await stored(infrastructure, game)).discounts) == 2
    assert await shown(client, game) == {"amount_minor": 99_900, "currency": "RUB"}
    assert (await buy(client, game, 49_950)).status_code == 422
    bought = await buy(client, game, 99_900)
    assert bought.status_code == 201, bought.text


async def test_a_redelivered_or_late_event_changes_nothing(
    client: httpx.AsyncClient, infrastructure: Infrastructure, game: uuid.UUID
) -> None:
    now = datetime.now(UTC)
    older = price_event(game, now - timedelta(seconds=1))  # the list before the discount
    newest = price_event(game, now, (20, now - HOUR, now + HOUR))
    await deliver(infrastructure, newest)
    first = await stored(infrastructure, game)
    for late in (newest, older, newest):
        await deliver(infrastructure, late)
        assert await stored(infrastructure, game) == first
    assert [(d.percent, d.starts_at, d.ends_at) for d in first.discounts] == [
        (20, now - HOUR, now + HOUR)
    ]
    assert await shown(client, game) == {"amount_minor": 79_920, "currency": "RUB"}


async def test_a_later_list_without_the_discount_ends_it(
    client: httpx.AsyncClient, infrastructure: Infrastructure, game: uuid.UUID
) -> None:
    now = datetime.now(UTC)
    await deliver(infrastructure, price_event(game, now, (20, now - HOUR, now + HOUR)))
    # An event written before discounts existed (no key) reads as no discounts.
    withdrawn = price_event(game, now + timedelta(seconds=1)).model_dump(mode="json")
    del withdrawn["discounts"]
    await deliver(infrastructure, GamePriceChanged.model_validate(withdrawn))
    assert (await stored(infrastructure, game)).discounts == ()
    assert await shown(client, game) == {"amount_minor": 99_900, "currency": "RUB"}
