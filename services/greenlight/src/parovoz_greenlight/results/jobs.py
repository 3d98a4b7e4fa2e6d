"""Leased jobs of results: close voting windows, end the 24-hour audit, finalize."""

from __future__ import annotations

from collections.abc import Sequence

from parovoz_kit.infrastructure import Infrastructure
from parovoz_kit.jobs import PeriodicJob


def results_jobs(infrastructure: Infrastructure) -> Sequence[PeriodicJob]:
    return []
