"""Statistics through the app in process, over the real PostgreSQL and Redis, the running
developer-portal (the submitting team) and the auth stand-in's real tokens.

The database is shared with every other test, so each test moves the clock into a far-future
month of its own (a random year after 2200, where nobody else writes), makes its submissions,
windows and votes there through the other contexts' repositories, and asserts the exact
figures of that month."""

from __future__ import annotations

import dataclasses
import random
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from parovoz_greenlight.main import SERVICE
from parovoz_greenlight.results.domain import Outcome, Window, WindowStatus
from parovoz_greenlight.settings import GreenlightSettings
from parovoz_greenlight.stats import service as stats
from parovoz_greenlight.stats.cache import RedisMetricsCache, cache_key
from parovoz_greenlight.stats.domain import Period
from parovoz_greenlight.submissions.domain import Submission, SubmissionStatus
from parovoz_greenlight.unit_of_work import greenlight_unit_of_work
from parovoz_greenlight.voting.domain import Category, Vote, VoteChoice
from parovoz_kit.clock import ManualClock
from parovoz_kit.infrastructure import Infrastructure, open_infrastructure
from parovoz_kit.service import build_app, job_runner
from parovoz_testing.tokens import service_token, user_token
from redis.asyncio import Redis

PREFIX = "/api/v1/greenlight"
PORTAL = "http://127.0.0.1:8081/api/v1/developer"
RULES = GreenlightSettings(environment="test").stats_rules()
S = SubmissionStatus
Y, N, A = VoteChoice.YES, VoteChoice.NO, VoteChoice.ABSTAIN
DAY = timedelta(days=1)


@pytest.fixture(scope="module")
def clock() -> ManualClock:
    return ManualClock(datetime.now(UTC))


@pytest.fixture(scope="module")
async def infrastructure(clock: ManualClock) -> AsyncIterator[Infrastructure]:
    async with open_infrastructure(GreenlightSettings(environment="test")) as infra:
        yield dataclasses.replace(infra, clock=clock)


@pytest.fixture(scope="module")
async def client(infrastructure: Infrastructure) -> AsyncIterator[httpx.AsyncClient]:
    app = build_app(SERVICE, infrastructure, job_runner(SERVICE, infrastructure))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://greenlight") as http:
        yield http


def auth(user_id: uuid.UUID, *roles: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {user_token(str(user_id), roles=roles)}"}


def a_month_of_our_own() -> datetime:
    """The first instant of a random far-future month nobody else uses."""
    return datetime(random.randint(2200, 9000), random.randint(1, 12), 1, tzinfo=UTC)


def next_month(first: datetime) -> datetime:
    return (first + timedelta(days=32)).replace(day=1)


def day_text(moment: datetime) -> str:
    return moment.date().isoformat()


async def a_submission(
    infrastructure: Infrastructure,
    created_at: datetime,
    status: S = S.ACTIVE_VOTING,
    developer_id: uuid.UUID | None = None,
) -> Submission:
    submission = Submission(
        id=uuid.uuid4(),
        game_id=uuid.uuid4(),
        developer_id=developer_id or uuid.uuid4(),
        submitted_by=uuid.uuid4(),
        title="Статистика: поезд",
        description="Заявка для проверки статистики.",
        status=status,
        created_at=created_at,
        updated_at=created_at,
        fee_paid=True,
    )
    async with greenlight_unit_of_work(infrastructure) as uow:
        await uow.submissions.add(submission)
        await uow.commit()
    return submission


async def a_window(
    infrastructure: Infrastructure,
    submission: Submission,
    opens_at: datetime,
    closes_at: datetime,
    status: WindowStatus = WindowStatus.OPEN,
    outcome: Outcome | None = None,
    finalized_at: datetime | None = None,
) -> Window:
    window = Window(
        id=uuid.uuid4(),
        submission_id=submission.id,
        number=1,
        opens_at=opens_at,
        closes_at=closes_at,
        status=status,
        audit_ends_at=closes_at + DAY if status is not WindowStatus.OPEN else None,
        outcome=outcome,
        finalized_at=finalized_at,
    )
    async with greenlight_unit_of_work(infrastructure) as uow:
        await uow.results.add(window)
        await uow.commit()
    return window


async def a_vote(
    infrastructure: Infrastructure,
    window: Window,
    at: datetime,
    choice: VoteChoice = Y,
    *,
    user_id: uuid.UUID | None = None,
    scores: dict[Category, int] | None = None,
    weight: int = 10,
    would_recommend: bool = False,
) -> Vote:
    vote = Vote(
        id=uuid.uuid4(),
        submission_id=window.submission_id,
        window_id=window.id,
        user_id=user_id or uuid.uuid4(),
        choice=choice,
        scores=scores or dict.fromkeys(Category, 4),
        comment=None,
        played_demo=weight == 15,
        would_recommend=would_recommend,
        weight=weight,
        flagged_reason="burst_of_new_accounts" if weight == 0 else None,
        created_at=at,
        updated_at=at,
    )
    async with greenlight_unit_of_work(infrastructure) as uow:
        assert await uow.votes.add(vote)
        await uow.commit()
    return vote


async def forget_cached(infrastructure: Infrastructure, starts: datetime, ends: datetime) -> None:
    await infrastructure.redis.delete(cache_key(Period(starts.date(), ends.date())))


async def metrics(client: httpx.AsyncClient, starts: datetime, ends: datetime) -> dict[str, Any]:
    answer = await client.get(
        f"{PREFIX}/stats", params={"filter[from]": day_text(starts), "filter[to]": day_text(ends)}
    )
    assert answer.status_code == 200, answer.text
    attributes: dict[str, Any] = answer.json()["data"]["attributes"]
    return attributes


async def test_the_system_metrics_of_a_month_are_what_was_made_in_it(
    client: httpx.AsyncClient, infrastructure: Infrastructure, clock: ManualClock
) -> None:
    starts = a_month_of_our_own()
    ends = next_month(starts)
    await forget_cached(infrastructure, starts, ends)
    now = starts + timedelta(days=19, hours=12)
    clock.set(now)

    # Submissions: two created in the month (one on its first instant); the others before it,
    # and one on the first instant of the next month (excluded).
    active = await a_submission(infrastructure, starts)
    audited = await a_submission(infrastructure, starts + timedelta(days=2), S.VOTING_COMPLETED)
    approved = await a_submission(infrastructure, starts - timedelta(days=40), S.APPROVED)
    rejected = await a_submission(infrastructure, starts - timedelta(days=40), S.REJECTED)
    withdrawn = await a_submission(infrastructure, starts - timedelta(days=40), S.WITHDRAWN)
    await a_submission(infrastructure, ends, S.DRAFT)

    # Windows: one open now; three closed in the month by now (30, 16 and 14 days long), two of
    # them decided (one approved); a withdrawn one (not counted); one closing after now.
    open_window = await a_window(infrastructure, active, starts + timedelta(days=9), ends + DAY * 9)
    await a_window(
        infrastructure,
        approved,
        starts - timedelta(days=25),
        starts + timedelta(days=5),
        WindowStatus.FINAL,
        Outcome.APPROVED,
        starts + timedelta(days=6),
    )
    await a_window(
        infrastructure,
        rejected,
        starts - timedelta(days=8),
        starts + timedelta(days=8),
        WindowStatus.FINAL,
        Outcome.NOT_ENOUGH_VOTES,
        starts + timedelta(days=9),
    )
    audit_window = await a_window(
        infrastructure,
        audited,
        starts + timedelta(days=5),
        starts + timedelta(days=19),
        WindowStatus.AUDIT,
    )
    await a_window(
        infrastructure,
        withdrawn,
        starts - timedelta(days=27),
        starts + timedelta(days=3),
        WindowStatus.FINAL,
        Outcome.WITHDRAWN,
        starts + timedelta(days=3),
    )

    # Submissions withdrawn while voting: their windows (still open for the closing job, one
    # open now, one closed in the month) are neither active nor completed.
    for closes in (ends, starts + timedelta(days=15)):
        gone = await a_submission(infrastructure, starts - DAY * 40, S.WITHDRAWN)
        await a_window(infrastructure, gone, closes - DAY * 30, closes)

    # Votes in the month: a voter twice (scores 5 and 3), another once (gameplay 1, the rest 2),
    # one removed (flagged, scores 5: not in the quality score); one after the month.
    twice = uuid.uuid4()
    await a_vote(infrastructure, open_window, starts + timedelta(days=10), user_id=twice,
                 scores=dict.fromkeys(Category, 5))  # fmt: skip
    await a_vote(infrastructure, audit_window, starts + timedelta(days=6), N, user_id=twice,
                 scores=dict.fromkeys(Category, 3))  # fmt: skip
    once = {**dict.fromkeys(Category, 2), Category.GAMEPLAY: 1}
    await a_vote(infrastructure, open_window, starts + timedelta(days=11), A, scores=once)
    await a_vote(infrastructure, open_window, starts + timedelta(days=12), weight=0,
                 scores=dict.fromkeys(Category, 5))  # fmt: skip
    await a_vote(infrastructure, open_window, ends, weight=15)

    figures = await metrics(client, starts, ends)
    assert figures["period"] == {"from": day_text(starts), "to": day_text(ends)}
    assert datetime.fromisoformat(figures["as_of"]) == now
    assert figures["total_submissions"] == 2
    assert figures["active_votings"] == 1
    assert figures["completed_votings"] == 3
    assert figures["average_voting_duration_seconds"] == (30 + 16 + 14) * 86400 // 3
    assert (figures["decided_results"], figures["approved_results"]) == (2, 1)
    assert figures["approval_rate_basis_points"] == 5000
    assert figures["participation"] == {
        "votes_cast": 4,
        "distinct_voters": 3,
        "average_votes_per_voter_per_mille": 1333,
        "average_votes_per_voter": "1.333",
    }
    assert figures["removed_votes"] == 1
    assert figures["quality_score_hundredths"] == 327  # (25 + 15 + 9) / 15 = 3.2667

    # Counted once for the TTL (by the clock): a new vote shows after it.
    await a_vote(infrastructure, open_window, starts + timedelta(days=13))
    assert (await metrics(client, starts, ends))["participation"]["votes_cast"] == 4
    clock.advance(timedelta(seconds=RULES.cache_ttl_seconds))
    again = await metrics(client, starts, ends)
    assert again["participation"]["votes_cast"] == 5
    assert datetime.fromisoformat(again["as_of"]) == clock.now()

    # A day later the open window is still active; after its closing it is not, and it is
    # counted as completed only in the month it closed in.
    clock.set(ends + DAY * 10)
    later = await metrics(client, starts, ends)
    assert (later["active_votings"], later["completed_votings"]) == (0, 3)
    after = next_month(ends)
    await forget_cached(infrastructure, ends, after)
    assert (await metrics(client, ends, after))["completed_votings"] == 1


async def test_an_empty_month_answers_zeros_and_nulls(
    client: httpx.AsyncClient, infrastructure: Infrastructure, clock: ManualClock
) -> None:
    starts = a_month_of_our_own()
    ends = next_month(starts)
    await forget_cached(infrastructure, starts, ends)
    clock.set(starts + timedelta(days=3))
    figures = await metrics(client, starts, ends)
    assert figures["total_submissions"] == figures["active_votings"] == 0
    assert figures["completed_votings"] == figures["decided_results"] == 0
    assert figures["approval_rate_basis_points"] is None
    assert figures["average_voting_duration_seconds"] is None
    assert figures["participation"] == {
        "votes_cast": 0,
        "distinct_voters": 0,
        "average_votes_per_voter_per_mille": None,
        "average_votes_per_voter": None,
    }
    assert figures["removed_votes"] == 0
    assert figures["quality_score_hundredths"] is None


async def test_the_default_period_is_the_last_30_days_up_to_today(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    today = a_month_of_our_own() + timedelta(days=14, hours=23)
    clock.set(today)
    answer = await client.get(f"{PREFIX}/stats")
    assert answer.status_code == 200, answer.text
    period = answer.json()["data"]["attributes"]["period"]
    ends = today.date() + DAY
    assert period == {
        "from": (ends - DAY * RULES.default_period_days).isoformat(),
        "to": ends.isoformat(),
    }


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"filter[from]": "2026-11-01", "filter[to]": "2026-11-01"}, "filter[from]"),
        ({"filter[from]": "2026-12-01", "filter[to]": "2026-11-01"}, "filter[from]"),
        ({"filter[from]": "2025-01-01", "filter[to]": "2026-01-03"}, "filter[from]"),
        ({"filter[from]": "2026-02-30"}, "filter[from]"),
        ({"filter[to]": "01.12.2026"}, "filter[to]"),
        ({"filter[to]": "x" * 11}, "filter[to]"),
        ({"filter[to]": "0001-01-05"}, "filter[to]"),
    ],
)
async def test_a_bad_period_is_400_naming_the_parameter(
    client: httpx.AsyncClient, clock: ManualClock, query: dict[str, str], parameter: str
) -> None:
    clock.set(datetime(2026, 12, 8, tzinfo=UTC))
    answer = await client.get(f"{PREFIX}/stats", params=query)
    assert answer.status_code == 400, answer.text
    [error] = answer.json()["errors"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["source"] == {"parameter": parameter}
    assert "Traceback" not in answer.text


async def test_the_first_month_of_the_calendar_answers(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    clock.set(datetime(2026, 12, 8, tzinfo=UTC))
    figures = await metrics(client, datetime(1, 1, 1, tzinfo=UTC), datetime(1, 2, 1, tzinfo=UTC))
    assert figures["total_submissions"] == 0 and figures["quality_score_hundredths"] is None


async def test_redis_unreachable_the_metrics_are_counted_in_postgresql(
    infrastructure: Infrastructure,
) -> None:
    starts = a_month_of_our_own()
    ends = next_month(starts)
    submission = await a_submission(infrastructure, starts + DAY)
    window = await a_window(infrastructure, submission, starts + DAY, starts + DAY * 31)
    await a_vote(infrastructure, window, starts + DAY * 2)
    dead = Redis.from_url("redis://127.0.0.1:1/1", socket_connect_timeout=0.2)
    cache = RedisMetricsCache(dead, RULES)
    period = Period(starts.date(), ends.date())
    for votes in (1, 2):
        async with greenlight_unit_of_work(infrastructure) as uow:
            found = await stats.system_metrics_of(uow, cache, RULES, period, starts + DAY * 3)  # type: ignore[arg-type]
        assert found.total_submissions == 1 and found.active_votings == 1
        assert found.participation.votes_cast == votes
        await a_vote(infrastructure, window, starts + DAY * 2)
    await dead.aclose()


# --- a submission's analytics -------------------------------------------------------------------


async def a_developer_account(owner: uuid.UUID) -> uuid.UUID:
    body = {
        "data": {
            "type": "developerAccountCreation",
            "attributes": {
                "company_name": "Студия Статистики",
                "legal_entity_type": "llc",
                "tax_id": "7707083893",
                "contact_email": "stats@example.com",
                "country_code": "RU",
            },
        }
    }
    async with httpx.AsyncClient(base_url=PORTAL, timeout=10) as portal:
        account = await portal.post("/accounts", json=body, headers=auth(owner))
    assert account.status_code == 201, account.text
    return uuid.UUID(account.json()["data"]["id"])


async def test_a_submissions_analytics_for_its_team_and_staff(
    client: httpx.AsyncClient, infrastructure: Infrastructure, clock: ManualClock
) -> None:
    owner = uuid.uuid4()
    developer_id = await a_developer_account(owner)
    starts = a_month_of_our_own()
    opens = starts + timedelta(hours=20)
    submission = await a_submission(infrastructure, starts, developer_id=developer_id)
    window = await a_window(infrastructure, submission, opens, opens + DAY * 30)
    first, third = opens.date(), opens.date() + DAY * 2
    at_first, at_third = opens + timedelta(hours=1), opens + DAY * 2
    await a_vote(infrastructure, window, at_first, Y, weight=15, would_recommend=True,
                 scores={**dict.fromkeys(Category, 4), Category.INNOVATION: 5})  # fmt: skip
    await a_vote(infrastructure, window, at_first, Y, would_recommend=True,
                 scores={**dict.fromkeys(Category, 3), Category.INNOVATION: 5})  # fmt: skip
    await a_vote(infrastructure, window, at_third, N, scores=dict.fromkeys(Category, 2))
    await a_vote(infrastructure, window, at_third, A, weight=15,
                 scores={**dict.fromkeys(Category, 1), Category.GAMEPLAY: 2})  # fmt: skip
    await a_vote(infrastructure, window, at_third, Y, weight=0, scores=dict.fromkeys(Category, 5))
    clock.set(opens + DAY * 3 + timedelta(hours=1))  # the window's fourth UTC day

    url = f"{PREFIX}/submissions/{submission.id}/analytics"
    answer = await client.get(url, headers=auth(owner))
    assert answer.status_code == 200, answer.text
    data = answer.json()["data"]
    assert data["id"] == str(submission.id) and data["type"] == "submissionAnalytics"
    figures = data["attributes"]
    assert figures["window"]["number"] == 1 and figures["window"]["status"] == "open"
    assert [day["date"] for day in figures["days"]] == [
        (first + DAY * n).isoformat() for n in range(4)
    ]
    zero = {"yes": 0, "no": 0, "abstain": 0}
    assert figures["days"][0] == {"date": first.isoformat(), "valid": {**zero, "yes": 2},
                                  "removed": zero}  # fmt: skip
    assert figures["days"][1]["valid"] == figures["days"][3]["valid"] == zero
    assert figures["days"][2] == {"date": third.isoformat(),
                                  "valid": {"yes": 0, "no": 1, "abstain": 1},
                                  "removed": {**zero, "yes": 1}}  # fmt: skip
    assert (figures["valid_votes"], figures["removed_votes"]) == (4, 1)
    assert (figures["weighted_yes_tenths"], figures["weighted_no_tenths"]) == (25, 10)
    assert figures["category_averages_hundredths"] == {
        "gameplay": 275,  # (4 + 3 + 2 + 2) / 4
        "presentation": 250,  # (4 + 3 + 2 + 1) / 4
        "innovation": 325,  # (5 + 5 + 2 + 1) / 4
        "market_appeal": 250,
        "technical_quality": 250,
    }
    assert figures["played_demo_basis_points"] == 5000
    assert figures["would_recommend_basis_points"] == 5000

    curator = await client.get(url, headers=auth(uuid.uuid4(), "curator"))
    assert curator.status_code == 200 and curator.json()["data"] == data
    stranger = await client.get(url, headers=auth(uuid.uuid4()))
    assert stranger.status_code == 403, stranger.text
    assert [e["code"] for e in stranger.json()["errors"]] == ["ANALYTICS_NOT_AUTHORIZED"]
    assert (await client.get(url)).status_code == 401
    service = {"Authorization": f"Bearer {service_token('developer-portal')}"}
    by_service = await client.get(url, headers=service)
    assert by_service.status_code == 403, by_service.text
    assert [e["code"] for e in by_service.json()["errors"]] == ["USER_TOKEN_REQUIRED"]


async def test_analytics_of_a_submission_not_public_yet(
    client: httpx.AsyncClient, infrastructure: Infrastructure, clock: ManualClock
) -> None:
    owner = uuid.uuid4()
    developer_id = await a_developer_account(owner)
    submission = await a_submission(
        infrastructure, clock.now(), S.UNDER_MODERATION, developer_id=developer_id
    )
    url = f"{PREFIX}/submissions/{submission.id}/analytics"
    stranger = await client.get(url, headers=auth(uuid.uuid4(), "support"))
    assert stranger.status_code == 404, stranger.text
    assert [e["code"] for e in stranger.json()["errors"]] == ["SUBMISSION_NOT_FOUND"]
    mine = await client.get(url, headers=auth(owner))
    assert mine.status_code == 200, mine.text
    figures = mine.json()["data"]["attributes"]
    assert figures["window"] is None and figures["days"] == []
    assert figures["valid_votes"] == figures["removed_votes"] == 0
    assert set(figures["category_averages_hundredths"].values()) == {None}
    assert figures["played_demo_basis_points"] is None
    unknown = await client.get(
        f"{PREFIX}/submissions/{uuid.uuid4()}/analytics", headers=auth(owner, "admin")
    )
    assert unknown.status_code == 404


async def test_the_routes_are_documented(infrastructure: Infrastructure) -> None:
    app = build_app(SERVICE, infrastructure, job_runner(SERVICE, infrastructure))
    paths = app.openapi()["paths"]
    stats_route = paths[f"{PREFIX}/stats"]["get"]
    assert {"200", "400"} <= set(stats_route["responses"])
    assert {p["name"] for p in stats_route["parameters"]} == {"filter[from]", "filter[to]"}
    analytics_route = paths[f"{PREFIX}/submissions/{{submission_id}}/analytics"]["get"]
    assert {"200", "401", "403", "404"} <= set(analytics_route["responses"])


def test_months_of_our_own_are_far_ahead() -> None:
    assert a_month_of_our_own().date() > date(2199, 12, 31)
