"""Statistics' configurable numbers, built by ``settings.stats_rules()``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StatsRules:
    #: The period of the system metrics when the client names none (days up to today, included).
    default_period_days: int
    #: The longest period one request may ask for (days).
    longest_period_days: int
    #: System metrics are kept in Redis this long; each Redis call is bounded by the timeout.
    cache_ttl_seconds: int
    cache_timeout_seconds: float
