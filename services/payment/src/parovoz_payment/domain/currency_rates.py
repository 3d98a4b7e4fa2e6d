"""Exchange rates against the rouble and the "nice" store price of a converted base price.

A rate says how many roubles one unit of a currency costs (the Bank of Russia's way of quoting:
1 USD = 92.5123 RUB, 1 KZT = 0.1754 RUB). Rates are exact decimals, never floats; each has a
``valid_from`` and the newest one already valid is the current rate.

**Nice price rule.** A base price (RUB) converted into the buyer's currency is rounded UP to the
next price a store would show, never down (the developer's price is a floor, and rounding down
would sell below it). Nice prices are ``k * step - drop`` for a whole ``k >= 1``, per currency
(the way Steam prices its regions):

========  ===========  =====================================  =========================
currency  step / drop  nice prices                            e.g. converted → shown
========  ===========  =====================================  =========================
USD, EUR  1.00 / 0.01  0.99, 1.99, … 9.99                     9.37 → 9.99; 9.99 → 9.99
BYN       1.00 / 0.01  0.99, 1.99, … 17.99                    17.01 → 17.99
KZT       100 / 10     90, 190, … 2 490 ₸                     2 437.50 → 2 490
UAH       10 / 1       9, 19, … 229 ₴                         220.00 → 229
RUB       10 / 1       9, 19, … 499 ₽                         (the base itself: never converted)
========  ===========  =====================================  =========================

A price already nice stays as it is; one minor unit above a nice price goes to the next one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType

from parovoz_kit.errors import BusinessRuleViolation, ValidationFailed

from parovoz_payment.domain.money import Money

BASE_CURRENCY = "RUB"
#: PRODUCT.md "Money and regions": the currencies we take; every one has 2 decimals.
RATED_CURRENCIES = frozenset({"KZT", "BYN", "UAH", "USD", "EUR"})
MINOR_PER_UNIT = 100
#: A rate is a positive decimal with at most 10 decimals and 10 whole digits (Numeric(20, 10)).
_RATE = re.compile(r"^[0-9]{1,10}(\.[0-9]{1,10})?$")
RATE_POINTER = "/data/attributes/rate"


@dataclass(frozen=True)
class NiceStep:
    """Nice prices are ``k * step - drop`` minor units, ``k >= 1``."""

    step: int
    drop: int

    def round_up(self, exact_minor: Fraction) -> int:
        k = max(1, -(-(exact_minor + self.drop) // self.step))  # ceil, at least the first price
        return int(k * self.step - self.drop)


NICE_STEPS: Mapping[str, NiceStep] = MappingProxyType(
    {
        "USD": NiceStep(step=100, drop=1),
        "EUR": NiceStep(step=100, drop=1),
        "BYN": NiceStep(step=100, drop=1),
        "KZT": NiceStep(step=10_000, drop=1_000),
        "UAH": NiceStep(step=1_000, drop=100),
        "RUB": NiceStep(step=1_000, drop=100),
    }
)

_EUROZONE = (
    "AT BE HR CY EE FI FR DE GR IE IT LV LT LU MT NL PT SK SI ES"  # 2026's euro area
).split()
#: The currency a region's buyers pay in when no regional price is set; regions not listed pay
#: the base price in roubles (the store's own currency).
REGION_CURRENCIES: Mapping[str, str] = MappingProxyType(
    {"RU": "RUB", "KZ": "KZT", "BY": "BYN", "UA": "UAH", "US": "USD"}
    | dict.fromkeys(_EUROZONE, "EUR")
)


def region_currency(region: str) -> str:
    return REGION_CURRENCIES.get(region.upper(), BASE_CURRENCY)


@dataclass(frozen=True)
class ExchangeRate:
    currency: str
    #: Roubles for one unit of ``currency``, exact.
    rub_per_unit: Decimal
    valid_from: datetime

    def __post_init__(self) -> None:
        if self.currency not in RATED_CURRENCIES:
            raise ValueError(f"no rate is kept for {self.currency}")
        if not self.rub_per_unit.is_finite() or self.rub_per_unit <= 0:
            raise ValueError("a rate is a positive decimal")


def parse_rate(currency: str, raw: str, valid_from: datetime) -> ExchangeRate:
    """An admin's rate: ``currency`` one we take (not the base), ``raw`` a decimal string."""
    code = currency.upper()
    if code == BASE_CURRENCY:
        raise BusinessRuleViolation(
            "RUB is the base currency: its rate is 1 by definition.",
            code="BASE_CURRENCY_RATE",
            parameter="currency",
        )
    if code not in RATED_CURRENCIES:
        raise BusinessRuleViolation(
            f"{currency} is not a currency we take ({', '.join(sorted(RATED_CURRENCIES))}).",
            code="UNSUPPORTED_CURRENCY",
            parameter="currency",
        )
    if not _RATE.match(raw) or Decimal(raw) <= 0:
        raise ValidationFailed(
            'The rate is a positive decimal string of roubles per unit, e.g. "92.5123" '
            "(at most 10 decimals; never a JSON number, which would be a float).",
            code="INVALID_RATE",
            pointer=RATE_POINTER,
        )
    return ExchangeRate(code, Decimal(raw), valid_from)


@dataclass(frozen=True)
class ExchangeRates:
    """The rates in force at one moment (one per currency at most)."""

    rates: Mapping[str, ExchangeRate]

    def rate(self, currency: str) -> ExchangeRate | None:
        return self.rates.get(currency)

    def to_rub(self, money: Money) -> Money | None:
        """``money`` in kopecks, rounded down (for thresholds: a fraction never tips a rule);
        None when there is no rate for its currency."""
        if money.currency == BASE_CURRENCY:
            return money
        rate = self.rates.get(money.currency)
        if rate is None:
            return None
        return Money(int(Fraction(money.amount_minor) * Fraction(rate.rub_per_unit)), BASE_CURRENCY)


NO_RATES = ExchangeRates(MappingProxyType({}))


def converted_price(base: Money, currency: str, rates: ExchangeRates | None) -> Money:
    """``base`` (RUB) in ``currency`` at the current rate, rounded up to a nice price.
    No rate: the game is not for sale in that currency (422), never a guessed price."""
    if base.currency != BASE_CURRENCY:
        raise ValueError("only a rouble base price is converted")
    if currency == BASE_CURRENCY:
        return base
    rate = (rates or NO_RATES).rate(currency)
    if rate is None:
        raise BusinessRuleViolation(
            f"This game is not for sale in {currency} yet: no exchange rate is set.",
            code="NO_EXCHANGE_RATE",
        )
    # Both currencies have 2 decimals: minor units convert like units.
    exact = Fraction(base.amount_minor) / Fraction(rate.rub_per_unit)
    return Money(NICE_STEPS[currency].round_up(exact), currency)
