"""A game's price list: base price in RUB plus explicit regional prices (PRODUCT.md, Money and
regions). Prices are VAT-inclusive, as a Russian store shows them, in integer minor units.

Only the rules live here; payment keeps its own copy (a read model of the price events) and
decides what a buyer in a region pays.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from parovoz_kit.errors import BusinessRuleViolation, ValidationFailed
from parovoz_kit.regions import ISO_3166_ALPHA_2

#: The currencies the store sells in; the base price is always in roubles.
SUPPORTED_CURRENCIES = frozenset({"RUB", "KZT", "BYN", "UAH", "USD", "EUR"})
BASE_CURRENCY = "RUB"
#: 1,000,000.00 in minor units: above it a price is a typo, not a game.
MAX_PRICE_MINOR = 100_000_000
#: No more regional prices than there are countries.
MAX_REGIONAL_PRICES = 249


_ATTRIBUTES = "/data/attributes"


@dataclass(frozen=True)
class Price:
    """An amount in minor units (kopecks, tiyn, cents) of one currency, VAT included."""

    amount_minor: int
    currency: str


@dataclass(frozen=True)
class RegionalPrice:
    region: str
    price: Price


@dataclass(frozen=True)
class PriceList:
    """What a developer asks for: free, or a RUB base price plus regional prices."""

    is_free: bool
    base_price: Price | None
    regional_prices: tuple[RegionalPrice, ...] = ()


@dataclass(frozen=True)
class Discount:
    """A promo period: every price of the game is ``percent`` lower from ``starts_at``
    (inclusive) to ``ends_at`` (exclusive); see :func:`discounted_amount` for the rounding."""

    id: uuid.UUID
    game_id: uuid.UUID
    percent: int
    starts_at: datetime
    ends_at: datetime
    name: str | None
    created_at: datetime
    created_by_user_id: uuid.UUID

    def is_active(self, at: datetime) -> bool:
        return self.starts_at <= at < self.ends_at

    def is_over(self, at: datetime) -> bool:
        return self.ends_at <= at


@dataclass(frozen=True)
class GamePrices:
    """The stored price list of a game; ``version`` counts changes (0 = never priced), a
    discount added or ended included. ``discounts``: all of them, sorted by start."""

    game_id: uuid.UUID
    price_list: PriceList | None
    version: int
    updated_at: datetime | None
    updated_by_user_id: uuid.UUID | None
    discounts: tuple[Discount, ...] = ()


def _check_price(price: Price, pointer: str) -> None:
    # bool is an int subclass: True kopecks is a bug, not a price.
    if type(price.amount_minor) is not int:
        raise ValidationFailed(
            "amount_minor is an integer number of minor units (kopecks), never a fraction.",
            code="INVALID_PRICE_AMOUNT",
            pointer=f"{pointer}/amount_minor",
        )
    if price.amount_minor <= 0:
        raise ValidationFailed(
            "A price is a positive number of minor units; a free game sets is_free instead.",
            code="INVALID_PRICE_AMOUNT",
            pointer=f"{pointer}/amount_minor",
        )
    if price.amount_minor > MAX_PRICE_MINOR:
        raise BusinessRuleViolation(
            f"A price is at most {MAX_PRICE_MINOR} minor units (1,000,000.00).",
            detail_ru=f"Цена не может быть больше {MAX_PRICE_MINOR} минимальных единиц "
            "(1 000 000,00).",
            code="PRICE_TOO_HIGH",
            pointer=f"{pointer}/amount_minor",
        )
    if price.currency not in SUPPORTED_CURRENCIES:
        currencies = ", ".join(sorted(SUPPORTED_CURRENCIES))
        raise BusinessRuleViolation(
            f"Currency {price.currency!r} is not sold in: use one of {currencies}.",
            detail_ru=f"В валюте {price.currency!r} магазин не продаёт: укажите одну из "
            f"{currencies}.",
            code="UNSUPPORTED_CURRENCY",
            pointer=f"{pointer}/currency",
        )


def _check_regional_prices(regional_prices: Sequence[RegionalPrice]) -> None:
    if len(regional_prices) > MAX_REGIONAL_PRICES:
        raise BusinessRuleViolation(
            f"At most {MAX_REGIONAL_PRICES} regional prices.",
            detail_ru=f"Региональных цен может быть не больше {MAX_REGIONAL_PRICES}.",
            code="TOO_MANY_REGIONAL_PRICES",
            pointer=f"{_ATTRIBUTES}/regional_prices",
        )
    seen: set[str] = set()
    for index, regional in enumerate(regional_prices):
        pointer = f"{_ATTRIBUTES}/regional_prices/{index}"
        if regional.region not in ISO_3166_ALPHA_2:
            raise ValidationFailed(
                f"{regional.region!r} is not an ISO 3166-1 alpha-2 country code (e.g. KZ).",
                detail_ru=f"{regional.region!r} — не код страны ISO 3166-1 alpha-2 (например, KZ).",
                code="INVALID_REGION",
                pointer=f"{pointer}/region",
            )
        if regional.region in seen:
            raise ValidationFailed(
                f"Region {regional.region} has more than one price; give one per region.",
                detail_ru=f"Для региона {regional.region} указано несколько цен: нужна одна.",
                code="DUPLICATE_REGION",
                pointer=f"{pointer}/region",
            )
        seen.add(regional.region)
        _check_price(regional.price, f"{pointer}/price")


def validate_price_list(price_list: PriceList) -> PriceList:
    """The price list as stored (regional prices sorted by region), or ValidationFailed with a
    pointer into the request body at the first problem."""
    if price_list.is_free:
        if price_list.base_price is not None or price_list.regional_prices:
            pointer = "base_price" if price_list.base_price is not None else "regional_prices"
            raise BusinessRuleViolation(
                "A free game has no base price and no regional prices.",
                code="FREE_GAME_HAS_PRICES",
                pointer=f"{_ATTRIBUTES}/{pointer}",
            )
        return PriceList(is_free=True, base_price=None)
    if price_list.base_price is None:
        raise ValidationFailed(
            "A paid game needs a base price in RUB (or set is_free).",
            code="BASE_PRICE_REQUIRED",
            pointer=f"{_ATTRIBUTES}/base_price",
        )
    _check_price(price_list.base_price, f"{_ATTRIBUTES}/base_price")
    if price_list.base_price.currency != BASE_CURRENCY:
        raise BusinessRuleViolation(
            "The base price is in RUB; prices in other currencies are regional prices.",
            code="BASE_PRICE_NOT_RUB",
            pointer=f"{_ATTRIBUTES}/base_price/currency",
        )
    _check_regional_prices(price_list.regional_prices)
    return PriceList(
        is_free=False,
        base_price=price_list.base_price,
        regional_prices=tuple(sorted(price_list.regional_prices, key=lambda r: r.region)),
    )


def change_time(previous: datetime | None, now: datetime) -> datetime:
    """When a change happens, strictly after the previous one even if the clock stalls or steps
    back: consumers order a game's price events by this time and keep the newest."""
    if previous is not None and now <= previous:
        return previous + timedelta(microseconds=1)
    return now


def reprice(
    current: GamePrices, requested: PriceList, user_id: uuid.UUID, now: datetime
) -> GamePrices | None:
    """The game's next price list, or None when ``requested`` changes nothing (no new version,
    no event: a repeated PUT is harmless)."""
    price_list = validate_price_list(requested)
    if current.price_list == price_list:
        return None
    return GamePrices(
        game_id=current.game_id,
        price_list=price_list,
        version=current.version + 1,
        updated_at=change_time(current.updated_at, now),
        updated_by_user_id=user_id,
        discounts=current.discounts,
    )
