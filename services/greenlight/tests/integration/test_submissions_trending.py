"""``GET /submissions?sort=trending`` on the real engines: public submissions ranked by the lower
bound of the Wilson interval of their window's weighted yes share (votes written through the
voting context's repository, windows opened through results), paged by offset cursors."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
from parovoz_greenlight.results.service import open_window
from parovoz_greenlight.submissions.domain import Submission, SubmissionStatus
from parovoz_greenlight.unit_of_work import greenlight_unit_of_work
from parovoz_greenlight.voting.domain import Category, Vote, VoteChoice
from parovoz_kit.infrastructure import Infrastructure

S = SubmissionStatus
PREFIX = "/api/v1/greenlight"


async def in_voting(
    infrastructure: Infrastructure, genre: str, yes: int, no: int, minutes: int
) -> str:
    """A public submission in voting with ``yes`` and ``no`` votes of weight 1.0."""
    now = infrastructure.clock.now() - timedelta(minutes=minutes)
    submission = Submission(
        id=uuid.uuid4(),
        game_id=uuid.uuid4(),
        developer_id=uuid.uuid4(),
        submitted_by=uuid.uuid4(),
        title=f"Игра {yes}:{no}",
        description="Описание",
        status=S.ACTIVE_VOTING,
        created_at=now,
        updated_at=now,
        genres=(genre,),
        fee_paid=True,
    )
    async with greenlight_unit_of_work(infrastructure) as uow:
        await uow.submissions.add(submission)
        window = await open_window(uow, submission, now)
        await uow.submissions.save(submission)
        for choice, count in ((VoteChoice.YES, yes), (VoteChoice.NO, no)):
            for _ in range(count):
                added = await uow.votes.add(
                    Vote(
                        id=uuid.uuid4(),
                        submission_id=submission.id,
                        window_id=window.id,
                        user_id=uuid.uuid4(),
                        choice=choice,
                        scores=dict.fromkeys(Category, 3),
                        comment=None,
                        played_demo=False,
                        would_recommend=choice is VoteChoice.YES,
                        weight=10,
                        created_at=now,
                        updated_at=now,
                    )
                )
                assert added
        await uow.commit()
    return str(submission.id)


async def test_trending_ranks_by_the_wilson_lower_bound(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    genre = f"g{uuid.uuid4().hex[:10]}"
    # Newest first would be: none, few, many.
    many = await in_voting(infrastructure, genre, yes=40, no=10, minutes=30)
    few = await in_voting(infrastructure, genre, yes=3, no=0, minutes=20)
    none = await in_voting(infrastructure, genre, yes=0, no=0, minutes=10)

    newest = await client.get(f"{PREFIX}/submissions", params={"filter[genre]": genre})
    assert [item["id"] for item in newest.json()["data"]] == [none, few, many]

    first = await client.get(
        f"{PREFIX}/submissions",
        params={"filter[genre]": genre, "sort": "trending", "page[size]": "2"},
    )
    assert first.status_code == 200, first.text
    body = first.json()
    # 40 of 50 beats 3 of 3 (a raw ratio would put 3 of 3 first); nothing scores 0.
    assert [item["id"] for item in body["data"]] == [many, few]
    bounds = [item["meta"]["wilson_lower_bound"] for item in body["data"]]
    assert 1 > bounds[0] > bounds[1] > 0
    assert body["meta"] == {"sort": "trending"}
    rest = await client.get(body["links"]["next"])
    assert rest.status_code == 200, rest.text
    assert [item["id"] for item in rest.json()["data"]] == [none]
    assert rest.json()["data"][0]["meta"]["wilson_lower_bound"] == 0
    assert rest.json()["links"]["next"] is None

    bad = await client.get(
        f"{PREFIX}/submissions", params={"sort": "trending", "page[cursor]": "x"}
    )
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["code"] == "INVALID_PAGE_CURSOR"
