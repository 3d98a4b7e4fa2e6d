"""The cache of access's inputs in Redis (owned by access).

What is cached is what is expensive to read, each under its own key, each for at most the
rules' TTL (5 minutes):

- ``access:v1:u:{user}:{gen}``: the user's entitlements (their subscriptions reduced to id,
  plan, type, status and access end; one ended one for the reason), region, birth date and
  registered device ids — prefixed by the ids of the plans whose terms a decision needs;
- ``access:v1:g:{game}:{gen}``: the game's facts (published, regions, minimum age), or ``-``
  for a game nobody knows (404);
- ``access:v1:p:{plan}:{gen}``: the plan's regions and device limit;
- ``access:v1:c:{plan}:{gen}:{game}:{gen}``: the plan's catalog answer for the game.

``{gen}`` is the generation of the user, game or plan: ``access:v1:gen:{u|g|p}:{id}``, a
counter (no TTL) that ``invalidate`` increments. Forgetting is therefore exact and O(1) (a
plan change reaches every catalog answer of the plan, a game event every plan's answer for the
game) and race-free: a reader that missed reads the generations BEFORE it reads PostgreSQL
and stores under them, so an entry built from data older than a commit is stored under the
generation that commit's invalidation has already left behind, and nobody reads it. Entries
of old generations simply expire.

A hit is ONE round trip: a Lua script reads the generations, the user's and the game's
entries, then the entries of the user's plans. A registration of a device is never answered
here (the database counts under the user's lock); a known device is in the user's entry.

Redis being down, slow or wrong never fails a request: every call is bounded by the rules'
timeout (reads) or the client's socket timeouts (``invalidate``, which runs after a commit),
every error is swallowed, logged at most once a minute and counted
(``parovoz_access_cache_errors_total``); the answers then come from PostgreSQL.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Collection, Hashable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from prometheus_client import Counter
from redis.asyncio import Redis

from parovoz_subscription.access.domain import (
    GameTerms,
    HeldEntitlement,
    PlanTerms,
    UserTerms,
)
from parovoz_subscription.access.rules import AccessRules
from parovoz_subscription.access.service import CacheLookup, UserEntry
from parovoz_subscription.subscriptions.domain import PlanType, SubscriptionStatus

log = logging.getLogger(__name__)

PREFIX = "access:v1:"
_UNKNOWN_GAME = b"-"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

CACHE_ERRORS = Counter(
    "parovoz_access_cache_errors_total",
    "Redis calls of the access cache that failed or timed out (answered from PostgreSQL).",
    ["operation"],
)
CACHE_LOOKUPS = Counter(
    "parovoz_access_cache_lookups_total",
    "Access decisions by where their inputs came from.",
    ["result"],
)
_HIT = CACHE_LOOKUPS.labels("hit")
_LOCAL = CACHE_LOOKUPS.labels("local")
_MISS = CACHE_LOOKUPS.labels("miss")
_ERROR = CACHE_LOOKUPS.labels("error")
#: The in-process memo holds at most this many (user, game) hits; then it starts afresh.
LOCAL_LIMIT = 100_000

#: ARGV: prefix, user id, game id. Answers [user gen, game gen, user entry, game entry] and,
#: when the user's entry is there, [plan id, plan gen, plan entry, catalog entry] per plan.
_LOOKUP = """
local P, u, g = ARGV[1], ARGV[2], ARGV[3]
local ug = redis.call('GET', P .. 'gen:u:' .. u) or '0'
local gg = redis.call('GET', P .. 'gen:g:' .. g) or '0'
local ue = redis.call('GET', P .. 'u:' .. u .. ':' .. ug)
local ge = redis.call('GET', P .. 'g:' .. g .. ':' .. gg)
local out = {ug, gg, ue, ge}
if not ue then return out end
local bar = string.find(ue, '|', 1, true)
if not bar then return out end
for p in string.gmatch(string.sub(ue, 1, bar - 1), '[^,]+') do
  local pg = redis.call('GET', P .. 'gen:p:' .. p) or '0'
  out[#out + 1] = p
  out[#out + 1] = pg
  out[#out + 1] = redis.call('GET', P .. 'p:' .. p .. ':' .. pg)
  out[#out + 1] = redis.call('GET', P .. 'c:' .. p .. ':' .. pg .. ':' .. g .. ':' .. gg)
end
return out
"""


def _micros(moment: datetime | None) -> int | None:
    if moment is None:
        return None
    return (moment - _EPOCH) // timedelta(microseconds=1)


def _instant(micros: int | None) -> datetime | None:
    return None if micros is None else _EPOCH + timedelta(microseconds=micros)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


# --- encoding ---------------------------------------------------------------------------------
def encode_user(entry: UserEntry) -> bytes:
    body = {
        "h": [
            [str(h.id), str(h.plan_id), h.plan_type.value, h.status.value, _micros(h.until)]
            for h in entry.held
        ],
        "r": entry.terms.region,
        "b": entry.terms.birth_date.isoformat() if entry.terms.birth_date else None,
        "d": sorted(entry.devices),
    }
    plans = ",".join(str(plan_id) for plan_id in entry.plan_ids)
    return f"{plans}|{json.dumps(body, separators=(',', ':'))}".encode()


def decode_user(raw: bytes) -> UserEntry:
    plans, _, body_text = raw.partition(b"|")
    body = json.loads(body_text)
    birth = body["b"]
    return UserEntry(
        held=tuple(
            HeldEntitlement(
                uuid.UUID(h[0]),
                uuid.UUID(h[1]),
                PlanType(h[2]),
                SubscriptionStatus(h[3]),
                _instant(h[4]),
            )
            for h in body["h"]
        ),
        terms=UserTerms(body["r"], date.fromisoformat(birth) if birth else None),
        devices=frozenset(body["d"]),
        plan_ids=tuple(uuid.UUID(p.decode()) for p in plans.split(b",") if p),
    )


def encode_game(game: GameTerms | None) -> bytes:
    if game is None:
        return _UNKNOWN_GAME
    body = {"p": game.published, "r": sorted(game.regions), "a": game.minimum_age}
    return json.dumps(body, separators=(",", ":")).encode()


def decode_game(raw: bytes) -> GameTerms | None:
    if raw == _UNKNOWN_GAME:
        return None
    body = json.loads(raw)
    return GameTerms(bool(body["p"]), frozenset(body["r"]), int(body["a"]))


def encode_plan(terms: PlanTerms) -> bytes:
    return json.dumps(
        {"r": sorted(terms.regions), "m": terms.max_devices}, separators=(",", ":")
    ).encode()


def encode_catalog(terms: PlanTerms) -> bytes:
    until = _micros(terms.until)
    return f"{int(terms.included)}:{'' if until is None else until}".encode()


def decode_plan(plan_id: uuid.UUID, plan_raw: bytes, catalog_raw: bytes) -> PlanTerms:
    body = json.loads(plan_raw)
    included, _, until = catalog_raw.partition(b":")
    return PlanTerms(
        plan_id,
        included == b"1",
        _instant(int(until)) if until else None,
        frozenset(body["r"]),
        int(body["m"]),
    )


class AccessCache:
    """Redis behind a short in-process memo of hits (``rules.cache_local_seconds``; forgotten
    whole by every ``invalidate`` of this process, so a change made here is seen at once and
    one made by another replica within that time). After a Redis failure the cache is not
    asked for ``rules.cache_retry_after_seconds`` (a hung Redis costs one timeout, not one
    per request)."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._lookup = redis.register_script(_LOOKUP)
        self._last_logged = 0.0
        self._skip_until = 0.0
        self._local: dict[tuple[uuid.UUID, uuid.UUID], tuple[float, CacheLookup]] = {}
        self._answers: dict[Hashable, tuple[datetime, object]] = {}
        #: Moves on with every ``invalidate`` of this process: an answer computed before it
        #: is not remembered after it.
        self.epoch = 0

    def _failed(self, operation: str, error: BaseException, rules: AccessRules | None) -> None:
        CACHE_ERRORS.labels(operation).inc()
        now = time.monotonic()
        if rules is not None:
            self._skip_until = now + rules.cache_retry_after_seconds
        if now - self._last_logged >= 60:
            self._last_logged = now
            log.warning(
                "access cache unavailable; answering from PostgreSQL",
                extra={"operation": operation, "error": type(error).__name__},
            )

    def recall(self, key: Hashable, now: datetime) -> object | None:
        """A whole answer remembered in this process (see :meth:`remember`), if still valid."""
        memo = self._answers.get(key)
        if memo is None:
            return None
        if now < memo[0]:
            _LOCAL.inc()
            return memo[1]
        del self._answers[key]
        return None

    def remember(self, key: Hashable, answer: object, valid_until: datetime, epoch: int) -> None:
        """Keep ``answer`` until ``valid_until`` unless this process forgot something since
        ``epoch`` (then it may be stale already)."""
        if epoch != self.epoch:
            return
        if len(self._answers) >= LOCAL_LIMIT:
            self._answers.clear()
        self._answers[key] = (valid_until, answer)

    def _skipping(self) -> bool:
        return self._skip_until > 0 and time.monotonic() < self._skip_until

    async def lookup(
        self, user_id: uuid.UUID, game_id: uuid.UUID, rules: AccessRules
    ) -> CacheLookup | None:
        """What the cache holds for this user and game (with the generations a miss stores
        under); None when Redis cannot answer."""
        key = (user_id, game_id)
        memo = self._local.get(key)
        if memo is not None:
            if memo[0] > time.monotonic():
                _LOCAL.inc()
                return memo[1]
            del self._local[key]
        if self._skipping():
            _ERROR.inc()
            return None
        epoch = self.epoch
        try:
            async with asyncio.timeout(rules.cache_timeout_seconds):
                answer = await self._lookup(args=[PREFIX, str(user_id), str(game_id)])
        except Exception as error:  # any Redis failure: PostgreSQL answers
            self._failed("lookup", error, rules)
            _ERROR.inc()
            return None
        try:
            found = self._decoded(answer)
        except Exception as error:  # an unreadable entry is a miss
            self._failed("decode", error, None)
            _MISS.inc()
            return CacheLookup(user_generation=answer[0], game_generation=answer[1])
        if found.hit and rules.cache_local_seconds > 0 and epoch == self.epoch:
            if len(self._local) >= LOCAL_LIMIT:
                self._local.clear()
            self._local[key] = (time.monotonic() + rules.cache_local_seconds, found)
        return found

    def _decoded(self, answer: list[Any]) -> CacheLookup:
        user_raw, game_raw = answer[2], answer[3]
        found = CacheLookup(user_generation=answer[0], game_generation=answer[1])
        if game_raw is not None:
            found.game_cached = True
            found.game = decode_game(game_raw)
        if user_raw is None:
            _MISS.inc()
            return found
        found.user = decode_user(user_raw)
        plans: dict[uuid.UUID, PlanTerms] = {}
        complete = True
        for index in range(4, len(answer), 4):
            plan_id = uuid.UUID(_text(answer[index]))
            found.plan_generations[plan_id] = answer[index + 1]
            plan_raw, catalog_raw = answer[index + 2], answer[index + 3]
            if plan_raw is None or catalog_raw is None:
                complete = False
            else:
                plans[plan_id] = decode_plan(plan_id, plan_raw, catalog_raw)
        if complete:
            found.plans = plans
        (_HIT if found.hit else _MISS).inc()
        return found

    async def stamp_plans(
        self, lookup: CacheLookup, plan_ids: Collection[uuid.UUID], rules: AccessRules
    ) -> None:
        """Read the plans' generations into ``lookup`` (before their data is read)."""
        wanted = [plan_id for plan_id in plan_ids if plan_id not in lookup.plan_generations]
        if not wanted or self._skipping():
            return
        try:
            async with asyncio.timeout(rules.cache_timeout_seconds):
                values = await self._redis.mget([f"{PREFIX}gen:p:{p}" for p in wanted])
        except Exception as error:
            self._failed("stamp", error, rules)
            return
        for plan_id, value in zip(wanted, values, strict=True):
            lookup.plan_generations[plan_id] = value if value is not None else b"0"

    async def store(
        self,
        lookup: CacheLookup,
        user_id: uuid.UUID,
        game_id: uuid.UUID,
        *,
        user: UserEntry | None,
        game: GameTerms | None,
        plans: Mapping[uuid.UUID, PlanTerms],
        rules: AccessRules,
    ) -> None:
        """Store what a miss read from PostgreSQL, under the generations ``lookup`` read before
        (``user`` None: leave the user's entry out)."""
        if self._skipping():
            return
        ttl_seconds = rules.cache_ttl_seconds
        user_gen, game_gen = _text(lookup.user_generation), _text(lookup.game_generation)
        try:
            async with asyncio.timeout(rules.cache_timeout_seconds):
                async with self._redis.pipeline(transaction=False) as pipe:
                    pipe.set(f"{PREFIX}g:{game_id}:{game_gen}", encode_game(game), ex=ttl_seconds)
                    if user is not None:
                        pipe.set(
                            f"{PREFIX}u:{user_id}:{user_gen}", encode_user(user), ex=ttl_seconds
                        )
                    for plan_id, terms in plans.items():
                        stamp = lookup.plan_generations.get(plan_id)
                        if stamp is None:
                            continue
                        plan_gen = _text(stamp)
                        pipe.set(
                            f"{PREFIX}p:{plan_id}:{plan_gen}", encode_plan(terms), ex=ttl_seconds
                        )
                        pipe.set(
                            f"{PREFIX}c:{plan_id}:{plan_gen}:{game_id}:{game_gen}",
                            encode_catalog(terms),
                            ex=ttl_seconds,
                        )
                    await pipe.execute()
        except Exception as error:
            self._failed("store", error, rules)

    async def invalidate(
        self,
        *,
        users: Collection[uuid.UUID] = (),
        plans: Collection[uuid.UUID] = (),
        games: Collection[uuid.UUID] = (),
    ) -> None:
        """Forget every cached answer that depends on these users, plans or games: their
        generations move on, so no entry stored before is read again (and this process's memo
        starts afresh)."""
        self._forget_locally()
        keys = [
            *(f"{PREFIX}gen:u:{user_id}" for user_id in users),
            *(f"{PREFIX}gen:p:{plan_id}" for plan_id in plans),
            *(f"{PREFIX}gen:g:{game_id}" for game_id in games),
        ]
        if not keys:
            return
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.incr(key)
                await pipe.execute()
        except Exception as error:  # the TTL bounds what is lost
            self._failed("invalidate", error, None)
        # Again: a lookup that read Redis before the generations moved may have been
        # remembered meanwhile.
        self._forget_locally()

    def _forget_locally(self) -> None:
        self.epoch += 1
        self._local.clear()
        self._answers.clear()
