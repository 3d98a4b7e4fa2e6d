"""Jobs of plans: scheduled price changes and catalog removals taking effect."""

from __future__ import annotations

from collections.abc import Sequence

from parovoz_kit.infrastructure import Infrastructure
from parovoz_kit.jobs import PeriodicJob


def plan_jobs(infrastructure: Infrastructure) -> Sequence[PeriodicJob]:
    return []
