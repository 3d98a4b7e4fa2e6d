"""The voter facts kept in process (``CachedVoters``): asked once within the TTL, asked again
after it (a block reaches eligibility), never kept when unknown or when the service failed, a
pass-through at TTL 0."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from parovoz_greenlight.settings import GreenlightSettings
from parovoz_greenlight.voting import service
from parovoz_greenlight.voting.domain import IneligibleReason, VoterFacts
from parovoz_greenlight.voting.users import CachedVoters
from parovoz_kit.clock import ManualClock
from parovoz_kit.errors import Unavailable

RULES = GreenlightSettings(environment="test").voting_rules()
NOW = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)
TTL = RULES.voter_facts_ttl


class CountingVoters:
    def __init__(self) -> None:
        self.profiles: dict[uuid.UUID, VoterFacts] = {}
        self.asked = 0
        self.down = False

    async def facts(self, user_id: uuid.UUID) -> VoterFacts | None:
        self.asked += 1
        if self.down:
            raise Unavailable("down", code="USER_SERVICE_UNAVAILABLE")
        return self.profiles.get(user_id)

    def add(self, *, blocked: bool = False) -> uuid.UUID:
        user_id = uuid.uuid4()
        self.profiles[user_id] = VoterFacts(NOW - timedelta(days=365), 2, blocked)
        return user_id


def ports(voters: CachedVoters) -> service.VotingPorts:
    return service.VotingPorts(voters, service.NoPenalties(), None)  # type: ignore[arg-type]


def test_the_default_keeps_facts_thirty_seconds() -> None:
    assert TTL == timedelta(seconds=30)
    assert GreenlightSettings(
        environment="test", voting_voter_facts_ttl_seconds=0
    ).voting_rules().voter_facts_ttl == timedelta(0)


async def test_a_user_blocked_is_refused_once_the_ttl_has_passed() -> None:
    inner, clock = CountingVoters(), ManualClock(NOW)
    cached = CachedVoters(inner, ttl=TTL, clock=clock)
    user = inner.add()
    assert (await service.check_eligibility(ports(cached), user, clock.now(), RULES)).eligible
    inner.profiles[user] = dataclasses.replace(inner.profiles[user], blocked=True)
    clock.advance(TTL - timedelta(seconds=1))
    # Within the TTL the kept answer stands, and the service is not asked again ...
    assert (await service.check_eligibility(ports(cached), user, clock.now(), RULES)).eligible
    assert inner.asked == 1
    clock.advance(timedelta(seconds=1))
    # ... from the TTL on, the block is seen.
    answer = await service.check_eligibility(ports(cached), user, clock.now(), RULES)
    assert not answer.eligible and IneligibleReason.ACCOUNT_BLOCKED in answer.reasons
    assert inner.asked == 2


async def test_unknown_users_and_failures_are_not_kept() -> None:
    inner, clock = CountingVoters(), ManualClock(NOW)
    cached = CachedVoters(inner, ttl=TTL, clock=clock)
    stranger = uuid.uuid4()
    assert await cached.facts(stranger) is None
    inner.add()
    inner.profiles[stranger] = VoterFacts(NOW - timedelta(days=365), 2, False)
    assert await cached.facts(stranger) == inner.profiles[stranger]  # known now: asked again
    assert inner.asked == 2
    other = inner.add()
    inner.down = True
    with pytest.raises(Unavailable):
        await cached.facts(other)
    inner.down = False
    assert await cached.facts(other) == inner.profiles[other]
    assert inner.asked == 4


async def test_ttl_zero_asks_every_time_and_a_clock_moved_back_asks_again() -> None:
    inner, clock = CountingVoters(), ManualClock(NOW)
    user = inner.add()
    passing = CachedVoters(inner, ttl=timedelta(0), clock=clock)
    for _ in range(3):
        await passing.facts(user)
    assert inner.asked == 3
    cached = CachedVoters(inner, ttl=TTL, clock=clock)
    await cached.facts(user)
    await cached.facts(user)
    assert inner.asked == 4
    clock.advance(-timedelta(seconds=1))  # stamped in the clock's future: not trusted
    await cached.facts(user)
    assert inner.asked == 5


async def test_at_most_max_kept_users_are_kept() -> None:
    inner, clock = CountingVoters(), ManualClock(NOW)
    cached = CachedVoters(inner, ttl=TTL, clock=clock, max_kept=2)
    first, second, third = inner.add(), inner.add(), inner.add()
    for user in (first, second, third):
        await cached.facts(user)
    await cached.facts(third)
    await cached.facts(second)
    assert inner.asked == 3
    await cached.facts(first)  # the oldest went when the third came
    assert inner.asked == 4
