"""Live results of open windows in Redis (guarded: Redis down never fails a request).

``greenlight:v1:live:{window}`` is a hash of the window's counters (``domain.COUNTERS``), kept
for the rules' TTL after it was counted by PostgreSQL; every committed vote or change adds its
increments (HINCRBY) to it when it is there. ``…:{window}:seq`` counts the changes: a reader
that missed reads it with the hash, counts in PostgreSQL, and writes the hash back only when
no change came meanwhile (else the next reader counts again). Both are one Lua script each, so
an increment never lands between the check and the write. A counter drifting anyway (a change
committed before a rebuild's count but added after its write-back) lasts at most the TTL.

Every call is bounded by the rules' timeout; after a failure Redis is not asked for a few
seconds; errors are logged at most once a minute and counted.

An increment that failed (or was skipped while Redis was not asked) would leave the window's
hash short of the stored votes until it expired: instead the window is remembered as dirty,
and the next Redis call that is made drops its hash (and bumps its ``seq``, so a rebuild
counted before cannot write back) first — the next read counts it again in PostgreSQL.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from parovoz_kit.infrastructure import Infrastructure
from prometheus_client import Counter
from redis.asyncio import Redis

from parovoz_greenlight.voting.domain import COUNTERS
from parovoz_greenlight.voting.rules import VotingRules
from parovoz_greenlight.voting.service import CachedCounters

log = logging.getLogger(__name__)

PREFIX = "greenlight:v1:live:"
RETRY_AFTER_SECONDS = 5.0

LIVE_ERRORS = Counter(
    "parovoz_greenlight_live_cache_errors_total",
    "Redis calls of greenlight's live results that failed or timed out.",
    ["operation"],
)

#: KEYS: hash, seq. Answers [seq or false, flat hash].
_READ = """
return {redis.call('GET', KEYS[2]), redis.call('HGETALL', KEYS[1])}
"""
#: KEYS: hash, seq. ARGV: seq TTL, then name, increment pairs.
_ADD = """
redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 1 then
  for i = 2, #ARGV, 2 do redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
return 1
"""
#: KEYS: hash, seq pairs of dirty windows. ARGV: seq TTL.
_DROP = """
for i = 1, #KEYS, 2 do
  redis.call('DEL', KEYS[i])
  redis.call('INCR', KEYS[i + 1])
  redis.call('EXPIRE', KEYS[i + 1], ARGV[1])
end
return 1
"""
#: KEYS: hash, seq. ARGV: stamp ('' for none), TTL, then name, value pairs.
_WRITE_BACK = """
local seq = redis.call('GET', KEYS[2]) or ''
if seq ~= ARGV[1] or redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
"""


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class RedisLiveCounters:
    """``LiveCounters`` in Redis."""

    def __init__(
        self,
        redis: Redis,
        rules: VotingRules,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rules = rules
        self._read = redis.register_script(_READ)
        self._add = redis.register_script(_ADD)
        self._write_back = redis.register_script(_WRITE_BACK)
        self._drop = redis.register_script(_DROP)
        self._monotonic = monotonic
        self._skip_until = 0.0
        self._last_logged = 0.0
        #: Windows whose hash missed an increment (-> the failure's number): dropped by the next
        #: call made; a window failing again while its drop is under way stays dirty.
        self._dirty: dict[uuid.UUID, int] = {}
        self._failures = 0

    @staticmethod
    def _keys(window_id: uuid.UUID) -> list[str]:
        return [f"{PREFIX}{window_id}", f"{PREFIX}{window_id}:seq"]

    def _failed(self, operation: str, error: BaseException) -> None:
        LIVE_ERRORS.labels(operation).inc()
        now = self._monotonic()
        self._skip_until = now + RETRY_AFTER_SECONDS
        if now - self._last_logged >= 60:
            self._last_logged = now
            log.warning(
                "live results cache unavailable; counting in PostgreSQL",
                extra={"operation": operation, "error": type(error).__name__},
            )

    def _skipping(self) -> bool:
        return self._monotonic() < self._skip_until

    async def _call(self, operation: str, script: Any, keys: list[str], args: list[Any]) -> Any:
        if self._skipping():
            return None
        try:
            async with asyncio.timeout(self._rules.live_cache_timeout_seconds):
                if self._dirty:
                    await self._drop_dirty()
                return await script(keys=keys, args=args)
        except Exception as error:  # any Redis failure: PostgreSQL answers
            self._failed(operation, error)
            return None

    async def _drop_dirty(self) -> None:
        dirty = dict(self._dirty)
        keys = [key for window_id in dirty for key in self._keys(window_id)]
        await self._drop(keys=keys, args=[self._seq_ttl()])
        for window_id, failure in dirty.items():
            if self._dirty.get(window_id) == failure:
                del self._dirty[window_id]

    def _seq_ttl(self) -> int:
        return max(self._rules.live_cache_ttl_seconds * 10, 86_400)

    async def read(self, window_id: uuid.UUID) -> CachedCounters | None:
        answer = await self._call("read", self._read, self._keys(window_id), [])
        if answer is None:
            return None
        seq, flat = answer[0], answer[1] or []
        stamp = "" if seq is None or seq is False else _text(seq)
        kept = {_text(flat[i]): int(flat[i + 1]) for i in range(0, len(flat), 2)}
        if not kept or any(name not in kept for name in COUNTERS):
            return CachedCounters(stamp, None)
        return CachedCounters(stamp, {name: kept[name] for name in COUNTERS})

    async def write_back(
        self, window_id: uuid.UUID, counters: Mapping[str, int], stamp: object
    ) -> None:
        args: list[Any] = [str(stamp), self._rules.live_cache_ttl_seconds]
        for name in COUNTERS:
            args += [name, int(counters.get(name, 0))]
        await self._call("write_back", self._write_back, self._keys(window_id), args)

    async def add(self, window_id: uuid.UUID, increments: Mapping[str, int]) -> None:
        args: list[Any] = [self._seq_ttl()]
        for name, value in increments.items():
            args += [name, int(value)]
        if await self._call("add", self._add, self._keys(window_id), args) is None:
            self._failures += 1  # failed or skipped: its hash is short now
            self._dirty[window_id] = self._failures


def live_counters(infrastructure: Infrastructure) -> RedisLiveCounters:
    settings: Any = infrastructure.settings
    rules = settings.voting_rules()
    return infrastructure.shared(
        "voting-live-counters", lambda: RedisLiveCounters(infrastructure.redis, rules)
    )
