"""The fraud rules' counters in Redis: sliding windows on the service clock.

- failures of a card: a sorted set, member = our payment id, score = when (clock seconds), so a
  notification delivered twice counts once and entries older than the window drop out;
- cards of a user: a sorted set, member = card fingerprint, score = last seen;
- a card's lock: a key holding the lock's end (clock seconds);
- a saved method's card: the fingerprint last reported for it (a saved method is the only card
  known before a payment reaches the provider).

Windows are judged by the service clock (tests move it, nothing sleeps); every key also gets a
Redis TTL of its window, so forgotten keys go away by themselves.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis

_PREFIX = "payment:fraud"
#: How long a saved method's card is remembered after it was last reported.
SAVED_METHOD_CARD_TTL = timedelta(days=30)


def _seconds(moment: datetime) -> float:
    return moment.timestamp()


def _ttl(window: timedelta) -> int:
    return max(1, int(window.total_seconds()))


class FraudCounters:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def record_card_failure(
        self, card: str, payment_id: uuid.UUID, now: datetime, window: timedelta
    ) -> int | None:
        """Count one failed payment with ``card``: the failures inside the window after it, or
        None when this payment's failure was already counted (a duplicated report)."""
        key = f"{_PREFIX}:card-failures:{card}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zadd(key, {str(payment_id): _seconds(now)})
            pipe.zremrangebyscore(key, "-inf", f"({_seconds(now - window)}")
            pipe.zcard(key)
            pipe.expire(key, _ttl(window))
            answers = await pipe.execute()
        return int(answers[2]) if answers[0] else None

    async def lock_card(self, card: str, until: datetime, now: datetime) -> None:
        await self._redis.set(
            f"{_PREFIX}:card-lock:{card}", str(_seconds(until)), ex=_ttl(until - now)
        )

    async def card_locked_until(self, card: str) -> datetime | None:
        raw = await self._redis.get(f"{_PREFIX}:card-lock:{card}")
        return None if raw is None else datetime.fromtimestamp(float(raw), UTC)

    async def record_user_card(
        self, user_id: uuid.UUID, card: str, now: datetime, window: timedelta
    ) -> None:
        key = f"{_PREFIX}:user-cards:{user_id}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zadd(key, {card: _seconds(now)})
            pipe.expire(key, _ttl(window))
            await pipe.execute()

    async def user_cards(self, user_id: uuid.UUID, now: datetime, window: timedelta) -> set[str]:
        """The user's distinct cards seen inside the window ending ``now``."""
        members = await self._redis.zrangebyscore(
            f"{_PREFIX}:user-cards:{user_id}", _seconds(now - window), _seconds(now)
        )
        return {m.decode() if isinstance(m, bytes) else str(m) for m in members}

    async def remember_saved_method_card(self, saved_method_id: uuid.UUID, card: str) -> None:
        await self._redis.set(
            f"{_PREFIX}:method-card:{saved_method_id}", card, ex=_ttl(SAVED_METHOD_CARD_TTL)
        )

    async def saved_method_card(self, saved_method_id: uuid.UUID) -> str | None:
        raw = await self._redis.get(f"{_PREFIX}:method-card:{saved_method_id}")
        return None if raw is None else (raw.decode() if isinstance(raw, bytes) else str(raw))
