"""Pricing's configurable numbers (discounts and promo periods), built in settings.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class DiscountRules:
    #: The deepest discount a developer may set, in whole percent (the shallowest is 1).
    max_percent: int
    #: The longest promo period.
    max_duration: timedelta
    #: How far ahead a promo period may start.
    max_lead_time: timedelta
    #: How many discounts of one game may be active or scheduled at once.
    max_upcoming: int
