"""Converting a rouble base price into a region's currency: exact rates, nice store prices
(rounded up, per currency), a regional price always winning, no rate → not for sale."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from parovoz_kit.errors import BusinessRuleViolation, ValidationFailed
from parovoz_payment.domain.currency_rates import (
    NICE_STEPS,
    ExchangeRate,
    ExchangeRates,
    converted_price,
    parse_rate,
    region_currency,
)
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.pricing import GamePriceList, game_purchase_price

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def rates(**by_currency: str) -> ExchangeRates:
    return ExchangeRates(
        {code: ExchangeRate(code, Decimal(rate), NOW) for code, rate in by_currency.items()}
    )


@pytest.mark.parametrize(
    ("currency", "exact_minor", "nice_minor"),
    [
        # USD/EUR/BYN: whole units ending .99.
        ("USD", 937, 999),
        ("USD", 999, 999),  # already nice: unchanged
        ("USD", 1000, 1099),  # one cent past a nice price: the next one
        ("USD", Fraction(99901, 100), 1099),  # a fraction of a cent above 9.99 still rounds up
        ("USD", 1, 99),  # never below the first nice price
        ("EUR", 1450, 1499),
        ("BYN", 1701, 1799),
        # KZT: hundreds ending 90 (2 490 ₸).
        ("KZT", 243_750, 249_000),
        ("KZT", 249_000, 249_000),
        ("KZT", 249_001, 259_000),
        ("KZT", 250_000, 259_000),
        # UAH: tens ending 9 (229 ₴).
        ("UAH", 22_000, 22_900),
        ("UAH", 22_900, 22_900),
        ("UAH", 22_901, 23_900),
    ],
)
def test_nice_prices_round_up_per_currency(currency, exact_minor, nice_minor) -> None:
    assert NICE_STEPS[currency].round_up(Fraction(exact_minor)) == nice_minor


def test_conversion_is_exact_then_nicely_rounded() -> None:
    table = rates(USD="92.5", KZT="0.2", UAH="2.2")
    # 999.00 RUB / 92.5 = 10.80 USD → 10.99; / 0.2 = 4 995 ₸ → 5 090 ₸ (up, never 4 990).
    assert converted_price(Money(99_900, "RUB"), "USD", table) == Money(1_099, "USD")
    assert converted_price(Money(99_900, "RUB"), "KZT", table) == Money(509_000, "KZT")
    # 498.00 RUB / 0.2 = exactly 2 490 ₸: already nice.
    assert converted_price(Money(49_800, "RUB"), "KZT", table) == Money(249_000, "KZT")
    assert converted_price(Money(49_900, "RUB"), "UAH", table) == Money(22_900, "UAH")
    assert converted_price(Money(49_900, "RUB"), "RUB", table) == Money(49_900, "RUB")


def test_no_rate_means_not_for_sale() -> None:
    with pytest.raises(BusinessRuleViolation) as refused:
        converted_price(Money(49_900, "RUB"), "EUR", rates(USD="90"))
    assert refused.value.code == "NO_EXCHANGE_RATE"
    with pytest.raises(BusinessRuleViolation):
        converted_price(Money(49_900, "RUB"), "EUR", None)


def test_regional_price_wins_over_conversion_and_regions_map_to_currencies() -> None:
    prices = GamePriceList(
        game_id=uuid.uuid4(),
        developer_id=uuid.uuid4(),
        is_free=False,
        base_price=Money(99_900, "RUB"),
        changed_at=NOW,
        regional_prices={"KZ": Money(449_000, "KZT")},
    )
    table = rates(KZT="0.2", EUR="100", BYN="30")
    assert game_purchase_price(prices, "kz", table) == Money(449_000, "KZT")
    assert game_purchase_price(prices, "DE", table) == Money(999, "EUR")
    assert game_purchase_price(prices, "BY", table) == Money(3_399, "BYN")
    assert game_purchase_price(prices, "RU", table) == Money(99_900, "RUB")
    assert game_purchase_price(prices, "AM", table) == Money(99_900, "RUB")  # not ours: base
    with pytest.raises(BusinessRuleViolation) as refused:
        game_purchase_price(prices, "US", table)  # no USD rate
    assert refused.value.code == "NO_EXCHANGE_RATE"
    assert region_currency("ua") == "UAH"


@pytest.mark.parametrize(
    ("currency", "raw", "code"),
    [
        ("RUB", "1", "BASE_CURRENCY_RATE"),  # 422: business refusals
        ("JPY", "0.6", "UNSUPPORTED_CURRENCY"),
        ("USD", "0", "INVALID_RATE"),
        ("USD", "-1", "INVALID_RATE"),
        ("USD", "1e3", "INVALID_RATE"),
        ("USD", "92.12345678901", "INVALID_RATE"),  # 11 decimals
    ],
)
def test_bad_rates_are_refused(currency: str, raw: str, code: str) -> None:
    # A malformed rate is invalid input (400); a currency we do not rate is a refusal (422).
    expected = ValidationFailed if code == "INVALID_RATE" else BusinessRuleViolation
    with pytest.raises(expected) as refused:
        parse_rate(currency, raw, NOW)
    assert refused.value.code == code


def test_rates_convert_to_roubles_rounding_down() -> None:
    table = rates(USD="92.5123")
    assert table.to_rub(Money(100, "USD")) == Money(9_251, "RUB")
    assert table.to_rub(Money(100, "EUR")) is None
    assert parse_rate("usd", "92.5123", NOW).rub_per_unit == Decimal("92.5123")
