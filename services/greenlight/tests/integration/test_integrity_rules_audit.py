"""The integrity audit over the real PostgreSQL: a burst of 40 young accounts and a lockstep ring
are flagged when the window's audit ends, and the result counts only the valid votes.

Windows are opened far in the future (the running service's job never sees them due); the runs
are told the time and the submission they may touch; account ages come from an in-memory port."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta

import httpx
from parovoz_greenlight.integrity.audit import IntegrityAudit
from parovoz_greenlight.integrity.penalties import PenaltyType
from parovoz_greenlight.integrity.reports_repository import SqlReports
from parovoz_greenlight.results import service
from parovoz_greenlight.results.ballots import VotingBallots
from parovoz_greenlight.results.domain import Window
from parovoz_greenlight.results.rules import ResultsRules
from parovoz_greenlight.submissions.domain import Submission, SubmissionStatus
from parovoz_greenlight.unit_of_work import greenlight_unit_of_work
from parovoz_greenlight.voting.domain import Category, Vote, VoteChoice
from parovoz_kit.infrastructure import Infrastructure
from parovoz_testing.tokens import auth

S = SubmissionStatus
FUTURE = timedelta(days=3650)
#: Every voter of these tests its own /24 (a shared one would be suspicious).
SUBNETS = itertools.count(uuid.uuid4().int % 60_000)


class Ages:
    def __init__(self) -> None:
        self.created: dict[uuid.UUID, datetime] = {}
        self.asked: list[uuid.UUID] = []

    async def created_at(self, user_id: uuid.UUID) -> datetime | None:
        self.asked.append(user_id)
        return self.created.get(user_id)


def results_rules(infrastructure: Infrastructure) -> ResultsRules:
    return infrastructure.settings.results_rules()  # type: ignore[attr-defined, no-any-return]


async def voting_submission(infrastructure: Infrastructure, opens: datetime) -> Window:
    submission = Submission(
        id=uuid.uuid4(),
        game_id=uuid.uuid4(),
        developer_id=uuid.uuid4(),
        submitted_by=uuid.uuid4(),
        title="Игра под проверкой честности",
        description="Заявка для проверки правил против накруток.",
        status=S.ACTIVE_VOTING,
        created_at=opens,
        updated_at=opens,
        fee_paid=True,
    )
    async with greenlight_unit_of_work(infrastructure) as uow:
        await uow.submissions.add(submission)
        window = await service.open_window(uow, submission, opens)  # type: ignore[arg-type]
        await uow.submissions.save(submission)
        await uow.commit()
    return window


async def cast(
    infrastructure: Infrastructure,
    window: Window,
    user_id: uuid.UUID,
    at: datetime,
    choice: VoteChoice = VoteChoice.YES,
) -> uuid.UUID:
    vote = Vote(
        id=uuid.uuid4(),
        submission_id=window.submission_id,
        window_id=window.id,
        user_id=user_id,
        choice=choice,
        scores=dict.fromkeys(Category, 4),
        comment=None,
        played_demo=False,
        would_recommend=choice is VoteChoice.YES,
        weight=10,
        created_at=at,
        updated_at=at,
        device_fingerprint=f"device-{user_id}",
        ip_prefix=f"10.{next(SUBNETS) // 250 % 250}.{next(SUBNETS) % 250}.0/24",
    )
    async with greenlight_unit_of_work(infrastructure) as uow:
        assert await uow.votes.add(vote)
        await uow.commit()
    return vote.id


async def test_a_young_burst_and_a_lockstep_ring_are_flagged_and_not_counted(
    infrastructure: Infrastructure, client: httpx.AsyncClient
) -> None:
    rules = results_rules(infrastructure)
    integrity = infrastructure.settings.integrity_rules()  # type: ignore[attr-defined]
    ages = Ages()
    opens = datetime.now(UTC) + FUTURE + timedelta(seconds=uuid.uuid4().int % 86400)
    windows = [await voting_submission(infrastructure, opens) for _ in range(3)]
    target = windows[0]

    honest = []
    for i in range(rules.minimum_valid_votes):
        user = uuid.uuid4()
        ages.created[user] = opens - timedelta(days=400)
        choice = VoteChoice.YES if i % 10 < 7 else VoteChoice.NO
        honest.append(await cast(infrastructure, target, user, opens + timedelta(hours=i), choice))

    burst = []
    for i in range(40):  # 40 accounts 10 days old, all within 4 minutes
        user = uuid.uuid4()
        ages.created[user] = opens - timedelta(days=10)
        burst.append(
            await cast(
                infrastructure, target, user, opens + timedelta(days=2, minutes=30, seconds=6 * i)
            )
        )

    ring_users = [uuid.uuid4() for _ in range(3)]
    ring: dict[uuid.UUID, list[uuid.UUID]] = {w.id: [] for w in windows}
    for k, window in enumerate(windows):  # same choice, same submissions, a minute apart
        for j, user in enumerate(ring_users):
            ages.created[user] = opens - timedelta(days=400)
            at = opens + timedelta(days=3, hours=k, minutes=30 + j)
            ring[window.id].append(await cast(infrastructure, window, user, at, VoteChoice.NO))

    closed = target.closes_at + timedelta(seconds=1)
    audit = IntegrityAudit(
        integrity,
        ages,
        reports=lambda uow: SqlReports(uow.session),  # type: ignore[attr-defined]
        now=lambda: closed + rules.audit,
        penalties=infrastructure.settings.penalty_rules(),  # type: ignore[attr-defined]
    )
    url = f"/api/v1/greenlight/submissions/{target.submission_id}/manipulation-report"
    none_yet = await client.get(url, headers=auth(uuid.uuid4(), ["moderator"]))
    assert none_yet.status_code == 404, none_yet.text
    assert none_yet.json()["errors"][0]["code"] == "MANIPULATION_REPORT_NOT_FOUND", none_yet.text
    for window in windows:
        run = service.close_windows(
            lambda: greenlight_unit_of_work(infrastructure),  # type: ignore[arg-type, return-value]
            VotingBallots(),
            audit,
            rules,
            lambda: closed,
            only=[window.submission_id],
        )
        assert list((await run).steps.values()) == [service.Step.AUDIT_STARTED]

    final = closed + rules.audit
    steps: list[service.Step] = []
    for window in windows:
        ran = await service.close_windows(
            lambda: greenlight_unit_of_work(infrastructure),  # type: ignore[arg-type, return-value]
            VotingBallots(),
            audit,
            rules,
            lambda: final,
            only=[window.submission_id],
        )
        steps.extend(ran.steps.values())
    async with greenlight_unit_of_work(infrastructure) as uow:
        stored = {v.id: v for v in await uow.votes.of_window(target.submission_id, target.id)}
        latest = await uow.results.latest_of(target.submission_id)
    assert all(stored[i].weight == 0 and stored[i].flagged_reason == "burst" for i in burst)
    assert all(
        stored[i].weight == 0 and stored[i].flagged_reason == "lockstep" for i in ring[target.id]
    )
    assert all(stored[i].weight == 10 and stored[i].flagged_reason is None for i in honest)
    assert latest is not None
    assert latest.removed_votes == len(burst) + len(ring_users)
    assert latest.valid_votes == len(honest)
    assert steps[0] is service.Step.APPROVED  # 70 % yes of the valid votes
    for roles in (["moderator"], ["curator"], ["admin"]):
        answer = await client.get(url, headers=auth(uuid.uuid4(), roles))
        assert answer.status_code == 200, answer.text
        report = answer.json()["data"]["attributes"]
        assert report["window_id"] == str(target.id)
        assert report["votes_examined"] == len(honest) + len(burst) + len(ring_users)
        assert (report["rate_limit_votes"], report["burst_votes"], report["lockstep_votes"]) == (
            0,
            len(burst),
            len(ring_users),
        )
        assert set(report["flagged_vote_ids"]) == {str(i) for i in [*burst, *ring[target.id]]}
    voter = await client.get(url, headers=auth(uuid.uuid4()))
    assert voter.status_code == 403
    missing = await client.get(
        f"/api/v1/greenlight/submissions/{uuid.uuid4()}/manipulation-report",
        headers=auth(uuid.uuid4(), ["admin"]),
    )
    assert missing.status_code == 404
    assert missing.json()["errors"][0]["code"] == "SUBMISSION_NOT_FOUND"
    for window in windows[1:]:
        async with greenlight_unit_of_work(infrastructure) as uow:
            theirs = await uow.votes.of_window(window.submission_id, window.id)
        assert {v.id for v in theirs} == set(ring[window.id])
        assert all(v.flagged_reason == "lockstep" for v in theirs)

    # Each flagged voter was warned by the audit of each window that flagged them, in its
    # transaction: the burst once, the ring once per window (all cast before any warning).
    async with greenlight_unit_of_work(infrastructure) as uow:
        voters = {v.user_id: v for v in await uow.votes.of_window(target.submission_id, target.id)}
        burst_users = {stored[i].user_id for i in burst}
        penalized = {u: await uow.integrity.penalties_of(u) for u in voters}
    assert len(burst_users) == len(burst)
    for user in burst_users:
        [warning] = penalized[user]
        assert (warning.type, warning.window_id, warning.ends_at) == (
            PenaltyType.WARNING,
            target.id,
            None,
        )
        assert "burst" in warning.reason and str(target.submission_id) in warning.reason
    for user in ring_users:
        warnings = penalized[user]
        assert {p.type for p in warnings} == {PenaltyType.WARNING}
        assert {p.window_id for p in warnings} == {w.id for w in windows}
        assert all("lockstep" in p.reason for p in warnings)
    assert all(not penalized[stored[i].user_id] for i in honest)
    # A rerun of the audit (a second runner) issues nothing new.
    async with greenlight_unit_of_work(infrastructure) as uow:
        votes = await uow.votes.of_window(target.submission_id, target.id)
        await audit.flagged(uow, target, votes)  # type: ignore[arg-type]
        await uow.commit()
    async with greenlight_unit_of_work(infrastructure) as uow:
        for user in [*burst_users, *ring_users]:
            assert len(await uow.integrity.penalties_of(user)) == len(penalized[user])


async def test_votes_apart_in_time_are_not_flagged(infrastructure: Infrastructure) -> None:
    rules = results_rules(infrastructure)
    integrity = infrastructure.settings.integrity_rules()  # type: ignore[attr-defined]
    ages = Ages()
    opens = datetime.now(UTC) + FUTURE + timedelta(seconds=uuid.uuid4().int % 86400)
    window = await voting_submission(infrastructure, opens)
    young = []
    for i in range(integrity.burst_votes + 5):  # young, but an hour apart: no burst
        user = uuid.uuid4()
        ages.created[user] = opens - timedelta(days=1)
        young.append(await cast(infrastructure, window, user, opens + timedelta(hours=i)))
    async with greenlight_unit_of_work(infrastructure) as uow:
        votes = await uow.votes.of_window(window.submission_id, window.id)
        flagged = await IntegrityAudit(integrity, ages).flagged(uow, window, votes)  # type: ignore[arg-type]
    assert flagged == {}
    assert sorted(ages.asked, key=str) == sorted(set(ages.asked), key=str)  # once per voter
    assert len(ages.asked) == len(young)
    assert rules.minimum_valid_votes > 0


async def test_the_report_route_is_documented(client: httpx.AsyncClient) -> None:
    answer = await client.get("/api/v1/greenlight/openapi.json")
    assert answer.status_code == 200, answer.text
    paths = answer.json()["paths"]
    route = paths["/api/v1/greenlight/submissions/{submission_id}/manipulation-report"]["get"]
    assert {"200", "403", "404"} <= set(route["responses"])
