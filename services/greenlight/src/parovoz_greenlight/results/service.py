"""Use cases of results (PRODUCT.md "Greenlight": "Results settle before they are announced"):
open a submission's voting window, the closing job's steps (a window past its end goes to the
24-hour audit, an audit past its end gets the final weighted result and its announcement), and a
submission's results as voters see them (provisional while open or in audit).

The votes are the voting context's, read and flagged through the :class:`Ballots` port (its
``votes_of`` / ``flag_votes``); the manipulation checks of the audit are the integrity
context's, behind the :class:`Audit` hook (default: nothing flagged).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from parovoz_events.greenlight import SubmissionApproved, SubmissionRejected
from parovoz_kit.errors import NotFound

from parovoz_greenlight.ports import UnitOfWorkPort
from parovoz_greenlight.results.domain import (
    ApprovalRule,
    Choice,
    CountedVote,
    Outcome,
    Tally,
    Window,
    WindowStatus,
    decide,
    tally,
)
from parovoz_greenlight.results.rules import ResultsRules
from parovoz_greenlight.submissions.domain import Submission, SubmissionStatus

S = SubmissionStatus

#: Statuses whose results anybody may read: voting, its audit, and the decisions.
VISIBLE = frozenset({S.ACTIVE_VOTING, S.VOTING_COMPLETED, S.APPROVED, S.REJECTED})


# --- ports ---------------------------------------------------------------------------------------


class Windows(Protocol):
    @property
    def rules(self) -> ResultsRules: ...

    async def add(self, window: Window) -> None: ...

    async def save(self, window: Window) -> None: ...

    async def latest_of(self, submission_id: uuid.UUID) -> Window | None: ...

    async def count_of(self, submission_id: uuid.UUID) -> int: ...

    async def next_due(
        self,
        now: datetime,
        *,
        skip: Collection[uuid.UUID] = (),
        only: Collection[uuid.UUID] | None = None,
    ) -> Window | None: ...


class SubmissionsPort(Protocol):
    async def get(self, submission_id: uuid.UUID) -> Submission | None: ...

    async def get_for_update(self, submission_id: uuid.UUID) -> Submission | None: ...

    async def save(self, submission: Submission) -> None: ...


class ResultsUnitOfWork(UnitOfWorkPort, Protocol):
    @property
    def results(self) -> Windows: ...

    @property
    def submissions(self) -> SubmissionsPort: ...


class VoteView(Protocol):
    """What results read of a vote (the voting context's ``Vote``)."""

    @property
    def id(self) -> uuid.UUID: ...

    @property
    def choice(self) -> str: ...

    @property
    def weight(self) -> int: ...


class Ballots(Protocol):
    """The voting context's votes of a window (``voting.service.votes_of`` / ``flag_votes``)."""

    async def votes_of(
        self, uow: ResultsUnitOfWork, submission_id: uuid.UUID, window_id: uuid.UUID
    ) -> Sequence[VoteView]: ...

    async def flag_votes(
        self, uow: ResultsUnitOfWork, vote_ids: Collection[uuid.UUID], reason: str
    ) -> None: ...

    async def counts_of(
        self, uow: ResultsUnitOfWork, submission_id: uuid.UUID, window_id: uuid.UUID
    ) -> Tally:
        """What :func:`~parovoz_greenlight.results.domain.tally` of the window's votes answers,
        counted where the votes are (valid: weight above 0)."""
        ...


class Audit(Protocol):
    """The manipulation checks of the audit (the integrity context's): vote id -> reason."""

    async def flagged(
        self, uow: ResultsUnitOfWork, window: Window, votes: Sequence[VoteView]
    ) -> Mapping[uuid.UUID, str]: ...


class NothingFlagged:
    """The audit until the integrity context provides its checks."""

    async def flagged(
        self, uow: ResultsUnitOfWork, window: Window, votes: Sequence[VoteView]
    ) -> Mapping[uuid.UUID, str]:
        return {}


def approval_rule(rules: ResultsRules) -> ApprovalRule:
    return ApprovalRule(
        minimum_valid_votes=rules.minimum_valid_votes,
        threshold_basis_points=rules.approval_threshold_basis_points,
    )


def counted(votes: Sequence[VoteView]) -> list[CountedVote]:
    return [CountedVote(id=v.id, choice=Choice(str(v.choice)), weight=v.weight) for v in votes]


# --- windows -------------------------------------------------------------------------------------


async def open_window(
    uow: ResultsUnitOfWork, submission: Submission, now: datetime, days: int | None = None
) -> Window:
    """Open the submission's next voting window at ``now`` (the first one lasts the rules'
    window, a later one — after an approved appeal — the appeal window; ``days`` overrides).
    A window still open is returned as it is."""
    latest = await uow.results.latest_of(submission.id)
    if latest is not None and latest.status is WindowStatus.OPEN:
        return latest
    rules = uow.results.rules
    number = await uow.results.count_of(submission.id) + 1
    if days is not None:
        length = timedelta(days=days)
    else:
        length = rules.window if number == 1 else rules.appeal_window
    window = Window(
        id=uuid.uuid4(),
        submission_id=submission.id,
        number=number,
        opens_at=now,
        closes_at=now + length,
        status=WindowStatus.OPEN,
    )
    await uow.results.add(window)
    submission.voting_started_at, submission.voting_ends_at = window.opens_at, window.closes_at
    return window


async def open_window_of(
    uow: ResultsUnitOfWork, submission_id: uuid.UUID, now: datetime
) -> Window | None:
    """The submission's window accepting votes at ``now``; None when there is none."""
    latest = await uow.results.latest_of(submission_id)
    return latest if latest is not None and latest.accepts_votes(now) else None


# --- the closing job -----------------------------------------------------------------------------


class Step(StrEnum):
    """What the closing job did with one window."""

    AUDIT_STARTED = "audit_started"
    APPROVED = "approved"
    REJECTED = "rejected"
    #: The submission was withdrawn (or is no longer voting): final, nothing announced.
    CLOSED_WITHOUT_RESULT = "closed_without_result"
    NOT_DUE = "not_due"
    ERROR = "error"


async def close_window(
    uow: ResultsUnitOfWork,
    ballots: Ballots,
    audit: Audit,
    rules: ResultsRules,
    window: Window,
    now: datetime,
) -> Step:
    """One step of a due window (locked by the caller): open past its end -> audit (the
    submission's voting completed); audit past its end -> final (flagged votes removed, the
    weighted result, the submission approved or rejected, the decision announced)."""
    if window.audit_due(now):
        return await _start_audit(uow, ballots, rules, window, now)
    if window.final_due(now):
        return await _finalize(uow, ballots, audit, rules, window, now)
    return Step.NOT_DUE


async def _start_audit(
    uow: ResultsUnitOfWork, ballots: Ballots, rules: ResultsRules, window: Window, now: datetime
) -> Step:
    submission = await uow.submissions.get_for_update(window.submission_id)
    if submission is None or submission.status is not S.ACTIVE_VOTING:
        votes = await ballots.votes_of(uow, window.submission_id, window.id)
        window.finalize(tally(counted(votes)), Outcome.WITHDRAWN, now)
        await uow.results.save(window)
        return Step.CLOSED_WITHOUT_RESULT
    window.start_audit(rules.audit)
    submission.move(S.VOTING_COMPLETED, now)
    await uow.submissions.save(submission)
    await uow.results.save(window)
    return Step.AUDIT_STARTED


async def _finalize(
    uow: ResultsUnitOfWork,
    ballots: Ballots,
    audit: Audit,
    rules: ResultsRules,
    window: Window,
    now: datetime,
) -> Step:
    submission = await uow.submissions.get_for_update(window.submission_id)
    votes = await ballots.votes_of(uow, window.submission_id, window.id)
    flagged = dict(await audit.flagged(uow, window, votes))
    weights = {vote.id: vote.weight for vote in votes}
    by_reason: dict[str, list[uuid.UUID]] = {}
    for vote_id, reason in flagged.items():
        if weights.get(vote_id, 0) > 0:
            by_reason.setdefault(reason, []).append(vote_id)
    for reason, vote_ids in by_reason.items():
        await ballots.flag_votes(uow, vote_ids, reason)
    counts = tally(counted(votes), flagged)
    if submission is None or submission.status is not S.VOTING_COMPLETED:
        window.finalize(counts, Outcome.WITHDRAWN, now)
        await uow.results.save(window)
        return Step.CLOSED_WITHOUT_RESULT
    outcome = decide(counts, approval_rule(rules))
    window.finalize(counts, outcome, now)
    await uow.results.save(window)
    if outcome is Outcome.APPROVED:
        submission.move(S.APPROVED, now)
        await uow.submissions.save(submission)
        uow.emit(
            SubmissionApproved(
                submission_id=submission.id,
                game_id=submission.game_id,
                developer_id=submission.developer_id,
                valid_votes=counts.valid_votes,
                removed_votes=counts.removed_votes,
                approval_basis_points=counts.approval_basis_points,
                approved_at=now,
            )
        )
        return Step.APPROVED
    submission.move(S.REJECTED, now)
    await uow.submissions.save(submission)
    # One appeal per submission: a rejection after the appeal's window is final.
    appealable_until = now + rules.appeal_period if window.number == 1 else None
    uow.emit(
        SubmissionRejected(
            submission_id=submission.id,
            game_id=submission.game_id,
            developer_id=submission.developer_id,
            reason=outcome.value,  # type: ignore[arg-type]  # not_enough_votes | below threshold
            comment=None,
            valid_votes=counts.valid_votes,
            removed_votes=counts.removed_votes,
            approval_basis_points=counts.approval_basis_points,
            appealable_until=appealable_until,
            rejected_at=now,
        )
    )
    return Step.REJECTED


UnitOfWorkFactory = Callable[[], AbstractAsyncContextManager[ResultsUnitOfWork]]


@dataclass
class ClosingRun:
    """What one run of the closing job did: window id -> step."""

    steps: dict[uuid.UUID, Step] = field(default_factory=dict)

    def of(self, step: Step) -> list[uuid.UUID]:
        return [key for key, value in self.steps.items() if value is step]


async def close_windows(
    unit_of_work: UnitOfWorkFactory,
    ballots: Ballots,
    audit: Audit,
    rules: ResultsRules,
    now: Callable[[], datetime],
    *,
    only: Collection[uuid.UUID] | None = None,
    on_error: Callable[[uuid.UUID | None, Exception], Awaitable[None]] | None = None,
) -> ClosingRun:
    """Take due windows one at a time (at most a batch), each in its own transaction with its
    row locked ``FOR UPDATE SKIP LOCKED``: concurrent runners never handle a window twice, one
    window's trouble never stops the others. ``only``: windows of these submissions."""
    run = ClosingRun()
    for _ in range(rules.batch_size):
        at = now()
        window: Window | None = None
        try:
            async with unit_of_work() as uow:
                window = await uow.results.next_due(at, skip=list(run.steps), only=only)
                if window is None:
                    break
                run.steps[window.id] = Step.ERROR
                step = await close_window(uow, ballots, audit, rules, window, at)
                run.steps[window.id] = step
                if step is not Step.NOT_DUE:
                    await uow.commit()
        except Exception as error:
            if on_error is not None:
                await on_error(window.id if window else None, error)
            if window is None:
                break  # the database is away: the next run tries again
    return run


# --- a submission's results ----------------------------------------------------------------------


@dataclass(frozen=True)
class Results:
    """A submission's results as voters see them: provisional while the window is open or in
    audit (flagged votes not yet removed), final afterwards."""

    submission_id: uuid.UUID
    window: Window
    provisional: bool
    counts: Tally
    rule: ApprovalRule
    outcome: Outcome | None

    @property
    def wilson(self) -> tuple[float, float]:
        return self.counts.wilson()

    @property
    def votes_needed(self) -> int:
        return self.counts.votes_needed(self.rule)


async def results_of(
    uow: ResultsUnitOfWork,
    ballots: Ballots,
    rules: ResultsRules,
    submission_id: uuid.UUID,
) -> Results:
    submission = await uow.submissions.get(submission_id)
    if submission is None or submission.status not in VISIBLE:
        # Not voted on in public (a draft, in moderation, withdrawn): like an unknown one.
        raise NotFound("Submission not found.", code="SUBMISSION_NOT_FOUND")
    window = await uow.results.latest_of(submission_id)
    if window is None:
        raise NotFound(
            "Voting on this submission has not started: there are no results yet.",
            code="RESULTS_NOT_AVAILABLE",
        )
    final = window.final_tally
    if final is not None:
        counts = final
    else:
        counts = await ballots.counts_of(uow, submission_id, window.id)
    return Results(
        submission_id=submission_id,
        window=window,
        provisional=final is None,
        counts=counts,
        rule=approval_rule(rules),
        outcome=window.outcome,
    )
