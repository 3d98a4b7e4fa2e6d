"""Voting's use cases over in-memory fakes: who may vote where, duplicates, changes, receipts,
live results from the cache, from the database on a miss, and with the cache down."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from parovoz_greenlight.results.domain import Window, WindowStatus
from parovoz_greenlight.settings import GreenlightSettings
from parovoz_greenlight.submissions.domain import Submission, SubmissionStatus
from parovoz_greenlight.voting import service
from parovoz_greenlight.voting.domain import (
    Ballot,
    Category,
    Vote,
    VoteChoice,
    VoterFacts,
    tally,
)
from parovoz_greenlight.voting.service import CachedCounters, VotingPorts
from parovoz_kit.errors import (
    BusinessRuleViolation,
    Conflict,
    NotFound,
    PermissionDenied,
    TooManyRequests,
)

RULES = GreenlightSettings(environment="test").voting_rules()
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


class FakeVotes:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Vote] = {}
        #: The world's submissions and their (latest) windows, read together as SqlVotes does.
        self.submissions: dict[uuid.UUID, Submission] = {}
        self.windows: dict[uuid.UUID, Window] = {}
        #: Users whose lock of the hourly limit was taken (SqlVotes: held to the commit).
        self.rate_locked: set[uuid.UUID] = set()

    async def submission_and_window(
        self, submission_id: uuid.UUID, *, rate_lock_of: uuid.UUID | None = None
    ) -> tuple[Submission, Window | None] | None:
        if rate_lock_of is not None:
            self.rate_locked.add(rate_lock_of)
        submission = self.submissions.get(submission_id)
        if submission is None:
            return None
        return submission, self.windows.get(submission_id)

    async def add(self, vote: Vote) -> bool:
        if any(
            (v.submission_id, v.window_id, v.user_id)
            == (vote.submission_id, vote.window_id, vote.user_id)
            for v in self.rows.values()
        ):
            return False
        self.rows[vote.id] = vote
        return True

    async def save(self, vote: Vote) -> None:
        self.rows[vote.id] = vote

    async def mine(self, submission_id, window_id, user_id, *, for_update=False):  # type: ignore[no-untyped-def]
        for v in self.rows.values():
            if (v.submission_id, v.window_id, v.user_id) == (submission_id, window_id, user_id):
                return v
        return None

    async def latest_of(self, submission_id, user_id):  # type: ignore[no-untyped-def]
        mine = [
            v
            for v in self.rows.values()
            if v.submission_id == submission_id and v.user_id == user_id
        ]
        return max(mine, key=lambda v: v.created_at) if mine else None

    async def latest_window_id(self, submission_id):  # type: ignore[no-untyped-def]
        of = [v for v in self.rows.values() if v.submission_id == submission_id]
        return max(of, key=lambda v: v.created_at).window_id if of else None

    async def of_window(self, submission_id, window_id) -> list[Vote]:  # type: ignore[no-untyped-def]
        return [
            v
            for v in self.rows.values()
            if v.submission_id == submission_id and v.window_id == window_id
        ]

    async def tally(self, submission_id, window_id) -> Mapping[str, int]:  # type: ignore[no-untyped-def]
        return tally(await self.of_window(submission_id, window_id))

    async def of_user(self, user_id, after, limit) -> Sequence[Vote]:  # type: ignore[no-untyped-def]
        mine = sorted(
            (v for v in self.rows.values() if v.user_id == user_id),
            key=lambda v: (v.created_at, v.id),
            reverse=True,
        )
        if after is not None:
            mine = [v for v in mine if (v.created_at, v.id) < after]
        return mine[:limit]

    async def cast_times_of(self, user_id, since, until, limit) -> Sequence[datetime]:  # type: ignore[no-untyped-def]
        assert user_id in self.rate_locked, "counted without the user's rate lock"
        times = sorted(
            (v.created_at for v in self.rows.values() if v.user_id == user_id),
            reverse=True,
        )
        return [at for at in times if since < at <= until][:limit]

    async def flag(self, vote_ids: Collection[uuid.UUID], reason: str) -> int:
        changed = 0
        for vote_id in vote_ids:
            vote = self.rows[vote_id]
            if not vote.flagged:
                vote.flag(reason)
                changed += 1
        return changed


class FakeSubmissions:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Submission] = {}

    async def get(self, submission_id: uuid.UUID) -> Submission | None:
        return self.rows.get(submission_id)


@dataclass
class FakeUow:
    votes: FakeVotes = field(default_factory=FakeVotes)
    submissions: FakeSubmissions = field(default_factory=FakeSubmissions)
    commits: int = 0

    def emit(self, item: Any, *, subject: str | None = None, topic: str | None = None) -> None:
        pass

    async def commit(self) -> None:
        self.commits += 1


class FakeVoters:
    def __init__(self) -> None:
        self.profiles: dict[uuid.UUID, VoterFacts] = {}

    async def facts(self, user_id: uuid.UUID) -> VoterFacts | None:
        return self.profiles.get(user_id)


class FakeLive:
    def __init__(self) -> None:
        self.kept: dict[uuid.UUID, dict[str, int]] = {}
        self.seq: dict[uuid.UUID, int] = {}
        self.down = False

    async def read(self, window_id: uuid.UUID) -> CachedCounters | None:
        if self.down:
            return None
        return CachedCounters(self.seq.get(window_id, 0), self.kept.get(window_id))

    async def write_back(self, window_id, counters, stamp) -> None:  # type: ignore[no-untyped-def]
        if not self.down and self.seq.get(window_id, 0) == stamp:
            self.kept[window_id] = dict(counters)

    async def add(self, window_id, increments) -> None:  # type: ignore[no-untyped-def]
        if self.down:
            return
        self.seq[window_id] = self.seq.get(window_id, 0) + 1
        if window_id in self.kept:
            for name, value in increments.items():
                self.kept[window_id][name] += value


@dataclass
class World:
    uow: FakeUow
    voters: FakeVoters
    live: FakeLive
    windows: dict[uuid.UUID, Window]
    ports: VotingPorts

    def submission(
        self,
        status: SubmissionStatus = SubmissionStatus.ACTIVE_VOTING,
        demo_links: tuple[str, ...] = ("https://demo.example.ru/igra",),
    ) -> uuid.UUID:
        sid = uuid.uuid4()
        self.uow.submissions.rows[sid] = Submission(
            id=sid,
            game_id=uuid.uuid4(),
            developer_id=uuid.uuid4(),
            submitted_by=uuid.uuid4(),
            title="Игра",
            description="Описание",
            status=status,
            created_at=NOW,
            updated_at=NOW,
            demo_links=demo_links,
        )
        self.windows[sid] = Window(
            id=uuid.uuid4(),
            submission_id=sid,
            number=1,
            opens_at=NOW - timedelta(days=1),
            closes_at=NOW + timedelta(days=30),
            status=WindowStatus.OPEN,
        )
        return sid

    def voter(self, **overrides: Any) -> uuid.UUID:
        uid = uuid.uuid4()
        self.voters.profiles[uid] = VoterFacts(
            account_created_at=overrides.get("created", NOW - timedelta(days=100)),
            purchases_count=overrides.get("purchases", 2),
            blocked=overrides.get("blocked", False),
        )
        return uid


@pytest.fixture
def world() -> World:
    voters, live, uow = FakeVoters(), FakeLive(), FakeUow()
    uow.votes.submissions = uow.submissions.rows
    ports = VotingPorts(voters, service.NoPenalties(), live)
    return World(uow, voters, live, uow.votes.windows, ports)


def ballot(choice: VoteChoice = VoteChoice.YES, demo: bool = False, score: int = 4) -> Ballot:
    return Ballot(choice, dict.fromkeys(Category, score), played_demo=demo)


async def cast(world: World, sid: uuid.UUID, uid: uuid.UUID, b: Ballot, now: datetime = NOW):
    return await service.cast_vote(
        world.uow, world.ports, submission_id=sid, user_id=uid, ballot=b, now=now, rules=RULES
    )


async def test_a_vote_is_kept_once_per_user(world: World) -> None:
    sid, uid = world.submission(), world.voter()
    vote = await cast(world, sid, uid, ballot(demo=True))
    assert vote.weight == 15 and vote.window_id == world.windows[sid].id
    with pytest.raises(Conflict) as again:
        await cast(world, sid, uid, ballot(VoteChoice.NO))
    assert again.value.code == "DUPLICATE_VOTE"
    assert len(world.uow.votes.rows) == 1 and world.uow.commits == 1


async def test_an_ineligible_user_is_refused_with_the_reason(world: World) -> None:
    sid = world.submission()
    young = world.voter(created=NOW - timedelta(days=30))
    with pytest.raises(PermissionDenied) as refused:
        await cast(world, sid, young, ballot())
    assert refused.value.code == "VOTING_NOT_ELIGIBLE" and "ACCOUNT_TOO_NEW" in refused.value.detail
    with pytest.raises(PermissionDenied):
        await cast(world, sid, uuid.uuid4(), ballot())
    assert not world.uow.votes.rows


async def test_no_vote_outside_an_open_window(world: World) -> None:
    uid = world.voter()
    closed = world.submission()
    with pytest.raises(BusinessRuleViolation) as ended:
        await cast(world, closed, uid, ballot(), now=NOW + timedelta(days=30))
    assert ended.value.code == "VOTING_PERIOD_ENDED"
    completed = world.submission(SubmissionStatus.VOTING_COMPLETED)
    with pytest.raises(BusinessRuleViolation):
        await cast(world, completed, uid, ballot())
    hidden = world.submission(SubmissionStatus.UNDER_MODERATION)
    with pytest.raises(NotFound) as missing:
        await cast(world, hidden, uid, ballot())
    assert missing.value.code == "SUBMISSION_NOT_FOUND"


async def test_a_change_keeps_one_vote_and_moves_the_live_counters(world: World) -> None:
    sid, uid, other = world.submission(), world.voter(), world.voter()
    await cast(world, sid, other, ballot(VoteChoice.NO))
    first = await service.live_results(world.uow, world.ports, sid, NOW)  # a miss: rebuilt
    assert first.source == "database" and first.count("no") == 1
    await cast(world, sid, uid, ballot(VoteChoice.YES, demo=True))
    changed = await service.change_vote(
        world.uow,
        world.ports,
        submission_id=sid,
        user_id=uid,
        ballot=ballot(VoteChoice.NO),
        now=NOW + timedelta(hours=1),
        rules=RULES,
    )
    assert changed.choice is VoteChoice.NO and changed.weight == 10
    live = await service.live_results(world.uow, world.ports, sid, NOW + timedelta(hours=1))
    assert live.source == "redis"
    assert (live.count("yes"), live.count("no"), live.count("weighted_no")) == (0, 2, 20)
    assert dict(live.counters) == tally(world.uow.votes.rows.values())


async def test_changing_without_a_vote_is_not_found(world: World) -> None:
    sid, uid = world.submission(), world.voter()
    with pytest.raises(NotFound) as missing:
        await service.change_vote(
            world.uow,
            world.ports,
            submission_id=sid,
            user_id=uid,
            ballot=ballot(),
            now=NOW,
            rules=RULES,
        )
    assert missing.value.code == "VOTE_NOT_FOUND"


async def test_live_results_with_the_cache_down_come_from_the_database(world: World) -> None:
    sid = world.submission()
    world.live.down = True
    for choice in (VoteChoice.YES, VoteChoice.YES, VoteChoice.ABSTAIN):
        await cast(world, sid, world.voter(), ballot(choice))
    live = await service.live_results(world.uow, world.ports, sid, NOW)
    assert live.source == "database"
    assert (live.count("yes"), live.count("abstain"), live.count("weighted_yes")) == (2, 1, 20)


async def test_receipts_page_through_every_vote_and_show_flagged_ones(world: World) -> None:
    uid = world.voter()
    cast_ids = []
    for hour in range(3):
        sid = world.submission()
        vote = await cast(world, sid, uid, ballot(demo=hour == 0), now=NOW + timedelta(hours=hour))
        cast_ids.append(vote.id)
    await service.flag_votes(world.uow, [cast_ids[1]], "burst")
    first = await service.receipts(world.uow, uid, None, 2)
    assert [v.id for v in first.votes] == [cast_ids[2], cast_ids[1]]
    assert first.votes[1].weight == 0 and not first.votes[1].counted
    second = await service.receipts(world.uow, uid, first.next_after, 2)
    assert [v.id for v in second.votes] == [cast_ids[0]] and second.next_after is None
    assert second.votes[0].weight == 15


async def test_votes_of_a_window_for_results(world: World) -> None:
    sid = world.submission()
    ids = {(await cast(world, sid, world.voter(), ballot())).id for _ in range(3)}
    found = await service.votes_of(world.uow, sid, world.windows[sid].id)
    assert {v.id for v in found} == ids
    assert await service.votes_of(world.uow, sid, uuid.uuid4()) == []


async def test_a_played_demo_needs_a_demo_to_play(world: World) -> None:
    without = world.submission(demo_links=())
    uid = world.voter()
    with pytest.raises(BusinessRuleViolation) as refused:
        await cast(world, without, uid, ballot(demo=True))
    assert refused.value.code == "DEMO_NOT_ACCESSIBLE" and refused.value.http_status == 422
    assert refused.value.pointer == "/data/attributes/played_demo"
    assert not world.uow.votes.rows
    vote = await cast(world, without, uid, ballot())  # without the demo: counted, weight 1.0
    assert vote.weight == RULES.base_weight_tenths
    with pytest.raises(BusinessRuleViolation) as changed:
        await service.change_vote(
            world.uow,
            world.ports,
            submission_id=without,
            user_id=uid,
            ballot=ballot(demo=True),
            now=NOW,
            rules=RULES,
        )
    assert changed.value.code == "DEMO_NOT_ACCESSIBLE"
    assert world.uow.votes.rows[vote.id].played_demo is False


async def test_the_vote_beyond_the_hourly_limit_is_refused_and_changes_do_not_count(
    world: World,
) -> None:
    uid = world.voter()
    step = RULES.rate_period / (RULES.rate_limit_votes * 2)
    cast_ids = []
    for i in range(RULES.rate_limit_votes):
        vote = await cast(world, world.submission(), uid, ballot(), now=NOW + step * i)
        cast_ids.append(vote.id)
    last = NOW + step * RULES.rate_limit_votes
    one_more = world.submission()
    with pytest.raises(TooManyRequests) as refused:
        await cast(world, one_more, uid, ballot(), now=last)
    assert refused.value.code == "SUSPICIOUS_VOTING_DETECTED" and refused.value.http_status == 429
    # The first vote leaves the sliding period at NOW + period: that is when to retry.
    assert refused.value.retry_after_seconds == int(
        (NOW + RULES.rate_period - last).total_seconds()
    )
    assert len(world.uow.votes.rows) == RULES.rate_limit_votes
    first = world.uow.votes.rows[cast_ids[0]]
    changed = await service.change_vote(
        world.uow,
        world.ports,
        submission_id=first.submission_id,
        user_id=uid,
        ballot=ballot(VoteChoice.NO),
        now=last,
        rules=RULES,
    )
    assert changed.choice is VoteChoice.NO  # a change is not a new vote
    other = await cast(world, one_more, world.voter(), ballot(), now=last)  # another user votes
    assert other.user_id != uid
    with pytest.raises(TooManyRequests):  # a second before the first vote leaves the period
        await cast(world, one_more, uid, ballot(), now=NOW + RULES.rate_period - step / 2)
    accepted = await cast(world, one_more, uid, ballot(), now=NOW + RULES.rate_period)
    assert accepted.user_id == uid
