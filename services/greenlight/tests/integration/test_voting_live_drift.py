"""Live counters with the real Redis: an increment that failed (or was skipped while Redis was
not asked) never leaves a window's hash short — the next Redis call made drops it, so the next
read counts the window again in PostgreSQL, and a rebuild counted before cannot write back."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from parovoz_greenlight.settings import GreenlightSettings
from parovoz_greenlight.voting.domain import COUNTERS
from parovoz_greenlight.voting.live import RETRY_AFTER_SECONDS, RedisLiveCounters
from parovoz_kit.infrastructure import Infrastructure

RULES = GreenlightSettings(environment="test").voting_rules()
ZERO = dict.fromkeys(COUNTERS, 0)
ONE_YES = {"yes": 1, "weighted_yes": 10, "scored": 1}


class Monotonic:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


async def failing_script(**_: Any) -> Any:
    raise TimeoutError("redis too slow")


async def kept(live: RedisLiveCounters, window_id: uuid.UUID) -> dict[str, int]:
    """Counters counted (here: zeros) and written back as a reader that missed does."""
    missed = await live.read(window_id)
    assert missed is not None and missed.counters is None
    await live.write_back(window_id, ZERO, missed.stamp)
    found = await live.read(window_id)
    assert found is not None and found.counters is not None
    return dict(found.counters)


async def test_a_lost_increment_makes_the_next_read_count_again(
    infrastructure: Infrastructure, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Monotonic()
    live = RedisLiveCounters(infrastructure.redis, RULES, monotonic=clock)
    window, other, untouched = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    for window_id in (window, other, untouched):
        assert await kept(live, window_id) == ZERO
    await live.add(window, ONE_YES)  # a working increment lands
    found = await live.read(window)
    assert found is not None and found.counters is not None and found.counters["yes"] == 1

    with monkeypatch.context() as patched:
        patched.setattr(live, "_add", failing_script)
        await live.add(window, ONE_YES)  # times out: the hash is one vote short now
    assert await live.read(window) is None  # Redis not asked for a while: PostgreSQL answers
    await live.add(other, ONE_YES)  # skipped meanwhile: short too
    clock.now += RETRY_AFTER_SECONDS

    for window_id in (window, other):
        again = await live.read(window_id)
        assert again is not None and again.counters is None  # dropped: counted again
    still = await live.read(untouched)
    assert still is not None and still.counters == ZERO  # the others stay kept


async def test_a_rebuild_counted_before_the_drop_is_not_written_back(
    infrastructure: Infrastructure, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Monotonic()
    live = RedisLiveCounters(infrastructure.redis, RULES, monotonic=clock)
    window = uuid.uuid4()
    stale = await live.read(window)  # a reader missed and counts in PostgreSQL ...
    assert stale is not None and stale.counters is None
    with monkeypatch.context() as patched:
        patched.setattr(live, "_add", failing_script)
        await live.add(window, ONE_YES)  # ... while a vote's increment is lost
    clock.now += RETRY_AFTER_SECONDS
    await live.write_back(window, ZERO, stale.stamp)  # its count may miss that vote: refused
    after = await live.read(window)
    assert after is not None and after.counters is None
    assert await kept(live, window) == ZERO  # a fresh count is kept again
