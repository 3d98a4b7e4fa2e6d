"""Results over the real PostgreSQL: the closing job moves a window open -> audit -> final once,
even with two runners at once (one transition, one event in the outbox), flags votes through
voting, and GET /submissions/{id}/results shows provisional, then final figures.

Windows are opened far in the future (the running service's own job never sees them due) and
the runs are told the time and the submission they may touch."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from parovoz_greenlight.results import service
from parovoz_greenlight.results.ballots import VotingBallots
from parovoz_greenlight.results.domain import Outcome, Window, WindowStatus, tally
from parovoz_greenlight.results.jobs import RESULTS_CLOSE_WINDOWS, run_close_windows
from parovoz_greenlight.results.rules import ResultsRules
from parovoz_greenlight.results.service import (
    NothingFlagged,
    ResultsUnitOfWork,
    Step,
    VoteView,
    counted,
)
from parovoz_greenlight.submissions.domain import Submission, SubmissionStatus
from parovoz_greenlight.unit_of_work import greenlight_unit_of_work
from parovoz_greenlight.voting.domain import Category, Vote, VoteChoice
from parovoz_kit.infrastructure import Infrastructure
from parovoz_testing.tokens import auth
from sqlalchemy import text

S = SubmissionStatus
PREFIX = "/api/v1/greenlight"
#: Far enough ahead that the running service's job never finds these windows due.
FUTURE = timedelta(days=3650)


def rules_of(infrastructure: Infrastructure) -> ResultsRules:
    return infrastructure.settings.results_rules()  # type: ignore[attr-defined, no-any-return]


async def voting_submission(infrastructure: Infrastructure) -> tuple[Submission, Window]:
    """A fresh submission in active voting with its window opened in the future."""
    opens = datetime.now(UTC) + FUTURE + timedelta(seconds=uuid.uuid4().int % 86400)
    submission = Submission(
        id=uuid.uuid4(),
        game_id=uuid.uuid4(),
        developer_id=uuid.uuid4(),
        submitted_by=uuid.uuid4(),
        title="Тестовая игра результатов",
        description="Заявка для проверки подсчёта голосов.",
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
    return submission, window


async def cast(
    infrastructure: Infrastructure, window: Window, choice: VoteChoice, count: int, weight: int = 10
) -> list[uuid.UUID]:
    ids = []
    async with greenlight_unit_of_work(infrastructure) as uow:
        for _ in range(count):
            vote = Vote(
                id=uuid.uuid4(),
                submission_id=window.submission_id,
                window_id=window.id,
                user_id=uuid.uuid4(),
                choice=choice,
                scores=dict.fromkeys(Category, 4),
                comment=None,
                played_demo=weight > 10,
                would_recommend=choice is VoteChoice.YES,
                weight=weight,
                created_at=window.opens_at,
                updated_at=window.opens_at,
            )
            assert await uow.votes.add(vote)
            ids.append(vote.id)
        await uow.commit()
    return ids


async def run(
    infrastructure: Infrastructure,
    submission: Submission,
    at: datetime,
    audit: service.Audit | None = None,
) -> service.ClosingRun:
    return await service.close_windows(
        lambda: greenlight_unit_of_work(infrastructure),  # type: ignore[arg-type, return-value]
        VotingBallots(),
        audit or NothingFlagged(),
        rules_of(infrastructure),
        lambda: at,
        only=[submission.id],
    )


async def state(infrastructure: Infrastructure, submission_id: uuid.UUID) -> tuple[Any, Any]:
    async with greenlight_unit_of_work(infrastructure) as uow:
        return await uow.submissions.get(submission_id), await uow.results.latest_of(submission_id)


async def decisions(infrastructure: Infrastructure, submission_id: uuid.UUID) -> list[Any]:
    async with infrastructure.session_factory() as session:
        rows = await session.execute(
            text("SELECT type, payload FROM outbox WHERE key = :key ORDER BY seq"),
            {"key": str(submission_id)},
        )
        return list(rows)


async def test_two_runners_close_a_window_once_and_announce_once(
    infrastructure: Infrastructure,
) -> None:
    rules = rules_of(infrastructure)
    submission, window = await voting_submission(infrastructure)
    await cast(infrastructure, window, VoteChoice.YES, 3)
    closed = window.closes_at + timedelta(seconds=1)
    first, second = await asyncio.gather(
        run(infrastructure, submission, closed), run(infrastructure, submission, closed)
    )
    steps = [*first.steps.values(), *second.steps.values()]
    assert steps == [Step.AUDIT_STARTED]
    stored, stored_window = await state(infrastructure, submission.id)
    assert stored.status is S.VOTING_COMPLETED
    assert stored_window.status is WindowStatus.AUDIT
    assert await decisions(infrastructure, submission.id) == []  # not before the audit ends

    final = window.closes_at + rules.audit
    first, second = await asyncio.gather(
        run(infrastructure, submission, final), run(infrastructure, submission, final)
    )
    assert [*first.steps.values(), *second.steps.values()] == [Step.REJECTED]
    again = await run(infrastructure, submission, final + timedelta(days=1))
    assert again.steps == {}
    stored, stored_window = await state(infrastructure, submission.id)
    assert stored.status is S.REJECTED
    assert stored_window.outcome is Outcome.NOT_ENOUGH_VOTES
    [(kind, payload)] = await decisions(infrastructure, submission.id)
    assert kind == "greenlight.submission.rejected.v1"
    assert payload["reason"] == "not_enough_votes" and payload["valid_votes"] == 3
    assert payload["removed_votes"] == 0
    assert payload["game_id"] == str(submission.game_id)


class FlagFirst:
    """An audit finding the first ``count`` votes manipulated."""

    def __init__(self, ids: Sequence[uuid.UUID]) -> None:
        self.ids = ids

    async def flagged(
        self, uow: ResultsUnitOfWork, window: Window, votes: Sequence[VoteView]
    ) -> Mapping[uuid.UUID, str]:
        return dict.fromkeys(self.ids, "burst_of_new_accounts")


async def test_the_audit_flags_votes_and_enough_weighted_yes_approves(
    infrastructure: Infrastructure,
) -> None:
    rules = rules_of(infrastructure)
    submission, window = await voting_submission(infrastructure)
    yes = rules.minimum_valid_votes * 6 // 10
    await cast(infrastructure, window, VoteChoice.YES, yes, weight=15)
    await cast(infrastructure, window, VoteChoice.NO, rules.minimum_valid_votes - yes)
    bought = await cast(infrastructure, window, VoteChoice.NO, 4)
    await run(infrastructure, submission, window.closes_at)
    ran = await run(
        infrastructure, submission, window.closes_at + rules.audit, audit=FlagFirst(bought)
    )
    assert list(ran.steps.values()) == [Step.APPROVED]
    async with greenlight_unit_of_work(infrastructure) as uow:
        stored = {v.id: v for v in await uow.votes.of_window(submission.id, window.id)}
    assert all(stored[i].weight == 0 and stored[i].flagged_reason for i in bought)
    [(kind, payload)] = await decisions(infrastructure, submission.id)
    assert kind == "greenlight.submission.approved.v1"
    assert payload["valid_votes"] == rules.minimum_valid_votes
    assert payload["removed_votes"] == len(bought)
    assert payload["approval_basis_points"] >= rules.approval_threshold_basis_points


async def test_results_are_provisional_then_final(
    infrastructure: Infrastructure, client: httpx.AsyncClient
) -> None:
    rules = rules_of(infrastructure)
    submission, window = await voting_submission(infrastructure)
    await cast(infrastructure, window, VoteChoice.YES, 6)
    await cast(infrastructure, window, VoteChoice.NO, 2, weight=15)
    url = f"{PREFIX}/submissions/{submission.id}/results"
    answer = await client.get(url)
    assert answer.status_code == 200, answer.text
    live = answer.json()["data"]["attributes"]
    assert live["provisional"] is True and live["outcome"] is None
    assert (live["valid_votes"], live["removed_votes"]) == (8, 0)
    assert (live["weighted_yes"], live["weighted_no"]) == (6.0, 3.0)
    assert live["approval_basis_points"] == 6666
    assert 0 < live["wilson"]["lower"] < 0.6666 < live["wilson"]["upper"] < 1
    assert live["votes_needed"] == rules.minimum_valid_votes - 8
    assert live["rule"] == {
        "minimum_valid_votes": rules.minimum_valid_votes,
        "approval_threshold_basis_points": rules.approval_threshold_basis_points,
    }
    assert live["window"]["status"] == "open"

    await run(infrastructure, submission, window.closes_at)
    audit = (await client.get(url, headers=auth(uuid.uuid4()))).json()["data"]["attributes"]
    assert audit["provisional"] is True and audit["window"]["status"] == "audit"
    await run(infrastructure, submission, window.closes_at + rules.audit)
    final = (await client.get(url)).json()["data"]["attributes"]
    assert final["provisional"] is False
    assert final["outcome"] == "not_enough_votes"
    assert final["valid_votes"] == 8 and final["window"]["status"] == "final"


async def test_provisional_counts_by_the_database_equal_the_domains_tally(
    infrastructure: Infrastructure, client: httpx.AsyncClient
) -> None:
    """Provisional results are counted by one aggregate query: the same figures as the
    domain's tally of every vote (flagged ones removed, abstentions valid but weightless)."""
    submission, window = await voting_submission(infrastructure)
    yes = await cast(infrastructure, window, VoteChoice.YES, 5, weight=15)
    await cast(infrastructure, window, VoteChoice.YES, 3)
    no = await cast(infrastructure, window, VoteChoice.NO, 4)
    await cast(infrastructure, window, VoteChoice.ABSTAIN, 2)
    async with greenlight_unit_of_work(infrastructure) as uow:
        await VotingBallots().flag_votes(uow, [yes[0], no[0]], "burst")  # type: ignore[arg-type]
        await uow.commit()
    async with greenlight_unit_of_work(infrastructure) as uow:
        ballots = VotingBallots()
        by_database = await ballots.counts_of(uow, submission.id, window.id)  # type: ignore[arg-type]
        by_domain = tally(counted(await ballots.votes_of(uow, submission.id, window.id)))  # type: ignore[arg-type]
    assert by_database == by_domain
    assert (by_database.valid_votes, by_database.removed_votes) == (12, 2)
    assert (by_database.weighted_yes, by_database.weighted_no) == (4 * 15 + 3 * 10, 3 * 10)
    shown = (await client.get(f"{PREFIX}/submissions/{submission.id}/results")).json()
    attributes = shown["data"]["attributes"]
    assert (attributes["valid_votes"], attributes["removed_votes"]) == (12, 2)
    assert (attributes["weighted_yes"], attributes["weighted_no"]) == (9.0, 3.0)


async def test_results_of_an_unknown_or_unvoted_submission_are_404(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.get(f"{PREFIX}/submissions/{uuid.uuid4()}/results")
    assert answer.status_code == 404
    [error] = answer.json()["errors"]
    assert error["code"] == "SUBMISSION_NOT_FOUND" and error["detail"]
    assert (await client.get(f"{PREFIX}/submissions/not-a-uuid/results")).status_code in (
        400,
        404,
    )


async def test_the_job_runs_through_its_lease(
    infrastructure: Infrastructure, client: httpx.AsyncClient
) -> None:
    submission, window = await voting_submission(infrastructure)
    clock = infrastructure.clock
    offset = clock.offset  # type: ignore[attr-defined]
    clock.offset = window.closes_at - datetime.now(UTC) + timedelta(minutes=1)  # type: ignore[attr-defined]
    try:
        ran = await run_close_windows(infrastructure, only=[submission.id])
    finally:
        clock.offset = offset  # type: ignore[attr-defined]
    assert list(ran.steps.values()) == [Step.AUDIT_STARTED]
    answer = await client.post(
        f"/internal/jobs/{RESULTS_CLOSE_WINDOWS}/run",
        params={"period": f"test-{uuid.uuid4().hex}"},
        headers=auth(uuid.uuid4(), ["admin"]),
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["attributes"]["outcome"] == "ran"
