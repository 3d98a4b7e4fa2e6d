"""Billing periods and their anchor (PRODUCT.md "Periods and anchors"): plain Python, no I/O.

A subscription's periods are counted from its anchor (the start of its first period) in the
subscriber's time zone: the n-th period ends on the anchor's local day and time ``n`` months,
quarters or years later, clamped to the last day of a shorter month and back to the anchor day
afterwards (anchored on 31 January: 29 February in a leap year, then 31 March, 30 April, 31 May).
Every boundary is computed from the anchor, never by adding a period to the previous boundary, so
a clamped month never drags the following ones (Kill Bill's bug: billing on the 30th for ever
after a 30-day month) and no month is skipped (its other bug: nothing after 31 March).

Daylight saving time: the local time of day stays the same across a change, so a period that
contains a change is an hour shorter or longer in real (UTC) seconds. A local boundary that does
not exist (the clocks jumped over it) is moved forward by the length of the jump (02:30 on a
spring-forward night that goes from 02:00 to 03:00 becomes 03:30); a local boundary that happens
twice (the clocks went back) is its first occurrence, the earlier instant. Both are Python's
``fold=0`` reading (PEP 495), so every boundary is deterministic.

Boundaries are returned as UTC instants.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from parovoz_subscription.subscriptions.domain import BillingPeriod


@dataclass(frozen=True, slots=True)
class Period:
    """The ``index``-th period of a subscription (index 1 is the first): [start, end) in UTC."""

    index: int
    start: datetime
    end: datetime


def _local_boundary(anchor_local: datetime, months: int, zone: ZoneInfo) -> datetime:
    """The anchor's local day and time ``months`` later, clamped to the month's last day."""
    month_number = anchor_local.month - 1 + months
    year = anchor_local.year + month_number // 12
    month = month_number % 12 + 1
    day = min(anchor_local.day, calendar.monthrange(year, month)[1])
    wall = anchor_local.replace(tzinfo=None, fold=0).replace(year=year, month=month, day=day)
    # fold=0: a wall time in a gap reads with the offset before the jump (moved forward by the
    # jump); a repeated wall time is its first occurrence.
    return wall.replace(tzinfo=zone, fold=0).astimezone(UTC)


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime (a UTC instant)")


def period_end(anchor_at: datetime, period: BillingPeriod, index: int, time_zone: str) -> datetime:
    """The end of the ``index``-th period counted from ``anchor_at`` (index 1 = the end of the
    first period; index 0 = the anchor itself), as a UTC instant."""
    _require_aware(anchor_at, "anchor_at")
    if index < 0:
        raise ValueError("index must not be negative")
    if index == 0:
        return anchor_at.astimezone(UTC)
    zone = ZoneInfo(time_zone)
    return _local_boundary(anchor_at.astimezone(zone), period.months * index, zone)


def period_start(
    anchor_at: datetime, period: BillingPeriod, index: int, time_zone: str
) -> datetime:
    """The start of the ``index``-th period (index >= 1): the end of the one before it."""
    if index < 1:
        raise ValueError("a period index starts at 1")
    return period_end(anchor_at, period, index - 1, time_zone)


def nth_period(anchor_at: datetime, period: BillingPeriod, index: int, time_zone: str) -> Period:
    """The ``index``-th period (index >= 1) with both of its boundaries."""
    return Period(
        index=index,
        start=period_start(anchor_at, period, index, time_zone),
        end=period_end(anchor_at, period, index, time_zone),
    )


def period_index_at(
    anchor_at: datetime, period: BillingPeriod, time_zone: str, at: datetime
) -> int:
    """The index of the period that contains ``at`` (start <= at < end); a boundary belongs to
    the period it starts. ``at`` before the anchor is refused."""
    _require_aware(at, "at")
    anchor = anchor_at.astimezone(UTC)
    if at < anchor:
        raise ValueError("at is before the anchor")
    zone = ZoneInfo(time_zone)
    anchor_local, at_local = anchor.astimezone(zone), at.astimezone(zone)
    months = (at_local.year - anchor_local.year) * 12 + at_local.month - anchor_local.month
    # A guess one period short at most (the local month difference), then walk forward.
    index = max(1, months // period.months)
    while index > 1 and period_end(anchor, period, index - 1, time_zone) > at:
        index -= 1
    while period_end(anchor, period, index, time_zone) <= at:
        index += 1
    return index


def period_at(anchor_at: datetime, period: BillingPeriod, time_zone: str, at: datetime) -> Period:
    """The period that contains ``at``."""
    return nth_period(
        anchor_at, period, period_index_at(anchor_at, period, time_zone, at), time_zone
    )


def next_period(
    anchor_at: datetime, period: BillingPeriod, time_zone: str, current_end: datetime
) -> Period:
    """The period that follows one ending at ``current_end``: it starts at ``current_end`` and
    ends at the first boundary of this anchor after it (for a ``current_end`` that is a boundary,
    exactly the next period counted from the anchor)."""
    following = period_at(anchor_at, period, time_zone, current_end)
    return Period(index=following.index, start=current_end.astimezone(UTC), end=following.end)
