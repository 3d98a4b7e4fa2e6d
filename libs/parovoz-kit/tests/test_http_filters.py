"""``listed``: a comma-separated ``filter[...]`` of an enum's values, or 400 naming it."""

from __future__ import annotations

from enum import StrEnum

import pytest
from parovoz_kit.errors import ValidationFailed
from parovoz_kit.http.filters import listed


class Colour(StrEnum):
    RED = "red"
    GREEN = "green"


def test_the_values_come_back_as_members_in_the_order_given() -> None:
    assert listed(Colour, None, "filter[colour]") == []
    assert listed(Colour, "green, red", "filter[colour]") == [Colour.GREEN, Colour.RED]


@pytest.mark.parametrize("raw", ["blue", "red,", "red,,green", "RED", ""])
def test_a_value_the_enum_lacks_is_400_naming_the_parameter_and_the_choices(raw: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        listed(Colour, raw, "filter[colour]")
    assert (refused.value.code, refused.value.parameter) == ("INVALID_FILTER", "filter[colour]")
    assert "red, green" in str(refused.value)
