"""Integrity's configurable numbers (PRODUCT.md "Greenlight": "Anti-manipulation",
"Coordinated voting"), built by ``settings.integrity_rules()``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class IntegrityRules:
    #: Rate limit: a user's votes beyond this many within any ``rate_period`` are flagged.
    rate_limit_votes: int
    rate_period: timedelta
    #: Burst: MORE than this many suspicious votes on one submission within ``burst_period``.
    burst_votes: int
    burst_period: timedelta
    #: An account younger than this is "young" for the burst rule.
    young_account_age: timedelta
    #: Lockstep: two accounts with at least ``lockstep_min_shared`` same-choice votes on the same
    #: submissions, each pair of votes cast within ``lockstep_period`` of each other.
    lockstep_min_shared: int
    lockstep_period: timedelta
