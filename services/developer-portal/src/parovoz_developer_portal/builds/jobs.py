"""builds' leased jobs: the verification worker (size and SHA-256 of stored builds)."""

from __future__ import annotations

from collections.abc import Sequence

from parovoz_kit.infrastructure import Infrastructure
from parovoz_kit.jobs import PeriodicJob


def build_jobs(infrastructure: Infrastructure) -> Sequence[PeriodicJob]:
    return []
