"""Access's configurable numbers (PRODUCT.md "Access"), built by ``settings.access_rules()``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AccessRules:
    #: Devices a user may register when no plan of theirs says otherwise (PRODUCT.md: 3).
    default_device_limit: int
    #: How long a cached entry (a user's entitlements, a game's facts, a plan's catalog answer)
    #: lives in Redis at most: every change forgets it at once; this bounds what a lost
    #: forgetting (Redis unreachable at that moment) can cost. At most 5 minutes.
    cache_ttl_seconds: int
    #: How long one Redis call may take before access answers from PostgreSQL instead.
    cache_timeout_seconds: float
    #: After a Redis failure, how long the cache is not asked (PostgreSQL answers).
    cache_retry_after_seconds: float
    #: How long a hit is kept in the process (0: never); another replica's change is seen
    #: after at most this long, this process's own at once.
    cache_local_seconds: float
    #: The time zone a birthday is counted in (a user's age at the instant of the check).
    age_time_zone: str
