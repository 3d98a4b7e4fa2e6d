"""Money in every event is the Money model: integer minor units, an allowed currency, no floats."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from parovoz_events import EventData, Money, schema_for
from parovoz_events.catalog import catalogue_types
from pydantic import ValidationError


def _money_paths(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(data, dict):
        if set(data) == {"amount_minor", "currency"}:
            return [path]
        return [p for key, value in data.items() for p in _money_paths(value, (*path, key))]
    if isinstance(data, list):
        return [p for index, value in enumerate(data) for p in _money_paths(value, (*path, index))]
    return []


TYPES = catalogue_types()
MONEY_TYPES = [cls for cls in TYPES if _money_paths(cls.example_data)]
by_type = pytest.mark.parametrize("cls", TYPES, ids=lambda cls: cls.event_type)
# Names that mean money; any such field must be the Money model.
MONEY_NAME = re.compile(r"(amount|price|total|fee|gross|net)(_|$)")


def test_money_takes_integer_minor_units_of_an_allowed_currency() -> None:
    money = Money.model_validate({"amount_minor": 500000, "currency": "RUB"})
    assert money.amount_minor == 500000
    assert Money.model_validate_json('{"amount_minor": -1, "currency": "KZT"}').amount_minor == -1


@pytest.mark.parametrize("amount", [10.5, 10.0, "1000", True, None, 2**63])
def test_money_refuses_anything_but_an_int64(amount: object) -> None:
    with pytest.raises(ValidationError):
        Money.model_validate({"amount_minor": amount, "currency": "RUB"})


def test_money_refuses_a_json_float() -> None:
    with pytest.raises(ValidationError):
        Money.model_validate_json('{"amount_minor": 10.5, "currency": "RUB"}')
    with pytest.raises(ValidationError):
        Money.model_validate_json('{"amount_minor": 1000.0, "currency": "RUB"}')


@pytest.mark.parametrize("currency", ["rub", "GBP", "RU", "RUBL", ""])
def test_money_refuses_other_currencies(currency: str) -> None:
    with pytest.raises(ValidationError):
        Money.model_validate({"amount_minor": 100, "currency": currency})


@by_type
def test_money_named_fields_are_money(cls: type[EventData]) -> None:
    schema = cls.model_json_schema()
    for model_schema in [schema, *schema.get("$defs", {}).values()]:
        for name, prop in model_schema.get("properties", {}).items():
            if MONEY_NAME.search(name) and name != "amount_minor":
                assert _refers_to_money(prop), f"{cls.event_type}: {name} is not Money"


@by_type
def test_no_number_type_anywhere(cls: type[EventData]) -> None:
    """No float can sneak in anywhere in event data (money or not): integers only."""
    assert '"number"' not in str(cls.model_json_schema()).replace("'", '"')


@pytest.mark.parametrize("cls", MONEY_TYPES, ids=lambda cls: cls.event_type)
def test_a_float_amount_in_the_example_is_refused(cls: type[EventData]) -> None:
    for path in _money_paths(cls.example_data):
        data = copy.deepcopy(cls.example_data)
        _at(data, path)["amount_minor"] = 10.5
        with pytest.raises(ValidationError, match="amount_minor"):
            cls.model_validate(data)


def test_money_carrying_types_are_the_expected_ones() -> None:
    carrying = {cls.event_type for cls in MONEY_TYPES}
    assert carrying == {
        "developer.game.price.changed.v1",
        "developer.payout.requested.v1",
        "payment.payment.succeeded.v1",
        "payment.payment.cancelled.v1",
        "payment.refund.succeeded.v1",
        "payment.refund.failed.v1",
        "payment.sale.recorded.v1",
        "payment.chargeback.opened.v1",
        "payment.chargeback.resolved.v1",
        "payment.payout.status.changed.v1",
        "payment.referral_payout.completed.v1",
        "payment.referral_payout.failed.v1",
        "subscription.subscription.activated.v1",
        "subscription.subscription.renewed.v1",
        "subscription.subscription.payment_failed.v1",
        "subscription.subscription.plan_changed.v1",
        "subscription.renewal.upcoming.v1",
        "subscription.plan.price_changed.v1",
    }


@pytest.mark.parametrize(
    ("event_type", "field"),
    [
        ("developer.payout.requested.v1", "amount"),
        ("developer.game.price.changed.v1", "base_price"),
        ("payment.refund.succeeded.v1", "amount"),
        ("payment.payout.status.changed.v1", "amount"),
        ("subscription.subscription.renewed.v1", "amount"),
    ],
)
def test_positive_amounts_refuse_zero_and_negative(event_type: str, field: str) -> None:
    cls = schema_for(event_type)
    for amount in (0, -100):
        data = {**cls.example_data, field: {"amount_minor": amount, "currency": "RUB"}}
        with pytest.raises(ValidationError, match="must be positive"):
            cls.model_validate(data)


def _refers_to_money(prop: dict[str, Any]) -> bool:
    if prop.get("$ref") == "#/$defs/Money":
        return True
    options = prop.get("anyOf", [])
    items = [prop["items"]] if "items" in prop else []
    return any(_refers_to_money(option) for option in options + items if "$ref" in option)


def _at(data: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        data = data[step]
    return data
