"""Leased jobs of billing: renewals (and trial conversions), dunning retries, suspension and
expiry, upcoming-renewal notices."""

from __future__ import annotations

from collections.abc import Sequence

from parovoz_kit.infrastructure import Infrastructure
from parovoz_kit.jobs import PeriodicJob


def billing_jobs(infrastructure: Infrastructure) -> Sequence[PeriodicJob]:
    return []
