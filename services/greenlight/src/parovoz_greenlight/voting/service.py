"""Voting's use cases: eligibility, casting and changing a vote, my votes (receipts), live
results; and for results (G5) the votes of a window and flagging them.

Ports: ``Voters`` (the user service's facts), ``Penalties`` (greenlight's own penalties; the
integrity context fills it in) and ``LiveCounters`` (Redis; never fails a request). The
submission and its latest window (results' :class:`~parovoz_greenlight.results.domain.Window`,
whose ``accepts_votes`` decides) come in one read of the votes repository.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from parovoz_kit.errors import BusinessRuleViolation, Conflict, NotFound

from parovoz_greenlight.ports import UnitOfWorkPort
from parovoz_greenlight.results.domain import Window
from parovoz_greenlight.submissions.domain import PUBLIC, Submission, SubmissionStatus
from parovoz_greenlight.voting.domain import (
    Ballot,
    Eligibility,
    LiveResults,
    Suspension,
    Vote,
    VoterFacts,
    WindowCounts,
    difference,
    eligibility,
    require_demo_to_play,
    require_eligible,
    require_within_rate,
)
from parovoz_greenlight.voting.rules import VotingRules


# --- ports ------------------------------------------------------------------------------------
class Voters(Protocol):
    async def facts(self, user_id: uuid.UUID) -> VoterFacts | None:
        """The user service's facts (None: unknown user); raises ``Unavailable`` when down."""
        ...


class Penalties(Protocol):
    async def voting_suspension(self, user_id: uuid.UUID, now: datetime) -> Suspension | None:
        """The greenlight penalty keeping the user from voting now, until when or for good
        (None: none does)."""
        ...


class NoPenalties:
    """Penalties nobody has (tests of voting alone): nobody is suspended."""

    async def voting_suspension(self, user_id: uuid.UUID, now: datetime) -> Suspension | None:
        return None


@dataclass(frozen=True)
class CachedCounters:
    #: The window's change stamp read with the counters (a write-back needs it unchanged).
    stamp: object
    #: The counters, or None on a miss.
    counters: Mapping[str, int] | None


class LiveCounters(Protocol):
    async def read(self, window_id: uuid.UUID) -> CachedCounters | None:
        """None when Redis cannot answer."""
        ...

    async def write_back(
        self, window_id: uuid.UUID, counters: Mapping[str, int], stamp: object
    ) -> None:
        """Keep counters counted from PostgreSQL unless a vote changed since ``stamp``."""
        ...

    async def add(self, window_id: uuid.UUID, increments: Mapping[str, int]) -> None:
        """Apply a committed vote's increments (only to counters already kept)."""
        ...


class VoteRepository(Protocol):
    async def submission_and_window(
        self, submission_id: uuid.UUID, *, rate_lock_of: uuid.UUID | None = None
    ) -> tuple[Submission, Window | None] | None:
        """The submission and its latest voting window (None: none yet), one read; None: no
        such submission. ``rate_lock_of``: the same read takes that user's lock of the hourly
        limit, held to the end of the transaction (``cast_times_of`` counts under it)."""
        ...

    async def add(self, vote: Vote) -> bool: ...

    async def save(self, vote: Vote) -> None: ...

    async def mine(
        self,
        submission_id: uuid.UUID,
        window_id: uuid.UUID,
        user_id: uuid.UUID,
        *,
        for_update: bool = False,
    ) -> Vote | None: ...

    async def latest_of(self, submission_id: uuid.UUID, user_id: uuid.UUID) -> Vote | None: ...

    async def latest_window_id(self, submission_id: uuid.UUID) -> uuid.UUID | None: ...

    async def of_window(self, submission_id: uuid.UUID, window_id: uuid.UUID) -> list[Vote]: ...

    async def counts(self, submission_id: uuid.UUID, window_id: uuid.UUID) -> WindowCounts:
        """The window's votes counted by the database (what :func:`counts_of` answers)."""
        ...

    async def tally(self, submission_id: uuid.UUID, window_id: uuid.UUID) -> Mapping[str, int]: ...

    async def of_user(
        self, user_id: uuid.UUID, after: tuple[datetime, uuid.UUID] | None, limit: int
    ) -> Sequence[Vote]: ...

    async def flag(self, vote_ids: Collection[uuid.UUID], reason: str) -> int: ...

    async def cast_times_of(
        self, user_id: uuid.UUID, since: datetime, until: datetime, limit: int
    ) -> Sequence[datetime]:
        """When the user cast their votes in ``(since, until]``, newest first, at most
        ``limit``; asked under the user's lock of the hourly limit (``submission_and_window``'s
        ``rate_lock_of``, earlier in the transaction): the user's new votes wait for each other
        from there to the commit (the live rate limit counts each)."""
        ...


class VotingUnitOfWork(UnitOfWorkPort, Protocol):
    votes: VoteRepository


@dataclass(frozen=True)
class VotingPorts:
    voters: Voters
    penalties: Penalties
    live: LiveCounters


# --- errors -----------------------------------------------------------------------------------
def _submission_not_found() -> NotFound:
    return NotFound("The submission was not found.", code="SUBMISSION_NOT_FOUND")


def _period_ended() -> BusinessRuleViolation:
    return BusinessRuleViolation(
        "The submission's voting window is not open.", code="VOTING_PERIOD_ENDED"
    )


def _vote_not_found() -> NotFound:
    return NotFound("You have not voted on this submission.", code="VOTE_NOT_FOUND")


# --- use cases --------------------------------------------------------------------------------
async def check_eligibility(
    ports: VotingPorts, user_id: uuid.UUID, now: datetime, rules: VotingRules
) -> Eligibility:
    facts = await ports.voters.facts(user_id)
    suspension = await ports.penalties.voting_suspension(user_id, now)
    return eligibility(facts, suspension, now, rules)


async def _public_submission(
    uow: VotingUnitOfWork,
    submission_id: uuid.UUID,
    now: datetime,
    *,
    rate_lock_of: uuid.UUID | None = None,
) -> tuple[Submission, Window | None]:
    """The public submission and its window accepting votes at ``now`` (None: none is)."""
    found = await uow.votes.submission_and_window(submission_id, rate_lock_of=rate_lock_of)
    if found is None or found[0].status not in PUBLIC:
        raise _submission_not_found()
    submission, window = found
    if submission.status is not SubmissionStatus.ACTIVE_VOTING:
        return submission, None
    return submission, window if window is not None and window.accepts_votes(now) else None


async def _open_window(
    uow: VotingUnitOfWork,
    submission_id: uuid.UUID,
    now: datetime,
    *,
    rate_lock_of: uuid.UUID | None = None,
) -> tuple[Submission, Window]:
    submission, window = await _public_submission(
        uow, submission_id, now, rate_lock_of=rate_lock_of
    )
    if window is None:
        raise _period_ended()
    return submission, window


async def cast_vote(
    uow: VotingUnitOfWork,
    ports: VotingPorts,
    *,
    submission_id: uuid.UUID,
    user_id: uuid.UUID,
    ballot: Ballot,
    now: datetime,
    rules: VotingRules,
    device_fingerprint: str | None = None,
    ip_prefix: str | None = None,
) -> Vote:
    """A new vote in the open window (403 when not eligible, 422 ``DEMO_NOT_ACCESSIBLE`` for a
    played demo the submission does not have, 429 ``SUSPICIOUS_VOTING_DETECTED`` beyond the
    live rate limit, 409 ``DUPLICATE_VOTE``)."""
    require_eligible(await check_eligibility(ports, user_id, now, rules))
    submission, window = await _open_window(uow, submission_id, now, rate_lock_of=user_id)
    require_demo_to_play(ballot, submission.demo_links)
    recent = await uow.votes.cast_times_of(
        user_id, now - rules.rate_period, now, rules.rate_limit_votes
    )
    require_within_rate(recent, now, rules)
    vote = Vote.cast(
        vote_id=uuid.uuid4(),
        submission_id=submission_id,
        window_id=window.id,
        user_id=user_id,
        ballot=ballot,
        now=now,
        rules=rules,
        device_fingerprint=device_fingerprint,
        ip_prefix=ip_prefix,
    )
    if not await uow.votes.add(vote):
        raise _duplicate()
    await uow.commit()
    await ports.live.add(window.id, difference(None, vote))
    return vote


def _duplicate() -> Conflict:
    return Conflict(
        "You have already voted on this submission; change your vote with PUT …/votes/mine.",
        code="DUPLICATE_VOTE",
    )


async def change_vote(
    uow: VotingUnitOfWork,
    ports: VotingPorts,
    *,
    submission_id: uuid.UUID,
    user_id: uuid.UUID,
    ballot: Ballot,
    now: datetime,
    rules: VotingRules,
) -> Vote:
    """The caller's vote in the open window, changed (404 ``VOTE_NOT_FOUND`` without one; a
    change is not a new vote: the rate limit does not count it)."""
    require_eligible(await check_eligibility(ports, user_id, now, rules))
    submission, window = await _open_window(uow, submission_id, now)
    require_demo_to_play(ballot, submission.demo_links)
    vote = await uow.votes.mine(submission_id, window.id, user_id, for_update=True)
    if vote is None:
        raise _vote_not_found()
    before = copy.deepcopy(vote)
    vote.change(ballot, now, rules)
    await uow.votes.save(vote)
    await uow.commit()
    await ports.live.add(window.id, difference(before, vote))
    return vote


async def my_vote(uow: VotingUnitOfWork, submission_id: uuid.UUID, user_id: uuid.UUID) -> Vote:
    """The caller's vote on the submission (its latest window)."""
    vote = await uow.votes.latest_of(submission_id, user_id)
    if vote is None:
        raise _vote_not_found()
    return vote


@dataclass(frozen=True)
class ReceiptPage:
    votes: Sequence[Vote]
    #: Where the next page starts (None: this is the last).
    next_after: tuple[datetime, uuid.UUID] | None


async def receipts(
    uow: VotingUnitOfWork,
    user_id: uuid.UUID,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> ReceiptPage:
    found = list(await uow.votes.of_user(user_id, after, limit + 1))
    if len(found) <= limit:
        return ReceiptPage(found, None)
    last = found[limit - 1]
    return ReceiptPage(found[:limit], (last.created_at, last.id))


async def live_results(
    uow: VotingUnitOfWork, ports: VotingPorts, submission_id: uuid.UUID, now: datetime
) -> LiveResults:
    """The counters of the open window (Redis; on a miss or Redis down counted by PostgreSQL
    and kept again); of the latest window once none is open (counted by PostgreSQL)."""
    _, window = await _public_submission(uow, submission_id, now)
    if window is None:
        window_id = await uow.votes.latest_window_id(submission_id)
        if window_id is None:
            return LiveResults(submission_id, None)
        return LiveResults(
            submission_id, window_id, await uow.votes.tally(submission_id, window_id)
        )
    cached = await ports.live.read(window.id)
    if cached is not None and cached.counters is not None:
        return LiveResults(submission_id, window.id, cached.counters, source="redis")
    counters = await uow.votes.tally(submission_id, window.id)
    if cached is not None:
        await ports.live.write_back(window.id, counters, cached.stamp)
    return LiveResults(submission_id, window.id, counters)


# --- for results (G5) -------------------------------------------------------------------------
async def counts_of(
    uow: VotingUnitOfWork, submission_id: uuid.UUID, window_id: uuid.UUID
) -> WindowCounts:
    """The window's votes counted in one aggregate query, not loaded one by one (provisional
    results are read on every page view of a submission in voting)."""
    return await uow.votes.counts(submission_id, window_id)


async def votes_of(
    uow: VotingUnitOfWork, submission_id: uuid.UUID, window_id: uuid.UUID
) -> list[Vote]:
    """Every vote of the window, with its weight and flag."""
    return await uow.votes.of_window(submission_id, window_id)


async def flag_votes(uow: VotingUnitOfWork, vote_ids: Collection[uuid.UUID], reason: str) -> None:
    """Weight 0 for these votes (the audit's or the integrity rules' finding), with ``reason``;
    a vote flagged already keeps its first reason. Written with the caller's commit."""
    await uow.votes.flag(vote_ids, reason)
