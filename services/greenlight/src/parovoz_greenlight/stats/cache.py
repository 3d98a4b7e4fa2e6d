"""System metrics' figures in Redis (guarded: Redis down never fails a request).

``greenlight:v1:stats:{from}:{to}`` holds the counted figures of a period and when they were
counted (JSON), for the rules' TTL. Every call is bounded by the rules' timeout; after a failure
Redis is not asked for a few seconds (PostgreSQL counts); errors are logged at most once a
minute and counted. The use case also refuses a cached count older than the TTL by the clock.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import time
from datetime import datetime
from typing import Any

from parovoz_kit.infrastructure import Infrastructure
from prometheus_client import Counter
from redis.asyncio import Redis

from parovoz_greenlight.stats.domain import Period, SystemFigures
from parovoz_greenlight.stats.rules import StatsRules
from parovoz_greenlight.stats.service import CachedFigures

log = logging.getLogger(__name__)

PREFIX = "greenlight:v1:stats:"
RETRY_AFTER_SECONDS = 5.0
_FIELDS = tuple(field.name for field in dataclasses.fields(SystemFigures))

STATS_CACHE_ERRORS = Counter(
    "parovoz_greenlight_stats_cache_errors_total",
    "Redis calls of greenlight's system metrics that failed or timed out.",
    ["operation"],
)


def cache_key(period: Period) -> str:
    return f"{PREFIX}{period.starts.isoformat()}:{period.ends.isoformat()}"


def _encoded(cached: CachedFigures) -> str:
    return json.dumps({"as_of": cached.as_of.isoformat(), **dataclasses.asdict(cached.figures)})


def _decoded(raw: Any) -> CachedFigures | None:
    try:
        values = json.loads(raw)
        figures = SystemFigures(**{name: int(values[name]) for name in _FIELDS})
        as_of = datetime.fromisoformat(values["as_of"])
    except (ValueError, TypeError, KeyError):
        return None  # an entry of another shape: counted again, then overwritten
    return CachedFigures(figures, as_of) if as_of.tzinfo is not None else None


class RedisMetricsCache:
    """``MetricsCache`` in Redis."""

    def __init__(self, redis: Redis, rules: StatsRules) -> None:
        self._redis = redis
        self._rules = rules
        self._skip_until = 0.0
        self._last_logged = 0.0

    def _failed(self, operation: str, error: BaseException) -> None:
        STATS_CACHE_ERRORS.labels(operation).inc()
        now = time.monotonic()
        self._skip_until = now + RETRY_AFTER_SECONDS
        if now - self._last_logged >= 60:
            self._last_logged = now
            log.warning(
                "system metrics cache unavailable; counting in PostgreSQL",
                extra={"operation": operation, "error": type(error).__name__},
            )

    async def read(self, period: Period) -> CachedFigures | None:
        if time.monotonic() < self._skip_until:
            return None
        try:
            async with asyncio.timeout(self._rules.cache_timeout_seconds):
                raw = await self._redis.get(cache_key(period))
        except Exception as error:  # any Redis failure: PostgreSQL answers
            self._failed("read", error)
            return None
        return None if raw is None else _decoded(raw)

    async def write(self, period: Period, cached: CachedFigures) -> None:
        if time.monotonic() < self._skip_until:
            return
        try:
            async with asyncio.timeout(self._rules.cache_timeout_seconds):
                await self._redis.set(
                    cache_key(period), _encoded(cached), ex=self._rules.cache_ttl_seconds
                )
        except Exception as error:  # the answer stands without the cache
            self._failed("write", error)


def metrics_cache(infrastructure: Infrastructure) -> RedisMetricsCache:
    settings: Any = infrastructure.settings
    rules = settings.stats_rules()
    return infrastructure.shared(
        "stats-metrics-cache", lambda: RedisMetricsCache(infrastructure.redis, rules)
    )
