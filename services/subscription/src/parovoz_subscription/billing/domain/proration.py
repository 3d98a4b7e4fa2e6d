"""Proration of a plan change (PRODUCT.md "Proration"): plain Python, no I/O.

An upgrade takes effect now and charges the price difference for the unused part of the current
period, to the second::

    charge = (new price - old price) * unused seconds / period seconds

The seconds are real UTC seconds of this period (a period holding a DST change is an hour shorter
or longer and counts as it is). The result is rounded to the kopeck towards the customer (down:
a fraction of a kopeck is never charged). It is never negative: a downgrade, or a change to a
cheaper price, charges nothing now and waits for the period end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class ChangeTiming(StrEnum):
    #: Charged and switched at once; the period end stays.
    NOW = "now"
    #: Scheduled for the period end; nothing is charged now.
    PERIOD_END = "period_end"


@dataclass(frozen=True, slots=True)
class Proration:
    """What a plan change costs now and when it applies."""

    amount_minor: int
    timing: ChangeTiming
    unused_seconds: int
    period_seconds: int


def _whole_seconds(start: datetime, end: datetime) -> int:
    delta = end - start
    # Exact integer arithmetic (no float): microseconds dropped towards zero.
    return delta.days * 86_400 + delta.seconds


def prorate(
    *,
    old_price_minor: int,
    new_price_minor: int,
    period_start: datetime,
    period_end: datetime,
    now: datetime,
    period_changes: bool = False,
) -> Proration:
    """The charge of switching from ``old_price_minor`` to ``new_price_minor`` per period at
    ``now`` inside [period_start, period_end).

    A dearer price (in the same billing period) is an upgrade: charged now for the unused
    seconds, rounded down to the kopeck. A cheaper or equal price, or a change of billing
    period (``period_changes``; the new period's price is not comparable second by second), is
    scheduled for the period end and charges 0.
    """
    if old_price_minor < 0 or new_price_minor < 0:
        raise ValueError("prices are never negative")
    if period_end <= period_start:
        raise ValueError("a period ends after it starts")
    period_seconds = _whole_seconds(period_start, period_end)
    clamped_now = min(max(now, period_start), period_end)
    unused_seconds = _whole_seconds(clamped_now, period_end)
    difference = new_price_minor - old_price_minor
    if period_changes or difference <= 0 or unused_seconds == 0:
        return Proration(0, ChangeTiming.PERIOD_END, unused_seconds, period_seconds)
    amount = difference * unused_seconds // period_seconds  # floor: towards the customer
    return Proration(amount, ChangeTiming.NOW, unused_seconds, period_seconds)
