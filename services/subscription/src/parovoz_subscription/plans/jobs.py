"""Jobs of plans: none. A price change and a catalog removal take effect by their instants
(``plan_prices.existing_from``, ``plan_catalog.removal_effective_at``), read at the time of the
question, so nothing has to run when they arrive; a cached catalog answer carries its ``until``
(the removal, or the end of a new release's window) for the cache to honour."""

from __future__ import annotations

from collections.abc import Sequence

from parovoz_kit.infrastructure import Infrastructure
from parovoz_kit.jobs import PeriodicJob


def plan_jobs(infrastructure: Infrastructure) -> Sequence[PeriodicJob]:
    return []
