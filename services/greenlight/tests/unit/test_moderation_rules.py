"""Moderation's numbers come from settings (PRODUCT.md's defaults) and stay consistent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from parovoz_greenlight.settings import GreenlightSettings
from pydantic import ValidationError


def test_the_defaults_are_product_md() -> None:
    rules = GreenlightSettings(environment="test").moderation_rules()
    assert rules.changes_deadline == timedelta(days=14)
    assert rules.appeal_period == timedelta(days=30)
    assert rules.longest_changes_deadline >= rules.changes_deadline
    assert 1 <= rules.default_page_size <= rules.max_page_size


def test_a_longest_deadline_below_the_default_is_raised_to_it() -> None:
    rules = GreenlightSettings(
        environment="test",
        moderation_changes_deadline_days=30,
        moderation_longest_changes_deadline_days=7,
    ).moderation_rules()
    assert rules.longest_changes_deadline == rules.changes_deadline == timedelta(days=30)


@pytest.mark.parametrize("days", [0, -1, 366])
def test_a_deadline_out_of_bounds_is_refused(days: int) -> None:
    with pytest.raises(ValidationError):
        GreenlightSettings(environment="test", moderation_changes_deadline_days=days)
