"""The audit's own penalties on the real engines, through the closing job's steps: a voter over
the hourly limit is warned when the window's audit ends; offending again after the warning gets
a 7-day voting suspension; a rerun issues nothing; the suspended voter's next vote is 403
VOTING_NOT_ELIGIBLE naming the suspension; the penalties show as automatic and are appealable.

The clock of this module's app stands ten years ahead (windows there are never due for the
running service's job); votes of other submissions are written directly."""

from __future__ import annotations

import dataclasses
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from parovoz_greenlight.integrity.audit import IntegrityAudit
from parovoz_greenlight.integrity.penalties import AUDIT_ISSUER, PenaltyType
from parovoz_greenlight.main import SERVICE
from parovoz_greenlight.results import service
from parovoz_greenlight.results.ballots import VotingBallots
from parovoz_greenlight.results.domain import Window
from parovoz_greenlight.settings import GreenlightSettings
from parovoz_greenlight.submissions.domain import Submission, SubmissionStatus
from parovoz_greenlight.unit_of_work import greenlight_unit_of_work
from parovoz_greenlight.voting.domain import Category, Vote, VoteChoice
from parovoz_kit.clock import ManualClock, SystemClock
from parovoz_kit.infrastructure import Infrastructure, open_infrastructure
from parovoz_kit.service import build_app, job_runner
from parovoz_testing.tokens import user_token

sys.path.insert(0, str(Path(__file__).parent))
from greenlight_voting_support import voter

PREFIX = "/api/v1/greenlight"
SETTINGS = GreenlightSettings(environment="test")
RESULTS, INTEGRITY, PENALTIES = (
    SETTINGS.results_rules(),
    SETTINGS.integrity_rules(),
    SETTINGS.penalty_rules(),
)


@pytest.fixture(scope="module")
def clock() -> ManualClock:
    ahead = timedelta(days=3650, seconds=uuid.uuid4().int % 86_400)
    return ManualClock(SystemClock().now() + ahead)


@pytest.fixture(scope="module")
async def infrastructure(clock: ManualClock) -> AsyncIterator[Infrastructure]:
    async with open_infrastructure(SETTINGS) as infra:
        yield dataclasses.replace(infra, clock=clock)


@pytest.fixture(scope="module")
async def client(infrastructure: Infrastructure) -> AsyncIterator[httpx.AsyncClient]:
    app = build_app(SERVICE, infrastructure, job_runner(SERVICE, infrastructure))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://greenlight") as http:
        yield http


def auth(user_id: uuid.UUID) -> dict[str, str]:
    return {"Authorization": f"Bearer {user_token(str(user_id))}"}


class Ages:
    """Every voter an old account (no burst): only the rate limit flags here."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    async def created_at(self, user_id: uuid.UUID) -> datetime | None:
        return self.now - timedelta(days=3650)


async def in_voting(infrastructure: Infrastructure, opens: datetime, days: int) -> Window:
    submission = Submission(
        id=uuid.uuid4(),
        game_id=uuid.uuid4(),
        developer_id=uuid.uuid4(),
        submitted_by=uuid.uuid4(),
        title="Заявка под аудитом",
        description="Проверка автоматических взысканий по итогам аудита голосования.",
        status=SubmissionStatus.ACTIVE_VOTING,
        created_at=opens,
        updated_at=opens,
        fee_paid=True,
        demo_links=("https://demo.example.ru/audit",),
    )
    async with greenlight_unit_of_work(infrastructure) as uow:
        await uow.submissions.add(submission)
        window = await service.open_window(uow, submission, opens, days=days)  # type: ignore[arg-type]
        await uow.submissions.save(submission)
        await uow.commit()
    return window


async def write_votes(
    infrastructure: Infrastructure, user_id: uuid.UUID, cast: list[tuple[Window | None, datetime]]
) -> None:
    """Votes written directly (a window None: a vote of some other submission)."""
    async with greenlight_unit_of_work(infrastructure) as uow:
        for window, at in cast:
            vote = Vote(
                id=uuid.uuid4(),
                submission_id=window.submission_id if window else uuid.uuid4(),
                window_id=window.id if window else uuid.uuid4(),
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


async def over_the_limit(
    infrastructure: Infrastructure, user_id: uuid.UUID, window: Window, start: datetime
) -> None:
    """``limit`` votes elsewhere within an hour from ``start``, then one in ``window``."""
    elsewhere = [(None, start + timedelta(minutes=i)) for i in range(INTEGRITY.rate_limit_votes)]
    last = start + timedelta(minutes=INTEGRITY.rate_limit_votes)
    await write_votes(infrastructure, user_id, [*elsewhere, (window, last)])


async def close_and_audit(
    infrastructure: Infrastructure, window: Window, audit: IntegrityAudit
) -> list[service.Step]:
    steps: list[service.Step] = []
    for at in (window.closes_at + timedelta(seconds=1), window.closes_at + RESULTS.audit):
        run = await service.close_windows(
            lambda: greenlight_unit_of_work(infrastructure),  # type: ignore[arg-type, return-value]
            VotingBallots(),
            audit,
            RESULTS,
            lambda at=at: at,  # type: ignore[misc]
            only=[window.submission_id],
        )
        steps.extend(run.steps.values())
    return steps


async def test_a_second_offence_suspends_and_the_suspended_voter_cannot_vote(
    client: httpx.AsyncClient, infrastructure: Infrastructure, clock: ManualClock
) -> None:
    now = clock.now()
    user = await voter(clock)
    audited_at: list[datetime] = []

    def audit_now() -> datetime:
        return audited_at[-1]

    audit = IntegrityAudit(INTEGRITY, Ages(now), now=audit_now, penalties=PENALTIES)

    # First offence: warned when the first window's audit ends (nine days ago).
    first = await in_voting(infrastructure, now - timedelta(days=12), days=2)
    await over_the_limit(infrastructure, user, first, first.opens_at + timedelta(hours=1))
    audited_at.append(first.closes_at + RESULTS.audit)
    assert await close_and_audit(infrastructure, first, audit) == [
        service.Step.AUDIT_STARTED,
        service.Step.REJECTED,
    ]
    # Second offence, after the warning: a 7-day voting suspension from its audit (yesterday).
    second = await in_voting(infrastructure, now - timedelta(days=4), days=2)
    await over_the_limit(infrastructure, user, second, second.opens_at + timedelta(hours=1))
    audited_at.append(second.closes_at + RESULTS.audit)
    await close_and_audit(infrastructure, second, audit)

    async with greenlight_unit_of_work(infrastructure) as uow:
        penalties = sorted(await uow.integrity.penalties_of(user), key=lambda p: p.starts_at)
    warning, suspension = penalties
    assert (warning.type, warning.window_id) == (PenaltyType.WARNING, first.id)
    assert (suspension.type, suspension.window_id) == (PenaltyType.VOTING_SUSPENSION, second.id)
    short = min(PENALTIES.voting_suspension_days)
    assert suspension.ends_at == suspension.starts_at + timedelta(days=short)
    assert "rate_limit" in suspension.reason and str(second.submission_id) in suspension.reason
    assert suspension.issued_by == AUDIT_ISSUER

    # A rerun of the second audit (another runner) issues nothing new.
    async with greenlight_unit_of_work(infrastructure) as uow:
        votes = await uow.votes.of_window(second.submission_id, second.id)
        await audit.flagged(uow, second, votes)  # type: ignore[arg-type]
        await uow.commit()
    async with greenlight_unit_of_work(infrastructure) as uow:
        assert len(await uow.integrity.penalties_of(user)) == 2

    # The suspended voter's next vote is refused, with the suspension named.
    open_now = await in_voting(infrastructure, now, days=30)
    refused = await client.post(
        f"{PREFIX}/submissions/{open_now.submission_id}/votes",
        json={
            "data": {
                "type": "vote",
                "attributes": {
                    "choice": "yes",
                    "scores": {c.value: 4 for c in Category},
                    "played_demo": False,
                },
            }
        },
        headers=auth(user),
    )
    assert refused.status_code == 403, refused.text
    [error] = refused.json()["errors"]
    assert error["code"] == "VOTING_NOT_ELIGIBLE"
    assert "VOTING_SUSPENDED" in error["detail"]
    assert suspension.ends_at is not None and suspension.ends_at.isoformat() in error["detail"]

    # Shown to the voter as automatic; appealable like a moderator's.
    mine = await client.get(f"{PREFIX}/penalties/mine", headers=auth(user))
    assert mine.status_code == 200, mine.text
    shown = {p["id"]: p["attributes"] for p in mine.json()["data"]}
    assert shown[str(suspension.id)]["automatic"] is True
    assert shown[str(suspension.id)]["window_id"] == str(second.id)
    assert shown[str(suspension.id)]["in_force"] is True
    appeal = {"data": {"type": "penalty-appeal", "attributes": {"text": "Я голосовал сам."}}}
    appealed = await client.post(
        f"{PREFIX}/penalties/{suspension.id}/appeal", json=appeal, headers=auth(user)
    )
    assert appealed.status_code == 200, appealed.text
    assert appealed.json()["data"]["attributes"]["appealed_at"] is not None
