"""Pricing a game purchase from payment's price table, as plain Python."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from parovoz_kit.errors import BusinessRuleViolation
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.pricing import (
    GamePriceList,
    check_client_amount,
    game_purchase_price,
    price_for_region,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def paid(**regional: Money) -> GamePriceList:
    return GamePriceList(
        game_id=uuid.uuid4(),
        developer_id=uuid.uuid4(),
        is_free=False,
        base_price=Money(99900, "RUB"),
        changed_at=NOW,
        regional_prices=regional,
    )


FREE = GamePriceList(uuid.uuid4(), uuid.uuid4(), is_free=True, base_price=None, changed_at=NOW)


def test_a_regional_price_wins_in_its_region() -> None:
    prices = paid(KZ=Money(449000, "KZT"), BY=Money(3500, "BYN"))
    assert price_for_region(prices, "KZ") == Money(449000, "KZT")
    assert price_for_region(prices, "by") == Money(3500, "BYN")  # region codes in any case


def test_without_a_regional_price_the_base_price_in_roubles_applies() -> None:
    prices = paid(KZ=Money(449000, "KZT"))
    assert price_for_region(prices, "RU") == Money(99900, "RUB")
    # No currency conversion yet: a buyer in Armenia pays the base price, in RUB.
    assert price_for_region(prices, "AM") == Money(99900, "RUB")


def test_a_free_game_costs_zero_and_an_unpriced_one_is_not_for_sale() -> None:
    assert price_for_region(FREE, "KZ") == Money(0, "RUB")
    assert game_purchase_price(FREE, "RU").is_zero
    assert price_for_region(None, "RU") is None
    with pytest.raises(BusinessRuleViolation) as error:
        game_purchase_price(None, "RU")
    assert error.value.code == "GAME_NOT_FOR_SALE" and error.value.http_status == 422


def test_the_exact_price_is_accepted() -> None:
    check_client_amount(Money(449000, "KZT"), Money(449000, "KZT"))


@pytest.mark.parametrize(
    ("client", "pointer"),
    [
        (Money(448999, "KZT"), "/data/attributes/amount"),
        (Money(449001, "KZT"), "/data/attributes/amount"),
        (Money(0, "KZT"), "/data/attributes/amount"),
        (Money(449000, "RUB"), "/data/attributes/currency"),
    ],
)
def test_any_other_client_amount_is_refused_with_a_pointer(client: Money, pointer: str) -> None:
    with pytest.raises(BusinessRuleViolation) as error:
        check_client_amount(Money(449000, "KZT"), client)
    assert (error.value.code, error.value.pointer, error.value.http_status) == (
        "AMOUNT_MISMATCH",
        pointer,
        422,
    )


def test_pointers_follow_the_callers_body() -> None:
    with pytest.raises(BusinessRuleViolation) as error:
        check_client_amount(
            Money(100, "RUB"), Money(99, "RUB"), amount_pointer="/data/attributes/amount_minor"
        )
    assert error.value.pointer == "/data/attributes/amount_minor"


def test_a_price_list_is_consistent() -> None:
    with pytest.raises(ValueError):
        GamePriceList(uuid.uuid4(), uuid.uuid4(), is_free=False, base_price=None, changed_at=NOW)
    with pytest.raises(ValueError):
        GamePriceList(
            uuid.uuid4(),
            uuid.uuid4(),
            is_free=True,
            base_price=None,
            changed_at=NOW,
            regional_prices={"KZ": Money(1, "KZT")},
        )
    prices = paid(KZ=Money(449000, "KZT"))
    with pytest.raises(TypeError):
        prices.regional_prices["BY"] = Money(1, "BYN")  # type: ignore[index]
