"""Results' use cases over in-memory fakes: opening windows, the closing job's steps (audit,
final result, the decision's event once) and a submission's provisional and final results."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from parovoz_events import EventData
from parovoz_events.greenlight import SubmissionApproved, SubmissionRejected
from parovoz_greenlight.results import service
from parovoz_greenlight.results.domain import Outcome, Tally, Window, WindowStatus, tally
from parovoz_greenlight.results.rules import ResultsRules
from parovoz_greenlight.results.service import (
    NothingFlagged,
    ResultsUnitOfWork,
    Step,
    VoteView,
    counted,
)
from parovoz_greenlight.settings import GreenlightSettings
from parovoz_greenlight.submissions.domain import Submission, SubmissionStatus
from parovoz_kit.errors import NotFound

S = SubmissionStatus
RULES: ResultsRules = GreenlightSettings().results_rules()
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@dataclass
class FakeVote:
    id: uuid.UUID
    choice: str
    weight: int
    flagged_reason: str | None = None


class FakeWindows:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Window] = {}
        self.rules = RULES

    async def add(self, window: Window) -> None:
        self.rows[window.id] = window

    async def save(self, window: Window) -> None:
        self.rows[window.id] = window

    async def latest_of(self, submission_id: uuid.UUID) -> Window | None:
        mine = [w for w in self.rows.values() if w.submission_id == submission_id]
        return max(mine, key=lambda w: w.number) if mine else None

    async def count_of(self, submission_id: uuid.UUID) -> int:
        return sum(1 for w in self.rows.values() if w.submission_id == submission_id)

    async def next_due(
        self,
        now: datetime,
        *,
        skip: Collection[uuid.UUID] = (),
        only: Collection[uuid.UUID] | None = None,
    ) -> Window | None:
        for w in sorted(self.rows.values(), key=lambda w: w.closes_at):
            if w.id in skip or (only is not None and w.submission_id not in only):
                continue
            if w.audit_due(now) or w.final_due(now):
                return w
        return None


class FakeSubmissions:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Submission] = {}

    async def get(self, submission_id: uuid.UUID) -> Submission | None:
        return self.rows.get(submission_id)

    async def get_for_update(self, submission_id: uuid.UUID) -> Submission | None:
        return self.rows.get(submission_id)

    async def save(self, submission: Submission) -> None:
        self.rows[submission.id] = submission


@dataclass
class FakeUow:
    results: FakeWindows = field(default_factory=FakeWindows)
    submissions: FakeSubmissions = field(default_factory=FakeSubmissions)
    pending: list[EventData] = field(default_factory=list)
    emitted: list[EventData] = field(default_factory=list)
    commits: int = 0

    def emit(self, item: EventData, *, subject: str | None = None, topic: str | None = None) -> Any:
        self.pending.append(item)

    async def commit(self) -> None:
        self.commits += 1
        self.emitted.extend(self.pending)
        self.pending.clear()

    async def __aenter__(self) -> FakeUow:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.pending.clear()


class FakeBallots:
    def __init__(self) -> None:
        self.votes: dict[uuid.UUID, list[FakeVote]] = {}
        self.flag_calls: list[tuple[list[uuid.UUID], str]] = []

    async def votes_of(
        self, uow: ResultsUnitOfWork, submission_id: uuid.UUID, window_id: uuid.UUID
    ) -> Sequence[VoteView]:
        return list(self.votes.get(window_id, []))

    async def flag_votes(
        self, uow: ResultsUnitOfWork, vote_ids: Collection[uuid.UUID], reason: str
    ) -> None:
        self.flag_calls.append((list(vote_ids), reason))
        for vote in (v for votes in self.votes.values() for v in votes):
            if vote.id in vote_ids:
                vote.weight, vote.flagged_reason = 0, reason

    async def counts_of(
        self, uow: ResultsUnitOfWork, submission_id: uuid.UUID, window_id: uuid.UUID
    ) -> Tally:
        return tally(counted(self.votes.get(window_id, [])))

    def cast(self, window: Window, yes: int, no: int, weight: int = 10) -> list[FakeVote]:
        new = [FakeVote(uuid.uuid4(), "yes", weight) for _ in range(yes)] + [
            FakeVote(uuid.uuid4(), "no", weight) for _ in range(no)
        ]
        self.votes.setdefault(window.id, []).extend(new)
        return new


class FlagThese:
    def __init__(self, reasons: Mapping[uuid.UUID, str]) -> None:
        self.reasons = reasons

    async def flagged(
        self, uow: ResultsUnitOfWork, window: Window, votes: Sequence[VoteView]
    ) -> Mapping[uuid.UUID, str]:
        return self.reasons


def submission(status: SubmissionStatus = S.ACTIVE_VOTING) -> Submission:
    return Submission(
        id=uuid.uuid4(),
        game_id=uuid.uuid4(),
        developer_id=uuid.uuid4(),
        submitted_by=uuid.uuid4(),
        title="Игра",
        description="Описание",
        status=status,
        created_at=T0,
        updated_at=T0,
        fee_paid=True,
    )


async def voting(uow: FakeUow) -> tuple[Submission, Window]:
    sub = submission()
    uow.submissions.rows[sub.id] = sub
    window = await service.open_window(uow, sub, T0)
    return sub, window


async def test_open_window_lasts_the_window_and_the_appeal_window_after() -> None:
    uow = FakeUow()
    sub, first = await voting(uow)
    assert (first.number, first.status) == (1, WindowStatus.OPEN)
    assert first.closes_at - first.opens_at == RULES.window
    assert (sub.voting_started_at, sub.voting_ends_at) == (first.opens_at, first.closes_at)
    assert await service.open_window(uow, sub, T0 + timedelta(days=1)) is first  # still open
    first.finalize(service.tally([]), Outcome.NOT_ENOUGH_VOTES, T0 + RULES.window)
    later = T0 + timedelta(days=40)
    second = await service.open_window(uow, sub, later)
    assert second.number == 2 and second.closes_at == later + RULES.appeal_window
    assert second.id != first.id


async def test_open_window_of_is_the_window_accepting_votes() -> None:
    uow = FakeUow()
    sub, window = await voting(uow)
    assert await service.open_window_of(uow, sub.id, T0 + timedelta(days=1)) == window
    assert await service.open_window_of(uow, sub.id, window.closes_at) is None
    assert await service.open_window_of(uow, uuid.uuid4(), T0) is None


async def test_a_window_past_its_end_goes_to_audit_and_the_submission_completes() -> None:
    uow, ballots = FakeUow(), FakeBallots()
    sub, window = await voting(uow)
    before = window.closes_at - timedelta(seconds=1)
    step = await service.close_window(uow, ballots, NothingFlagged(), RULES, window, before)
    assert step is Step.NOT_DUE and window.status is WindowStatus.OPEN
    step = await service.close_window(
        uow, ballots, NothingFlagged(), RULES, window, window.closes_at
    )
    assert step is Step.AUDIT_STARTED
    assert window.status is WindowStatus.AUDIT
    assert window.audit_ends_at == window.closes_at + RULES.audit
    assert sub.status is S.VOTING_COMPLETED
    assert uow.pending == []  # nothing is announced before the audit ends


async def closed(uow: FakeUow, ballots: FakeBallots, audit: Any = None) -> list[Step]:
    """Runs the job at the window's end, then at the audit's end."""
    window = next(iter(uow.results.rows.values()))
    steps = []
    for at in (window.closes_at, window.closes_at + RULES.audit):
        run = await service.close_windows(
            lambda: uow, ballots, audit or NothingFlagged(), RULES, lambda at=at: at
        )
        steps.extend(run.steps.values())
    return steps


async def test_enough_weighted_yes_approves_and_announces_once() -> None:
    uow, ballots = FakeUow(), FakeBallots()
    sub, window = await voting(uow)
    ballots.cast(window, yes=RULES.minimum_valid_votes * 6 // 10, no=0, weight=15)
    ballots.cast(window, yes=0, no=RULES.minimum_valid_votes * 4 // 10 + 10)
    assert await closed(uow, ballots) == [Step.AUDIT_STARTED, Step.APPROVED]
    assert sub.status is S.APPROVED and window.outcome is Outcome.APPROVED
    [event] = uow.emitted
    assert isinstance(event, SubmissionApproved)
    assert event.game_id == sub.game_id and event.developer_id == sub.developer_id
    assert event.valid_votes == window.valid_votes == RULES.minimum_valid_votes + 10
    assert event.removed_votes == 0
    assert event.approval_basis_points == window.approval_basis_points
    assert event.approval_basis_points >= RULES.approval_threshold_basis_points
    # a later run finds nothing due: never twice
    again = await service.close_windows(
        lambda: uow, ballots, NothingFlagged(), RULES, lambda: T0 + timedelta(days=90)
    )
    assert again.steps == {} and len(uow.emitted) == 1


async def test_too_few_valid_votes_reject_with_an_appeal_period() -> None:
    uow, ballots = FakeUow(), FakeBallots()
    sub, window = await voting(uow)
    ballots.cast(window, yes=RULES.minimum_valid_votes - 1, no=0)
    assert await closed(uow, ballots) == [Step.AUDIT_STARTED, Step.REJECTED]
    [event] = uow.emitted
    assert isinstance(event, SubmissionRejected)
    assert event.reason == "not_enough_votes"
    assert event.valid_votes == RULES.minimum_valid_votes - 1
    assert event.removed_votes == 0
    assert event.approval_basis_points == 10000
    assert event.appealable_until == event.rejected_at + RULES.appeal_period
    assert sub.status is S.REJECTED


async def test_the_audit_removes_flagged_votes_before_the_result() -> None:
    uow, ballots = FakeUow(), FakeBallots()
    _, window = await voting(uow)
    honest = ballots.cast(window, yes=RULES.minimum_valid_votes, no=0)
    bought = ballots.cast(window, yes=0, no=5)
    flagged = {vote.id: "burst" for vote in [*bought, honest[0]]}
    steps = await closed(uow, ballots, FlagThese(flagged))
    assert steps == [Step.AUDIT_STARTED, Step.REJECTED]  # one honest vote short after the audit
    assert ballots.flag_calls and {i for ids, _ in ballots.flag_calls for i in ids} == set(flagged)
    [event] = uow.emitted
    assert isinstance(event, SubmissionRejected)
    assert event.valid_votes == RULES.minimum_valid_votes - 1
    assert window.removed_votes == 6
    assert event.removed_votes == window.removed_votes  # as approved.v1 carries them


async def test_low_approval_rejects_and_a_second_window_is_not_appealable() -> None:
    uow, ballots = FakeUow(), FakeBallots()
    _, window = await voting(uow)
    window.number = 2
    ballots.cast(window, yes=RULES.minimum_valid_votes // 2, no=RULES.minimum_valid_votes // 2)
    await closed(uow, ballots)
    [event] = uow.emitted
    assert isinstance(event, SubmissionRejected)
    assert event.reason == "approval_below_threshold" and event.appealable_until is None


async def test_a_withdrawn_submission_closes_without_a_result() -> None:
    uow, ballots = FakeUow(), FakeBallots()
    sub, window = await voting(uow)
    sub.move(S.WITHDRAWN, T0 + timedelta(days=2))
    assert await closed(uow, ballots) == [Step.CLOSED_WITHOUT_RESULT]
    assert window.outcome is Outcome.WITHDRAWN and uow.emitted == []


async def test_results_are_provisional_until_final() -> None:
    uow, ballots = FakeUow(), FakeBallots()
    sub, window = await voting(uow)
    with pytest.raises(NotFound):
        await service.results_of(uow, ballots, RULES, uuid.uuid4())
    ballots.cast(window, yes=30, no=10)
    ballots.votes[window.id].append(FakeVote(uuid.uuid4(), "yes", 0, "burst"))
    live = await service.results_of(uow, ballots, RULES, sub.id)
    assert live.provisional and live.outcome is None
    assert (live.counts.valid_votes, live.counts.removed_votes) == (40, 1)
    assert live.votes_needed == RULES.minimum_valid_votes - 40
    assert 0 < live.wilson[0] < 0.75 < live.wilson[1] < 1
    await closed(uow, ballots)
    final = await service.results_of(uow, ballots, RULES, sub.id)
    assert not final.provisional and final.outcome is Outcome.NOT_ENOUGH_VOTES
    assert final.counts == live.counts


async def test_results_before_voting_are_not_found() -> None:
    uow, ballots = FakeUow(), FakeBallots()
    draft = submission(S.DRAFT)
    refused = submission(S.REJECTED)  # by moderation: no vote was held
    uow.submissions.rows.update({draft.id: draft, refused.id: refused})
    with pytest.raises(NotFound) as caught:
        await service.results_of(uow, ballots, RULES, draft.id)
    assert caught.value.code == "SUBMISSION_NOT_FOUND"  # not public: like an unknown one
    with pytest.raises(NotFound) as caught:
        await service.results_of(uow, ballots, RULES, refused.id)
    assert caught.value.code == "RESULTS_NOT_AVAILABLE"
