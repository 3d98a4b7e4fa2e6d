"""Proration of an upgrade: exact kopecks for the unused seconds, rounded towards the customer,
never negative, real seconds of a DST-crossing period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from parovoz_subscription.billing.domain.periods import nth_period
from parovoz_subscription.billing.domain.proration import ChangeTiming, prorate
from parovoz_subscription.subscriptions.domain import BillingPeriod

START = datetime(2027, 4, 1, 9, 0, tzinfo=UTC)
END = datetime(2027, 5, 1, 9, 0, tzinfo=UTC)  # 30 days = 2,592,000 s


def test_half_of_the_period_left_charges_half_the_difference() -> None:
    result = prorate(
        old_price_minor=39_900,
        new_price_minor=69_900,
        period_start=START,
        period_end=END,
        now=START + timedelta(days=15),
    )
    assert result.timing is ChangeTiming.NOW
    assert (result.unused_seconds, result.period_seconds) == (1_296_000, 2_592_000)
    assert result.amount_minor == 15_000


def test_a_fraction_of_a_kopeck_is_not_charged() -> None:
    # 10,000 kopecks difference, 1/3 of the period left: 3,333.33... -> 3,333.
    result = prorate(
        old_price_minor=10_000,
        new_price_minor=20_000,
        period_start=START,
        period_end=END,
        now=START + timedelta(days=20),
    )
    assert result.amount_minor == 3_333
    # One second used of a 30-day period, difference 29,999: 29,998.98... -> 29,998.
    result = prorate(
        old_price_minor=1,
        new_price_minor=30_000,
        period_start=START,
        period_end=END,
        now=START + timedelta(seconds=1),
    )
    assert result.amount_minor == 29_999 * 2_591_999 // 2_592_000 == 29_998


def test_exact_to_the_second() -> None:
    # 7 days, 3 hours, 25 minutes and 11 seconds left of 30 days; difference 50,000 kopecks.
    left = timedelta(days=7, hours=3, minutes=25, seconds=11)
    result = prorate(
        old_price_minor=49_900,
        new_price_minor=99_900,
        period_start=START,
        period_end=END,
        now=END - left,
    )
    assert result.unused_seconds == 617_111
    # 50,000 * 617,111 / 2,592,000 = 11,904.147...
    assert result.amount_minor == 11_904


@pytest.mark.parametrize("new_price", [39_900, 19_900, 0])
def test_a_downgrade_or_same_price_charges_nothing_and_waits_for_the_period_end(
    new_price: int,
) -> None:
    result = prorate(
        old_price_minor=39_900,
        new_price_minor=new_price,
        period_start=START,
        period_end=END,
        now=START + timedelta(days=3),
    )
    assert (result.amount_minor, result.timing) == (0, ChangeTiming.PERIOD_END)


def test_a_change_of_billing_period_is_scheduled_for_the_period_end() -> None:
    result = prorate(
        old_price_minor=39_900,
        new_price_minor=399_000,
        period_start=START,
        period_end=END,
        now=START + timedelta(days=3),
        period_changes=True,
    )
    assert (result.amount_minor, result.timing) == (0, ChangeTiming.PERIOD_END)


def test_a_dst_crossing_period_counts_its_real_seconds() -> None:
    # Berlin, 15 March -> 15 April 2026 holds the spring change (29 March): 31 days - 1 hour.
    zone = "Europe/Berlin"
    anchor = datetime(2026, 2, 15, 12, 0, tzinfo=ZoneInfo(zone)).astimezone(UTC)
    period = nth_period(anchor, BillingPeriod.MONTHLY, 2, zone)
    assert period.end - period.start == timedelta(days=31, hours=-1)
    now = datetime(2026, 4, 1, 12, 0, tzinfo=ZoneInfo(zone)).astimezone(UTC)
    result = prorate(
        old_price_minor=30_000,
        new_price_minor=60_000,
        period_start=period.start,
        period_end=period.end,
        now=now,
    )
    assert result.period_seconds == 31 * 86_400 - 3_600 == 2_674_800
    assert result.unused_seconds == 14 * 86_400 == 1_209_600
    assert result.amount_minor == 30_000 * 1_209_600 // 2_674_800 == 13_566


def test_a_bad_period_or_price_is_refused() -> None:
    with pytest.raises(ValueError):
        prorate(old_price_minor=1, new_price_minor=2, period_start=END, period_end=START, now=END)
    with pytest.raises(ValueError):
        prorate(old_price_minor=-1, new_price_minor=2, period_start=START, period_end=END, now=END)


@settings(max_examples=300, deadline=None)
@given(
    old=st.integers(min_value=0, max_value=10_000_000),
    new=st.integers(min_value=0, max_value=10_000_000),
    used=st.integers(min_value=0, max_value=2_592_000),
)
def test_never_negative_never_more_than_the_difference(old: int, new: int, used: int) -> None:
    result = prorate(
        old_price_minor=old,
        new_price_minor=new,
        period_start=START,
        period_end=END,
        now=START + timedelta(seconds=used),
    )
    assert 0 <= result.amount_minor <= max(0, new - old)
    if result.amount_minor:
        exact_times_period = (new - old) * (2_592_000 - used)
        # Rounded down, by less than a kopeck.
        assert 0 <= exact_times_period - result.amount_minor * 2_592_000 < 2_592_000
