"""Billing periods from an anchor: month-end clamping, back to the anchor day, DST, and the two
Kill Bill bugs as regression tests."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from parovoz_subscription.billing.domain.periods import (
    next_period,
    nth_period,
    period_at,
    period_end,
    period_index_at,
)
from parovoz_subscription.subscriptions.domain import BillingPeriod

MONTHLY, QUARTERLY, YEARLY = BillingPeriod.MONTHLY, BillingPeriod.QUARTERLY, BillingPeriod.YEARLY
MOSCOW = "Europe/Moscow"


def local(instant: datetime, zone: str = MOSCOW) -> datetime:
    return instant.astimezone(ZoneInfo(zone))


def moscow(*args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(MOSCOW)).astimezone(UTC)  # type: ignore[misc]


def test_a_year_of_monthly_periods_from_31_january_in_a_leap_year() -> None:
    anchor = moscow(2028, 1, 31, 12, 0)
    ends = [local(period_end(anchor, MONTHLY, n, MOSCOW)).date() for n in range(1, 13)]
    assert ends == [
        date(2028, 2, 29),
        date(2028, 3, 31),
        date(2028, 4, 30),
        date(2028, 5, 31),
        date(2028, 6, 30),
        date(2028, 7, 31),
        date(2028, 8, 31),
        date(2028, 9, 30),
        date(2028, 10, 31),
        date(2028, 11, 30),
        date(2028, 12, 31),
        date(2029, 1, 31),
    ]
    assert {local(period_end(anchor, MONTHLY, n, MOSCOW)).time() for n in range(1, 13)} == {
        anchor.astimezone(ZoneInfo(MOSCOW)).time()
    }


def test_anchor_on_the_31st_in_a_common_year_clamps_to_28_february() -> None:
    anchor = moscow(2027, 1, 31, 8, 15)
    assert period_end(anchor, MONTHLY, 1, MOSCOW) == moscow(2027, 2, 28, 8, 15)
    assert period_end(anchor, MONTHLY, 2, MOSCOW) == moscow(2027, 3, 31, 8, 15)


def test_killbill_regression_a_clamped_month_does_not_move_later_periods_to_the_30th() -> None:
    # Kill Bill billed on the 30th for ever after the anchor day had once been clamped.
    anchor = moscow(2027, 3, 31, 10, 0)
    ends = [local(period_end(anchor, MONTHLY, n, MOSCOW)).day for n in range(1, 7)]
    assert ends == [30, 31, 30, 31, 31, 30]  # Apr, May, Jun, Jul, Aug, Sep


def test_killbill_regression_periods_continue_after_31_march() -> None:
    # Kill Bill stopped producing periods after 31 March for an anchor on 31 January.
    anchor = moscow(2027, 1, 31, 10, 0)
    assert period_end(anchor, MONTHLY, 2, MOSCOW) == moscow(2027, 3, 31, 10, 0)
    assert period_end(anchor, MONTHLY, 3, MOSCOW) == moscow(2027, 4, 30, 10, 0)
    assert period_end(anchor, MONTHLY, 4, MOSCOW) == moscow(2027, 5, 31, 10, 0)
    third = next_period(anchor, MONTHLY, MOSCOW, moscow(2027, 3, 31, 10, 0))
    assert (third.start, third.end) == (moscow(2027, 3, 31, 10, 0), moscow(2027, 4, 30, 10, 0))


def test_anchor_on_29_february_goes_back_to_the_29th_only_in_leap_years() -> None:
    anchor = moscow(2028, 2, 29, 20, 0)
    assert period_end(anchor, MONTHLY, 1, MOSCOW) == moscow(2028, 3, 29, 20, 0)
    assert period_end(anchor, YEARLY, 1, MOSCOW) == moscow(2029, 2, 28, 20, 0)
    assert period_end(anchor, YEARLY, 4, MOSCOW) == moscow(2032, 2, 29, 20, 0)


def test_quarterly_periods_clamp_and_return_to_the_anchor_day() -> None:
    anchor = moscow(2027, 8, 31, 9, 0)
    ends = [period_end(anchor, QUARTERLY, n, MOSCOW) for n in range(1, 5)]
    assert ends == [
        moscow(2027, 11, 30, 9, 0),
        moscow(2028, 2, 29, 9, 0),
        moscow(2028, 5, 31, 9, 0),
        moscow(2028, 8, 31, 9, 0),
    ]


def test_yearly_periods() -> None:
    anchor = moscow(2026, 12, 7, 23, 59)
    assert [period_end(anchor, YEARLY, n, MOSCOW) for n in (1, 2)] == [
        moscow(2027, 12, 7, 23, 59),
        moscow(2028, 12, 7, 23, 59),
    ]


def test_index_zero_is_the_anchor_and_a_negative_index_is_refused() -> None:
    anchor = moscow(2027, 5, 5, 5, 5)
    assert period_end(anchor, MONTHLY, 0, MOSCOW) == anchor
    with pytest.raises(ValueError):
        period_end(anchor, MONTHLY, -1, MOSCOW)
    with pytest.raises(ValueError):
        period_end(datetime(2027, 5, 5), MONTHLY, 1, MOSCOW)


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York"])
def test_the_local_time_of_day_stays_across_a_dst_change(zone: str) -> None:
    tz = ZoneInfo(zone)
    anchor = datetime(2026, 1, 15, 9, 30, tzinfo=tz).astimezone(UTC)
    ends = [period_end(anchor, MONTHLY, n, zone) for n in range(1, 13)]
    assert {e.astimezone(tz).time() for e in ends} == {datetime(2026, 1, 1, 9, 30).time()}
    assert {e.astimezone(tz).day for e in ends} == {15}
    # The UTC hour moves with the offset: winter and summer boundaries differ by one hour.
    utc_hours = {e.hour for e in ends}
    assert len(utc_hours) == 2
    # Real seconds: the period holding the spring change is an hour short, the autumn one an
    # hour long, every other one exactly its calendar days.
    periods = [nth_period(anchor, MONTHLY, n, zone) for n in range(1, 13)]
    drift = [
        (p.end - p.start)
        - timedelta(days=(local(p.end, zone).date() - local(p.start, zone).date()).days)
        for p in periods
    ]
    assert sorted(drift) == [timedelta(hours=-1)] + [timedelta(0)] * 10 + [timedelta(hours=1)]


def test_a_boundary_in_the_spring_gap_moves_forward_by_the_jump() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    # 29 March 2026: Berlin jumps from 02:00 to 03:00; an anchor at 02:30 local on 29 January.
    anchor = datetime(2026, 1, 29, 2, 30, tzinfo=berlin).astimezone(UTC)
    end = period_end(anchor, MONTHLY, 2, "Europe/Berlin")
    assert end.astimezone(berlin) == datetime(2026, 3, 29, 3, 30, tzinfo=berlin)
    # And back to 02:30 the month after.
    assert period_end(anchor, MONTHLY, 3, "Europe/Berlin").astimezone(berlin).time() == (
        datetime(2026, 1, 1, 2, 30).time()
    )


def test_a_repeated_boundary_in_the_autumn_is_its_first_occurrence() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    # 25 October 2026: Berlin's 02:00-03:00 happens twice (CEST, then CET).
    anchor = datetime(2026, 9, 25, 2, 30, tzinfo=berlin).astimezone(UTC)
    end = period_end(anchor, MONTHLY, 1, "Europe/Berlin")
    assert end == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST, the earlier one


def test_period_index_at_and_period_at() -> None:
    anchor = moscow(2027, 1, 31, 10, 0)
    assert period_index_at(anchor, MONTHLY, MOSCOW, anchor) == 1
    assert period_index_at(anchor, MONTHLY, MOSCOW, moscow(2027, 2, 28, 9, 59)) == 1
    assert period_index_at(anchor, MONTHLY, MOSCOW, moscow(2027, 2, 28, 10, 0)) == 2
    assert period_index_at(anchor, MONTHLY, MOSCOW, moscow(2027, 3, 1, 0, 0)) == 2
    found = period_at(anchor, MONTHLY, MOSCOW, moscow(2027, 12, 31, 10, 0))
    assert (found.index, found.start, found.end) == (
        12,
        moscow(2027, 12, 31, 10, 0),
        moscow(2028, 1, 31, 10, 0),
    )
    with pytest.raises(ValueError):
        period_index_at(anchor, MONTHLY, MOSCOW, anchor - timedelta(seconds=1))


ZONES = st.sampled_from(["Europe/Moscow", "Europe/Berlin", "America/New_York", "Asia/Almaty"])
ANCHORS = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2060, 1, 1), timezones=st.just(UTC)
)


@settings(max_examples=200, deadline=None)
@given(anchor=ANCHORS, period=st.sampled_from(list(BillingPeriod)), zone=ZONES)
def test_periods_are_contiguous_increasing_and_never_drift(
    anchor: datetime, period: BillingPeriod, zone: str
) -> None:
    tz = ZoneInfo(zone)
    anchor_local = anchor.astimezone(tz)
    previous = nth_period(anchor, period, 1, zone)
    assert previous.start == anchor
    for index in range(2, 40):
        current = nth_period(anchor, period, index, zone)
        assert current.start == previous.end  # contiguous
        assert current.end > current.start  # strictly increasing
        end_local = current.end.astimezone(tz)
        # Never drifts: the anchor day (clamped to the month), the anchor month count.
        months = anchor_local.month - 1 + period.months * index
        assert (end_local.year, end_local.month) == (
            anchor_local.year + months // 12,
            months % 12 + 1,
        )
        last_day = calendar.monthrange(end_local.year, end_local.month)[1]
        assert end_local.day == min(anchor_local.day, last_day)
        assert period_index_at(anchor, period, zone, current.start) == index
        assert (
            period_index_at(anchor, period, zone, current.end - timedelta(microseconds=1)) == index
        )
        previous = current
