"""Pricing rules as plain Python: what a price list may hold, versions, change times, and the
event that announces a change."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from parovoz_developer_portal.games.domain import Game, GameStatus, ProductType
from parovoz_developer_portal.pricing.domain import (
    MAX_PRICE_MINOR,
    GamePrices,
    Price,
    PriceList,
    RegionalPrice,
    change_time,
    reprice,
    validate_price_list,
)
from parovoz_developer_portal.pricing.service import price_changed_event
from parovoz_events.developer import GamePriceChanged
from parovoz_kit.errors import BusinessRuleViolation, ParovozError, ValidationFailed

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
A = "/data/attributes"


def rub(amount: object) -> Price:
    return Price(amount, "RUB")  # type: ignore[arg-type]


def paid(base: Price | None = None, *regional: tuple[str, Price]) -> PriceList:
    return PriceList(
        is_free=False,
        base_price=base or rub(99900),
        regional_prices=tuple(RegionalPrice(region, price) for region, price in regional),
    )


def refused(price_list: PriceList, status: int = 400) -> ParovozError:
    """Malformed prices are 400 (ValidationFailed); prices the store refuses are 422."""
    kind = ValidationFailed if status == 400 else BusinessRuleViolation
    with pytest.raises(kind) as error:
        validate_price_list(price_list)
    assert error.value.http_status == status
    return error.value


def test_a_paid_list_is_stored_with_regions_in_order() -> None:
    kz = ("KZ", Price(449000, "KZT"))
    by = ("BY", Price(3500, "BYN"))
    stored = validate_price_list(paid(rub(99900), kz, by))
    assert [regional.region for regional in stored.regional_prices] == ["BY", "KZ"]
    assert stored.base_price == rub(99900)


def test_a_free_game_has_no_prices() -> None:
    assert validate_price_list(PriceList(is_free=True, base_price=None)) == PriceList(True, None)
    with_base = refused(PriceList(is_free=True, base_price=rub(100)), 422)
    assert (with_base.code, with_base.pointer) == ("FREE_GAME_HAS_PRICES", f"{A}/base_price")
    with_regional = refused(PriceList(True, None, (RegionalPrice("KZ", Price(100, "KZT")),)), 422)
    assert with_regional.pointer == f"{A}/regional_prices"


def test_a_paid_game_needs_a_base_price_in_roubles() -> None:
    missing = refused(PriceList(is_free=False, base_price=None))
    assert (missing.code, missing.pointer) == ("BASE_PRICE_REQUIRED", f"{A}/base_price")
    in_dollars = refused(paid(Price(999, "USD")), 422)
    assert (in_dollars.code, in_dollars.pointer) == (
        "BASE_PRICE_NOT_RUB",
        f"{A}/base_price/currency",
    )


@pytest.mark.parametrize("amount", [0, -1, 9.99, 999.0, True, "999"])
def test_an_amount_is_a_positive_bounded_integer(amount: object) -> None:
    error = refused(paid(rub(amount)))
    assert (error.code, error.pointer) == ("INVALID_PRICE_AMOUNT", f"{A}/base_price/amount_minor")


def test_a_price_above_the_maximum_is_refused_by_the_store() -> None:
    error = refused(paid(rub(MAX_PRICE_MINOR + 1)), 422)
    assert (error.code, error.pointer) == ("PRICE_TOO_HIGH", f"{A}/base_price/amount_minor")


def test_the_bounds_themselves_are_prices() -> None:
    assert validate_price_list(paid(rub(1))).base_price == rub(1)
    assert validate_price_list(paid(rub(MAX_PRICE_MINOR))).base_price == rub(MAX_PRICE_MINOR)


def test_a_regional_price_is_in_a_currency_the_store_sells_in() -> None:
    error = refused(paid(None, ("KZ", Price(449000, "KZT")), ("GB", Price(999, "GBP"))), 422)
    assert (error.code, error.pointer) == (
        "UNSUPPORTED_CURRENCY",
        f"{A}/regional_prices/1/price/currency",
    )
    negative = refused(paid(None, ("KZ", Price(-5, "KZT"))))
    assert negative.pointer == f"{A}/regional_prices/0/price/amount_minor"


@pytest.mark.parametrize("region", ["XX", "kz", "RUS", "", "EU"])
def test_a_region_is_an_assigned_iso_3166_code(region: str) -> None:
    error = refused(paid(None, (region, Price(100, "EUR"))))
    assert (error.code, error.pointer) == ("INVALID_REGION", f"{A}/regional_prices/0/region")


def test_one_price_per_region() -> None:
    error = refused(paid(None, ("KZ", Price(449000, "KZT")), ("KZ", Price(10000, "USD"))))
    assert (error.code, error.pointer) == ("DUPLICATE_REGION", f"{A}/regional_prices/1/region")


def never_priced() -> GamePrices:
    return GamePrices(uuid.uuid4(), None, version=0, updated_at=None, updated_by_user_id=None)


def test_each_change_is_a_new_version_and_an_unchanged_list_is_none() -> None:
    user = uuid.uuid4()
    kz, by = ("KZ", Price(449000, "KZT")), ("BY", Price(3500, "BYN"))
    first = reprice(never_priced(), paid(rub(99900), kz, by), user, NOW)
    assert first is not None
    assert (first.version, first.updated_at, first.updated_by_user_id) == (1, NOW, user)
    # The same list again, regions in another order: nothing changes, nothing to announce.
    same = reprice(first, paid(rub(99900), by, kz), uuid.uuid4(), NOW + timedelta(hours=1))
    assert same is None
    second = reprice(first, paid(rub(99900), kz), user, NOW + timedelta(hours=1))
    assert second is not None and second.version == 2


def test_invalid_prices_are_refused_before_anything_changes() -> None:
    with pytest.raises(ValidationFailed):
        reprice(never_priced(), paid(rub(0)), uuid.uuid4(), NOW)


def test_change_times_strictly_increase_even_when_the_clock_steps_back() -> None:
    assert change_time(None, NOW) == NOW
    assert change_time(NOW, NOW + timedelta(seconds=1)) == NOW + timedelta(seconds=1)
    assert change_time(NOW, NOW) == NOW + timedelta(microseconds=1)
    assert change_time(NOW, NOW - timedelta(minutes=5)) == NOW + timedelta(microseconds=1)


def _game() -> Game:
    return Game(
        id=uuid.uuid4(),
        developer_id=uuid.uuid4(),
        title="Игра",
        product_type=ProductType.GAME,
        parent_game_id=None,
        status=GameStatus.DRAFT,
        created_by_user_id=uuid.uuid4(),
        created_at=NOW,
        updated_at=NOW,
    )


def test_the_event_carries_the_whole_list_and_satisfies_its_schema() -> None:
    game, user = _game(), uuid.uuid4()
    prices = reprice(never_priced(), paid(rub(99900), ("KZ", Price(449000, "KZT"))), user, NOW)
    assert prices is not None
    event = price_changed_event(game, prices)
    assert isinstance(event, GamePriceChanged)
    assert event.model_dump(mode="json") == {
        "developer_id": str(game.developer_id),
        "game_id": str(game.id),
        "is_free": False,
        "base_price": {"amount_minor": 99900, "currency": "RUB"},
        "regional_prices": [{"region": "KZ", "price": {"amount_minor": 449000, "currency": "KZT"}}],
        "changed_at": "2026-11-26T12:00:00Z",
        "changed_by_user_id": str(user),
        "discounts": [],
    }
    free = reprice(prices, PriceList(is_free=True, base_price=None), user, NOW)
    assert free is not None
    free_event = price_changed_event(game, free)
    assert (free_event.is_free, free_event.base_price, free_event.regional_prices) == (
        True,
        None,
        (),
    )
