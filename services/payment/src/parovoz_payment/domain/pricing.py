"""What a game costs a buyer: payment's own price table, never the client's word.

The table is a read model of developer-portal's ``developer.game.price.changed.v1``: each event
carries the game's whole price list, and the newest (by the event's ``changed_at``, which
developer-portal makes strictly increasing per game) wins — an older event delivered late is
ignored. Prices are VAT-inclusive, in integer minor units.

A region's price is its regional price when the developer set one; otherwise the base price
(RUB) converted into the region's currency at the current exchange rate and rounded up to a
"nice" store price (:mod:`currency_rates` documents the rule: 2 490 ₸, 9.99 $). A regional price
always wins over a converted one (PRODUCT.md); no rate for the region's currency → not for sale
there (422 ``NO_EXCHANGE_RATE``), never a guess. Regions outside our currencies pay the base price.

Discounts (promo periods) come with the same events: a purchase at instant T pays the price above
lowered by the discount whose half-open period ``[starts_at, ends_at)`` holds T (periods of a game
never overlap), rounded DOWN to the whole minor unit and never below one minor unit — the same rule
as developer-portal's ``pricing/domain/discounts.py`` (:func:`discounted_amount`). A free game
stays free.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from parovoz_kit.errors import BusinessRuleViolation

from parovoz_payment.domain.currency_rates import ExchangeRates, converted_price, region_currency
from parovoz_payment.domain.money import Money

BASE_CURRENCY = "RUB"
AMOUNT_POINTER = "/data/attributes/amount"
CURRENCY_POINTER = "/data/attributes/currency"


@dataclass(frozen=True)
class GameDiscount:
    """A promo period of a game: ``percent`` off every price in ``[starts_at, ends_at)``."""

    discount_id: uuid.UUID
    percent: int
    starts_at: datetime
    ends_at: datetime

    def holds(self, at: datetime) -> bool:
        return self.starts_at <= at < self.ends_at


def discounted_amount(amount_minor: int, percent: int) -> int:
    """``amount_minor`` lowered by ``percent``: rounded down, at least one minor unit."""
    if not 1 <= percent <= 99:
        raise ValueError("a discount is 1 to 99 percent")
    return max(1, amount_minor * (100 - percent) // 100)


@dataclass(frozen=True)
class GamePriceList:
    """A game's prices as last announced by developer-portal."""

    game_id: uuid.UUID
    developer_id: uuid.UUID
    is_free: bool
    #: RUB, VAT included; None exactly when the game is free.
    base_price: Money | None
    changed_at: datetime
    #: Region (ISO 3166-1 alpha-2) -> price in that region's currency.
    regional_prices: Mapping[str, Money] = field(default_factory=lambda: MappingProxyType({}))
    #: Discounts announced with the list (those not over when it changed), by start.
    discounts: tuple[GameDiscount, ...] = ()

    def discount_at(self, at: datetime) -> GameDiscount | None:
        """The discount whose period holds ``at`` (periods never overlap: at most one)."""
        return next((discount for discount in self.discounts if discount.holds(at)), None)

    def __post_init__(self) -> None:
        if self.is_free != (self.base_price is None):
            raise ValueError("a free game has no base price; a paid game has one")
        if self.is_free and self.regional_prices:
            raise ValueError("a free game has no regional prices")
        object.__setattr__(self, "regional_prices", MappingProxyType(dict(self.regional_prices)))


def price_for_region(prices: GamePriceList | None, region: str) -> Money | None:
    """The table's own price for ``region``, before conversion: zero (RUB) for a free game, the
    regional price when one is set, else the base price in RUB; None when the game has no price
    at all. What a buyer pays is :func:`game_purchase_price`."""
    if prices is None:
        return None
    if prices.is_free:
        return Money.zero(BASE_CURRENCY)
    regional = prices.regional_prices.get(region.upper())
    if regional is not None:
        return regional
    return prices.base_price


def game_purchase_price(
    prices: GamePriceList | None,
    region: str,
    rates: ExchangeRates | None = None,
    *,
    at: datetime | None = None,
) -> Money:
    """The price of a ``game_purchase`` (and of any price shown to a buyer) at instant ``at``:
    the regional price, else the base price converted to the region's currency at ``rates``
    (none given: no rates, so only roubles sell), lowered by the discount in force at ``at``
    (``at`` None: the list price, no discount); a game nobody priced cannot be bought."""
    price = price_for_region(prices, region)
    if price is None:
        raise BusinessRuleViolation(
            "This game has no price yet and cannot be bought.", code="GAME_NOT_FOR_SALE"
        )
    if prices is None or prices.is_free:
        return price
    if region.upper() not in prices.regional_prices:  # a regional price wins over conversion
        price = converted_price(price, region_currency(region), rates)
    discount = prices.discount_at(at) if at is not None else None
    if discount is None:
        return price
    return Money(discounted_amount(price.amount_minor, discount.percent), price.currency)


def check_client_amount(
    expected: Money,
    client: Money,
    *,
    amount_pointer: str = AMOUNT_POINTER,
    currency_pointer: str = CURRENCY_POINTER,
) -> None:
    """A client-sent amount must be exactly the price: anything else is refused (422), so a
    stale page or a tampered request never buys a game at its own price."""
    if client.currency != expected.currency:
        raise BusinessRuleViolation(
            f"The price here is in {expected.currency}, not {client.currency}.",
            code="AMOUNT_MISMATCH",
            pointer=currency_pointer,
        )
    if client.amount_minor != expected.amount_minor:
        raise BusinessRuleViolation(
            f"The price is {expected.amount_minor} minor units of {expected.currency}, "
            f"not {client.amount_minor}; reload the price and try again.",
            code="AMOUNT_MISMATCH",
            pointer=amount_pointer,
        )
