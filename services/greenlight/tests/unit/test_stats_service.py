"""Statistics' use cases over in-memory fakes: the system metrics counted once within the TTL
(by the clock), counted again after it or when the cache fails; who sees a submission's
analytics (its team and staff; others 404 before it is public, 403 after)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from parovoz_greenlight.stats import service
from parovoz_greenlight.stats.domain import (
    NO_VOTES,
    DayCount,
    Period,
    SystemFigures,
    WindowFigures,
    WindowSpan,
)
from parovoz_greenlight.stats.rules import StatsRules
from parovoz_greenlight.stats.service import CachedFigures
from parovoz_greenlight.submissions.domain import Submission, SubmissionStatus
from parovoz_greenlight.submissions.service import Membership
from parovoz_greenlight.voting.domain import VoteChoice
from parovoz_kit.errors import NotFound, PermissionDenied

NOW = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)
RULES = StatsRules(
    default_period_days=30, longest_period_days=366, cache_ttl_seconds=60, cache_timeout_seconds=1
)
PERIOD = Period(date(2026, 11, 1), date(2026, 12, 1))
S = SubmissionStatus


def figures(votes_cast: int) -> SystemFigures:
    zeros = dict.fromkeys(SystemFigures.__dataclass_fields__, 0)
    return SystemFigures(**{**zeros, "votes_cast": votes_cast, "distinct_voters": 1})


class MemoryStats:
    def __init__(self) -> None:
        self.votes_cast = 1
        self.counted = 0
        self.window: WindowSpan | None = None
        self.figures: WindowFigures = NO_VOTES
        self.days: list[DayCount] = []

    async def system_figures(
        self, starts_at: datetime, ends_at: datetime, now: datetime
    ) -> SystemFigures:
        self.counted += 1
        return figures(self.votes_cast)

    async def latest_window(self, submission_id: uuid.UUID) -> WindowSpan | None:
        return self.window

    async def window_figures(self, window_id: uuid.UUID) -> WindowFigures:
        return self.figures

    async def day_counts(self, window_id: uuid.UUID) -> Sequence[DayCount]:
        return self.days


class MemorySubmissions:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Submission] = {}

    async def get(self, submission_id: uuid.UUID) -> Submission | None:
        return self.rows.get(submission_id)


class MemoryUow:
    def __init__(self) -> None:
        self.stats = MemoryStats()
        self.submissions = MemorySubmissions()

    def emit(self, item: Any, **_: Any) -> None:
        raise AssertionError("statistics emit nothing")

    async def commit(self) -> None:
        raise AssertionError("statistics write nothing")


class MemoryCache:
    def __init__(self, *, broken: bool = False) -> None:
        self.kept: dict[Period, CachedFigures] = {}
        self.broken = broken

    async def read(self, period: Period) -> CachedFigures | None:
        return None if self.broken else self.kept.get(period)

    async def write(self, period: Period, cached: CachedFigures) -> None:
        if not self.broken:
            self.kept[period] = cached


class Teams:
    def __init__(self, members: dict[uuid.UUID, uuid.UUID] | None = None) -> None:
        self.members = members or {}
        self.asked = 0

    async def membership(
        self, user_id: uuid.UUID, developer_id: uuid.UUID | None = None
    ) -> Membership | None:
        self.asked += 1
        developer = self.members.get(user_id)
        return None if developer is None else Membership(developer, "viewer", "active")

    async def game_owner(self, game_id: uuid.UUID) -> None:
        return None


async def metrics(uow: MemoryUow, cache: MemoryCache, now: datetime) -> int:
    found = await service.system_metrics_of(uow, cache, RULES, PERIOD, now)  # type: ignore[arg-type]
    return found.participation.votes_cast


async def test_metrics_are_counted_once_within_the_ttl_then_again() -> None:
    uow, cache = MemoryUow(), MemoryCache()
    assert await metrics(uow, cache, NOW) == 1
    uow.stats.votes_cast = 5
    within = NOW + timedelta(seconds=RULES.cache_ttl_seconds - 1)
    assert await metrics(uow, cache, within) == 1
    assert uow.stats.counted == 1
    assert await metrics(uow, cache, NOW + timedelta(seconds=RULES.cache_ttl_seconds)) == 5
    assert uow.stats.counted == 2


async def test_a_count_from_the_clocks_future_is_not_trusted() -> None:
    uow, cache = MemoryUow(), MemoryCache()
    await metrics(uow, cache, NOW)
    uow.stats.votes_cast = 7
    assert await metrics(uow, cache, NOW - timedelta(seconds=1)) == 7


async def test_a_broken_cache_counts_every_time() -> None:
    uow, cache = MemoryUow(), MemoryCache(broken=True)
    assert await metrics(uow, cache, NOW) == 1
    uow.stats.votes_cast = 3
    assert await metrics(uow, cache, NOW) == 3
    assert uow.stats.counted == 2


def submission(status: S) -> Submission:
    return Submission(
        id=uuid.uuid4(),
        game_id=uuid.uuid4(),
        developer_id=uuid.uuid4(),
        submitted_by=uuid.uuid4(),
        title="Поезд",
        description="Игра.",
        status=status,
        created_at=NOW - timedelta(days=10),
        updated_at=NOW,
        fee_paid=True,
    )


async def analytics(
    uow: MemoryUow, teams: Teams, found: Submission, viewer: uuid.UUID, *roles: str
) -> Any:
    return await service.analytics_of(
        uow,  # type: ignore[arg-type]
        teams,
        found.id,
        viewer,
        frozenset(roles),
        NOW,
    )


@pytest.mark.parametrize("status", [S.UNDER_MODERATION, S.ACTIVE_VOTING])
async def test_the_team_and_staff_see_the_analytics(status: S) -> None:
    uow = MemoryUow()
    found = submission(status)
    uow.submissions.rows[found.id] = found
    member = uuid.uuid4()
    teams = Teams({member: found.developer_id})
    for viewer, roles in [
        (member, ()),
        (found.submitted_by, ()),
        (uuid.uuid4(), ("curator",)),
        (uuid.uuid4(), ("moderator",)),
        (uuid.uuid4(), ("admin",)),
    ]:
        answer = await analytics(uow, teams, found, viewer, *roles)
        assert answer.submission_id == found.id and answer.window is None


async def test_others_get_404_before_the_submission_is_public_and_403_after() -> None:
    uow = MemoryUow()
    private, public = submission(S.UNDER_MODERATION), submission(S.ACTIVE_VOTING)
    uow.submissions.rows.update({private.id: private, public.id: public})
    other_team = uuid.uuid4()
    teams = Teams({other_team: uuid.uuid4()})
    for viewer, roles in [(uuid.uuid4(), ()), (other_team, ()), (uuid.uuid4(), ("support",))]:
        with pytest.raises(NotFound) as hidden:
            await analytics(uow, teams, private, viewer, *roles)
        assert hidden.value.code == "SUBMISSION_NOT_FOUND"
        with pytest.raises(PermissionDenied) as refused:
            await analytics(uow, teams, public, viewer, *roles)
        assert refused.value.code == "ANALYTICS_NOT_AUTHORIZED"
    with pytest.raises(NotFound):
        await analytics(uow, teams, submission(S.ACTIVE_VOTING), uuid.uuid4(), "admin")


async def test_staff_need_no_question_to_developer_portal() -> None:
    uow = MemoryUow()
    found = submission(S.ACTIVE_VOTING)
    uow.submissions.rows[found.id] = found
    teams = Teams()
    await analytics(uow, teams, found, uuid.uuid4(), "moderator")
    assert teams.asked == 0


async def test_the_analytics_are_of_the_latest_window() -> None:
    uow = MemoryUow()
    found = submission(S.ACTIVE_VOTING)
    uow.submissions.rows[found.id] = found
    opened = NOW - timedelta(days=1, hours=1)
    uow.stats.window = WindowSpan(uuid.uuid4(), 2, opened, opened + timedelta(days=14), "open")
    uow.stats.days = [DayCount(opened.date(), VoteChoice.NO, True, 4)]
    answer = await analytics(uow, Teams(), found, uuid.uuid4(), "admin")
    assert answer.window.number == 2
    assert [sum(day.valid.values()) for day in answer.days] == [4, 0]
