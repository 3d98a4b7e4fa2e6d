"""Voting's configurable numbers (PRODUCT.md "Greenlight": eligibility, weights), built by
``settings.voting_rules()``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class VotingRules:
    #: A voter's account must be OLDER than this (exactly this old is not yet enough).
    min_account_age: timedelta
    #: A voter must have bought at least this many games.
    min_purchases: int
    #: A vote's weight in tenths (10 = 1.0), and when the voter played the demo (15 = 1.5).
    base_weight_tenths: int
    demo_weight_tenths: int
    #: How long the user service is waited for.
    user_service_timeout_seconds: float
    #: A voter's facts are kept in process this long after the user service gave them (zero:
    #: not kept); a user blocked longer ago than this is refused.
    voter_facts_ttl: timedelta
    #: Live results kept in Redis this long after their last rebuild; each Redis call bounded.
    live_cache_ttl_seconds: int
    live_cache_timeout_seconds: float
    #: The live rate limit (PRODUCT.md: 30 votes a user within any hour): a new vote beyond it is
    #: refused. The same numbers as integrity's audit rule (one setting, two readers).
    rate_limit_votes: int
    rate_period: timedelta
    #: Receipts a page (GET /votes/mine).
    default_page_size: int
    max_page_size: int
