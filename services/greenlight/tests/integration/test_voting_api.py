"""Voting through the app with the real PostgreSQL, Redis and user stand-in: eligibility,
casting, duplicates, changes, receipts, live results (with Redis and with Redis unreachable).

Profiles are put into the user stand-in (``PUT /users/{id}``); a submission in active_voting
with an open window is made through submissions' and results' repositories."""

from __future__ import annotations

import asyncio
import dataclasses
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from parovoz_greenlight.main import SERVICE
from parovoz_greenlight.results.service import open_window_of
from parovoz_greenlight.settings import GreenlightSettings
from parovoz_greenlight.unit_of_work import greenlight_unit_of_work
from parovoz_greenlight.voting import service as voting
from parovoz_greenlight.voting.domain import Ballot, Category, Vote, VoteChoice
from parovoz_greenlight.voting.live import RedisLiveCounters
from parovoz_greenlight.voting.users import HttpVoters
from parovoz_kit.clock import ManualClock, SystemClock
from parovoz_kit.errors import Unavailable
from parovoz_kit.infrastructure import Infrastructure, open_infrastructure
from parovoz_kit.service import build_app, job_runner
from parovoz_testing.tokens import user_token
from redis.asyncio import Redis

sys.path.insert(0, str(Path(__file__).parent))
from greenlight_voting_support import USERS, in_voting, voter

PREFIX = "/api/v1/greenlight"
RULES = GreenlightSettings(environment="test").voting_rules()
SCORES = {c.value: 4 for c in Category}


@pytest.fixture(scope="module")
def clock() -> ManualClock:
    return ManualClock(SystemClock().now())


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


def auth(user_id: uuid.UUID) -> dict[str, str]:
    return {"Authorization": f"Bearer {user_token(str(user_id))}"}


def body(choice: str = "yes", *, demo: bool = False, **scores: int) -> dict[str, Any]:
    attributes = {
        "choice": choice,
        "scores": {**SCORES, **scores},
        "played_demo": demo,
        "would_recommend": True,
    }
    return {"data": {"type": "vote", "attributes": attributes}}


def error_codes(answer: httpx.Response) -> list[str]:
    return [error["code"] for error in answer.json()["errors"]]


async def test_eligibility_lists_the_reasons(client: httpx.AsyncClient, clock: ManualClock) -> None:
    good = await voter(clock)
    answer = await client.get(f"{PREFIX}/eligibility", headers=auth(good))
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["attributes"]["eligible"] is True
    young = await voter(clock, age=RULES.min_account_age, purchases=0, blocked=True)
    attributes = (await client.get(f"{PREFIX}/eligibility", headers=auth(young))).json()["data"][
        "attributes"
    ]
    assert attributes["eligible"] is False
    assert [r["code"] for r in attributes["reasons"]] == [
        "ACCOUNT_TOO_NEW",
        "NO_PURCHASES",
        "ACCOUNT_BLOCKED",
    ]
    assert attributes["rules"]["min_account_age_days"] == RULES.min_account_age.days
    unknown = await client.get(f"{PREFIX}/eligibility", headers=auth(uuid.uuid4()))
    assert [r["code"] for r in unknown.json()["data"]["attributes"]["reasons"]] == ["USER_UNKNOWN"]


async def test_a_vote_once_then_changed_with_receipts_and_live_results(
    client: httpx.AsyncClient, infrastructure: Infrastructure, clock: ManualClock
) -> None:
    submission_id = await in_voting(infrastructure)
    votes = f"{PREFIX}/submissions/{submission_id}/votes"
    alice, bob = await voter(clock), await voter(clock)

    cast = await client.post(votes, json=body("yes", demo=True), headers=auth(alice))
    assert cast.status_code == 201, cast.text
    attributes = cast.json()["data"]["attributes"]
    assert (attributes["weight_tenths"], attributes["counted"]) == (15, True)
    assert cast.headers["Location"].endswith(f"/submissions/{submission_id}/votes/mine")

    again = await client.post(votes, json=body("no"), headers=auth(alice))
    assert again.status_code == 409 and error_codes(again) == ["DUPLICATE_VOTE"]

    assert (await client.post(votes, json=body("no"), headers=auth(bob))).status_code == 201
    live_url = f"{PREFIX}/submissions/{submission_id}/live"
    first = (await client.get(live_url)).json()["data"]["attributes"]
    assert first["votes"] == {"yes": 1, "no": 1, "abstain": 0, "total": 2}
    assert first["weighted"]["yes"] == 1.5 and first["weighted"]["no"] == 1.0

    clock.advance(timedelta(hours=1))
    changed = await client.put(f"{votes}/mine", json=body("no", gameplay=1), headers=auth(alice))
    assert changed.status_code == 200, changed.text
    assert changed.json()["data"]["attributes"]["choice"] == "no"
    assert changed.json()["data"]["attributes"]["weight_tenths"] == 10

    live = (await client.get(live_url)).json()["data"]["attributes"]
    assert live["source"] == "redis"
    assert live["votes"] == {"yes": 0, "no": 2, "abstain": 0, "total": 2}
    assert live["weighted"] == {"yes": 0.0, "no": 2.0, "abstain": 0.0, "yes_share": 0.0}
    assert live["category_averages"]["gameplay"] == 2.5
    async with greenlight_unit_of_work(infrastructure) as uow:
        window = await open_window_of(uow, submission_id, clock.now())
        assert window is not None
        counted = await uow.votes.tally(submission_id, window.id)
    assert (counted["no"], counted["weighted_no"], counted["yes"]) == (2, 20, 0)

    mine = await client.get(f"{votes}/mine", headers=auth(alice))
    assert mine.status_code == 200 and mine.json()["data"]["attributes"]["choice"] == "no"
    receipts = (await client.get(f"{PREFIX}/votes/mine", headers=auth(alice))).json()
    assert [r["attributes"]["submission_id"] for r in receipts["data"]] == [str(submission_id)]
    assert receipts["data"][0]["attributes"]["why"].startswith("counted with weight 1.0")


async def test_receipts_show_a_flagged_vote_as_not_counted_and_page(
    client: httpx.AsyncClient, infrastructure: Infrastructure, clock: ManualClock
) -> None:
    carol = await voter(clock)
    ids = []
    for _ in range(3):
        submission_id = await in_voting(infrastructure)
        answer = await client.post(
            f"{PREFIX}/submissions/{submission_id}/votes", json=body(), headers=auth(carol)
        )
        ids.append(answer.json()["data"]["id"])
        clock.advance(timedelta(minutes=1))
    async with greenlight_unit_of_work(infrastructure) as uow:
        await voting.flag_votes(uow, [uuid.UUID(ids[1])], "burst of young accounts")
        await uow.commit()
    page = await client.get(f"{PREFIX}/votes/mine?page[size]=2", headers=auth(carol))
    assert [r["id"] for r in page.json()["data"]] == [ids[2], ids[1]]
    flagged = page.json()["data"][1]["attributes"]
    assert (flagged["counted"], flagged["weight"], flagged["weight_reason"]) == (
        False,
        0.0,
        "flagged",
    )
    assert flagged["flagged_reason"] == "burst of young accounts"
    rest = await client.get(page.json()["links"]["next"], headers=auth(carol))
    assert [r["id"] for r in rest.json()["data"]] == [ids[0]]
    assert rest.json()["links"]["next"] is None
    bad = await client.get(f"{PREFIX}/votes/mine?page[cursor]=nonsense", headers=auth(carol))
    assert bad.status_code == 400 and error_codes(bad) == ["INVALID_PAGE_CURSOR"]


async def test_refusals(
    client: httpx.AsyncClient, infrastructure: Infrastructure, clock: ManualClock
) -> None:
    submission_id = await in_voting(infrastructure)
    votes = f"{PREFIX}/submissions/{submission_id}/votes"
    young = await voter(clock, age=timedelta(days=3))
    refused = await client.post(votes, json=body(), headers=auth(young))
    assert refused.status_code == 403 and error_codes(refused) == ["VOTING_NOT_ELIGIBLE"]
    assert "ACCOUNT_TOO_NEW" in refused.json()["errors"][0]["detail"]

    good = await voter(clock)
    unknown = await client.post(
        f"{PREFIX}/submissions/{uuid.uuid4()}/votes", json=body(), headers=auth(good)
    )
    assert unknown.status_code == 404 and error_codes(unknown) == ["SUBMISSION_NOT_FOUND"]
    bad = await client.post(votes, json=body(gameplay=6), headers=auth(good))
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["source"]["pointer"].startswith("/data/attributes/scores")
    none = await client.put(f"{votes}/mine", json=body(), headers=auth(good))
    assert none.status_code == 404 and error_codes(none) == ["VOTE_NOT_FOUND"]

    voted = await voter(clock)
    assert (await client.post(votes, json=body(), headers=auth(voted))).status_code == 201
    clock.advance(timedelta(days=31))
    try:
        late = await client.post(votes, json=body(), headers=auth(good))
        assert late.status_code == 422 and error_codes(late) == ["VOTING_PERIOD_ENDED"]
        change = await client.put(f"{votes}/mine", json=body("no"), headers=auth(voted))
        assert change.status_code == 422 and error_codes(change) == ["VOTING_PERIOD_ENDED"]
        kept = await client.get(f"{votes}/mine", headers=auth(voted))
        assert kept.json()["data"]["attributes"]["choice"] == "yes"
    finally:
        clock.advance(timedelta(days=-31))


async def test_live_results_with_redis_unreachable_and_the_user_service_down(
    infrastructure: Infrastructure, clock: ManualClock
) -> None:
    submission_id = await in_voting(infrastructure)
    dead = Redis.from_url("redis://127.0.0.1:1/1", socket_connect_timeout=0.2)
    users = HttpVoters(USERS, timeout_seconds=2)
    ports = voting.VotingPorts(users, voting.NoPenalties(), RedisLiveCounters(dead, RULES))
    ballots = [VoteChoice.YES, VoteChoice.YES, VoteChoice.NO]
    for choice in ballots:
        user_id = await voter(clock)
        async with greenlight_unit_of_work(infrastructure) as uow:
            await voting.cast_vote(
                uow,
                ports,
                submission_id=submission_id,
                user_id=user_id,
                ballot=Ballot(choice, dict.fromkeys(Category, 3), played_demo=True),
                now=clock.now(),
                rules=RULES,
            )
    async with greenlight_unit_of_work(infrastructure) as uow:
        live = await voting.live_results(uow, ports, submission_id, clock.now())
    assert live.source == "database"
    assert (live.count("yes"), live.count("no"), live.count("weighted_yes")) == (2, 1, 30)
    await users.aclose()
    await dead.aclose()

    down = HttpVoters("http://127.0.0.1:1", timeout_seconds=0.5)
    with pytest.raises(Unavailable) as unavailable:
        await voting.check_eligibility(
            dataclasses.replace(ports, voters=down), uuid.uuid4(), clock.now(), RULES
        )
    assert unavailable.value.code == "USER_SERVICE_UNAVAILABLE"
    await down.aclose()


async def test_votes_of_a_window_for_results(
    client: httpx.AsyncClient, infrastructure: Infrastructure, clock: ManualClock
) -> None:
    submission_id = await in_voting(infrastructure)
    ids = set()
    for demo in (True, False):
        answer = await client.post(
            f"{PREFIX}/submissions/{submission_id}/votes",
            json=body(demo=demo),
            headers={**auth(await voter(clock)), "X-Device-Fingerprint": "fp-shared-device"},
        )
        ids.add(uuid.UUID(answer.json()["data"]["id"]))
    async with greenlight_unit_of_work(infrastructure) as uow:
        window = await open_window_of(uow, submission_id, clock.now())
        assert window is not None
        found = await voting.votes_of(uow, submission_id, window.id)
    assert {v.id for v in found} == ids
    assert sorted(v.weight for v in found) == [10, 15]
    assert {v.device_fingerprint for v in found} == {"fp-shared-device"}
    assert {v.ip_prefix for v in found} == {"127.0.0.0/24"}


async def test_two_votes_at_once_by_one_user_keep_one(
    client: httpx.AsyncClient, infrastructure: Infrastructure, clock: ManualClock
) -> None:
    submission_id = await in_voting(infrastructure)
    dave = await voter(clock)
    url = f"{PREFIX}/submissions/{submission_id}/votes"
    answers = await asyncio.gather(
        *(client.post(url, json=body(), headers=auth(dave)) for _ in range(4))
    )
    assert sorted(a.status_code for a in answers) == [201, 409, 409, 409]
    live = (await client.get(f"{PREFIX}/submissions/{submission_id}/live")).json()
    assert live["data"]["attributes"]["votes"]["total"] == 1


async def test_a_played_demo_without_a_demo_is_refused_with_the_pointer(
    client: httpx.AsyncClient, infrastructure: Infrastructure, clock: ManualClock
) -> None:
    submission_id = await in_voting(infrastructure, demo_links=())
    votes = f"{PREFIX}/submissions/{submission_id}/votes"
    user = await voter(clock)
    refused = await client.post(votes, json=body(demo=True), headers=auth(user))
    assert refused.status_code == 422, refused.text
    [error] = refused.json()["errors"]
    assert error["code"] == "DEMO_NOT_ACCESSIBLE"
    assert error["source"]["pointer"] == "/data/attributes/played_demo"
    assert (await client.get(f"{votes}/mine", headers=auth(user))).status_code == 404
    cast = await client.post(votes, json=body(demo=False), headers=auth(user))
    assert cast.status_code == 201, cast.text
    changed = await client.put(f"{votes}/mine", json=body(demo=True), headers=auth(user))
    assert changed.status_code == 422 and error_codes(changed) == ["DEMO_NOT_ACCESSIBLE"]


async def earlier_votes(
    infrastructure: Infrastructure, user_id: uuid.UUID, times: list[Any]
) -> None:
    """Votes of ``user_id`` written directly (on submissions of their own), cast at ``times``."""
    async with greenlight_unit_of_work(infrastructure) as uow:
        for at in times:
            vote = Vote(
                id=uuid.uuid4(),
                submission_id=uuid.uuid4(),
                window_id=uuid.uuid4(),
                user_id=user_id,
                choice=VoteChoice.YES,
                scores=dict.fromkeys(Category, 4),
                comment=None,
                played_demo=False,
                would_recommend=True,
                weight=10,
                created_at=at,
                updated_at=at,
            )
            assert await uow.votes.add(vote)
        await uow.commit()


async def test_the_vote_beyond_the_hourly_limit_is_429_with_retry_after(
    client: httpx.AsyncClient, infrastructure: Infrastructure, clock: ManualClock
) -> None:
    limit, period = RULES.rate_limit_votes, RULES.rate_period
    user = await voter(clock)
    now = clock.now()
    oldest = now - period + timedelta(minutes=5)
    # An hour-old vote is outside the sliding hour; limit - 2 more inside it.
    await earlier_votes(
        infrastructure,
        user,
        [now - period, oldest, *(now - timedelta(minutes=1 + i) for i in range(limit - 2))],
    )
    first, second = await in_voting(infrastructure), await in_voting(infrastructure)
    accepted = await client.post(
        f"{PREFIX}/submissions/{first}/votes", json=body(), headers=auth(user)
    )
    assert accepted.status_code == 201, accepted.text  # the limit-th vote within the hour
    refused = await client.post(
        f"{PREFIX}/submissions/{second}/votes", json=body(), headers=auth(user)
    )
    assert refused.status_code == 429, refused.text
    [error] = refused.json()["errors"]
    assert error["code"] == "SUSPICIOUS_VOTING_DETECTED"
    assert int(refused.headers["Retry-After"]) == int((oldest + period - now).total_seconds())
    assert (
        await client.get(f"{PREFIX}/submissions/{second}/votes/mine", headers=auth(user))
    ).status_code == 404
    # Changing a vote is not a new vote; another user is not limited by this one.
    changed = await client.put(
        f"{PREFIX}/submissions/{first}/votes/mine", json=body("no"), headers=auth(user)
    )
    assert changed.status_code == 200, changed.text
    other = await client.post(
        f"{PREFIX}/submissions/{second}/votes", json=body(), headers=auth(await voter(clock))
    )
    assert other.status_code == 201, other.text
    clock.advance(oldest + period - now)
    try:
        later = await client.post(
            f"{PREFIX}/submissions/{second}/votes", json=body(), headers=auth(user)
        )
        assert later.status_code == 201, later.text
    finally:
        clock.advance(now - (oldest + period))


async def test_six_new_votes_at_once_at_the_limit_keep_one(
    client: httpx.AsyncClient, infrastructure: Infrastructure, clock: ManualClock
) -> None:
    """The hourly limit's lock (taken with the submission's read) makes a user's concurrent new
    votes count one after the other: at limit - 1, of six at once one is kept."""
    user = await voter(clock)
    now = clock.now()
    limit = RULES.rate_limit_votes
    await earlier_votes(
        infrastructure, user, [now - timedelta(minutes=1 + i) for i in range(limit - 1)]
    )
    submissions = [await in_voting(infrastructure) for _ in range(6)]
    # The user's facts kept already: the six go through the same steps in lockstep.
    assert (await client.get(f"{PREFIX}/eligibility", headers=auth(user))).status_code == 200
    answers = await asyncio.gather(
        *(
            client.post(f"{PREFIX}/submissions/{s}/votes", json=body(), headers=auth(user))
            for s in submissions
        )
    )
    assert sorted(a.status_code for a in answers) == [201] + [429] * 5, [a.text for a in answers]


async def test_the_vote_routes_document_the_new_refusals(client: httpx.AsyncClient) -> None:
    paths = (await client.get(f"{PREFIX}/openapi.json")).json()["paths"]
    cast = paths[f"{PREFIX}/submissions/{{submission_id}}/votes"]["post"]["responses"]
    assert {"422", "429"} <= set(cast)
    assert "Retry-After" in cast["429"].get("headers", {})


async def test_a_user_blocked_is_refused_once_the_kept_facts_are_older_than_the_ttl(
    client: httpx.AsyncClient, infrastructure: Infrastructure, clock: ManualClock
) -> None:
    ttl = RULES.voter_facts_ttl
    assert ttl > timedelta(0)
    first, second, third = [await in_voting(infrastructure) for _ in range(3)]
    user = await voter(clock)
    assert (
        await client.post(f"{PREFIX}/submissions/{first}/votes", json=body(), headers=auth(user))
    ).status_code == 201
    profile = {
        "birth_date": "1990-05-01",
        "region": "RU",
        "account_created_at": (clock.now() - timedelta(days=365)).isoformat(),
        "purchases_count": 2,
        "blocked": True,
    }
    async with httpx.AsyncClient(base_url=USERS, timeout=5) as users:
        assert (await users.put(f"/users/{user}", json=profile)).status_code in (200, 201)
    # The facts kept in process still stand within the TTL (the user service is not asked) ...
    kept = await client.post(
        f"{PREFIX}/submissions/{second}/votes", json=body(), headers=auth(user)
    )
    assert kept.status_code == 201, kept.text
    clock.advance(ttl)
    try:
        # ... and once they are that old, the block is seen: refused, and said so.
        refused = await client.post(
            f"{PREFIX}/submissions/{third}/votes", json=body(), headers=auth(user)
        )
        assert refused.status_code == 403 and error_codes(refused) == ["VOTING_NOT_ELIGIBLE"]
        eligibility = (await client.get(f"{PREFIX}/eligibility", headers=auth(user))).json()
        reasons = [r["code"] for r in eligibility["data"]["attributes"]["reasons"]]
        assert reasons == ["ACCOUNT_BLOCKED"]
    finally:
        clock.advance(-ttl)
