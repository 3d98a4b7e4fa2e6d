"""The manipulation rules of the audit (PRODUCT.md "Greenlight": "Anti-manipulation",
"Coordinated voting"): pure functions over the votes of a window plus what voting stores of
each vote (voter, time, device fingerprint, IPv4 /24) and each voter's account age.

1. ``rate_limit``: a user's votes beyond ``rate_limit_votes`` within any ``rate_period``
   (sliding, over every vote given — all submissions the caller passes) are flagged: a vote is
   flagged when more than the limit of the user's votes fall in (its time - period, its time]
   (votes exactly an hour apart are not in the same hour).
2. ``burst``: on one submission, a group of suspicious votes — cast by accounts younger than
   ``young_account_age`` at the vote, or by voters sharing a device fingerprint or an IPv4 /24
   with another voter of the submission — flagged when MORE than ``burst_votes`` of the group
   fall within ``burst_period`` (closed interval: 10:00:00 and 10:10:00 are "within 10 minutes").
3. ``lockstep``: two accounts are in lockstep when they cast the SAME choice on at least
   ``lockstep_min_shared`` distinct submissions, each pair of those votes cast within
   ``lockstep_period`` of each other (|a.created_at - b.created_at| <= period). Every vote of
   both accounts on those shared submissions is flagged (the whole ring is flagged together).

A vote flagged by several rules keeps the first reason in the order rate limit, burst, lockstep.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from itertools import combinations

from parovoz_greenlight.integrity.rules import IntegrityRules


class Reason(StrEnum):
    RATE_LIMIT = "rate_limit"
    BURST = "burst"
    LOCKSTEP = "lockstep"


@dataclass(frozen=True)
class VoteFacts:
    """One vote as the rules see it."""

    id: uuid.UUID
    submission_id: uuid.UUID
    user_id: uuid.UUID
    choice: str
    created_at: datetime
    device_fingerprint: str | None = None
    ip_prefix: str | None = None
    #: The voter's account creation time (None: unknown, never "young").
    account_created_at: datetime | None = None


def _ordered(votes: Iterable[VoteFacts]) -> list[VoteFacts]:
    return sorted(votes, key=lambda v: (v.created_at, str(v.id)))


def rate_limit(votes: Sequence[VoteFacts], rules: IntegrityRules) -> set[uuid.UUID]:
    """Votes beyond the limit within any period ending at them, per user."""
    by_user: dict[uuid.UUID, list[VoteFacts]] = defaultdict(list)
    for vote in votes:
        by_user[vote.user_id].append(vote)
    flagged: set[uuid.UUID] = set()
    for mine in by_user.values():
        ordered = _ordered(mine)
        start = 0
        for end, vote in enumerate(ordered):
            # The period ending at this vote: (created_at - period, created_at].
            while ordered[start].created_at <= vote.created_at - rules.rate_period:
                start += 1
            if end - start + 1 > rules.rate_limit_votes:
                flagged.add(vote.id)
    return flagged


def _young(vote: VoteFacts, rules: IntegrityRules) -> bool:
    created = vote.account_created_at
    return created is not None and vote.created_at - created < rules.young_account_age


def _suspicious(votes: Sequence[VoteFacts], rules: IntegrityRules) -> list[VoteFacts]:
    """The submission's votes from young accounts or from voters sharing a device or a /24."""
    users_by: dict[tuple[str, str], set[uuid.UUID]] = defaultdict(set)
    for vote in votes:
        if vote.device_fingerprint:
            users_by[("device", vote.device_fingerprint)].add(vote.user_id)
        if vote.ip_prefix:
            users_by[("ip", vote.ip_prefix)].add(vote.user_id)

    def shared(vote: VoteFacts) -> bool:
        keys = []
        if vote.device_fingerprint:
            keys.append(("device", vote.device_fingerprint))
        if vote.ip_prefix:
            keys.append(("ip", vote.ip_prefix))
        return any(len(users_by[key]) > 1 for key in keys)

    return [v for v in votes if _young(v, rules) or shared(v)]


def burst(votes: Sequence[VoteFacts], rules: IntegrityRules) -> set[uuid.UUID]:
    """Suspicious votes of a submission when more than the limit fall within the period."""
    by_submission: dict[uuid.UUID, list[VoteFacts]] = defaultdict(list)
    for vote in votes:
        by_submission[vote.submission_id].append(vote)
    flagged: set[uuid.UUID] = set()
    for theirs in by_submission.values():
        ordered = _ordered(_suspicious(theirs, rules))
        start = 0
        for end, vote in enumerate(ordered):
            while ordered[start].created_at < vote.created_at - rules.burst_period:
                start += 1
            if end - start + 1 > rules.burst_votes:
                flagged.update(v.id for v in ordered[start : end + 1])
    return flagged


def lockstep(votes: Sequence[VoteFacts], rules: IntegrityRules) -> set[uuid.UUID]:
    """Votes of account pairs voting the same way on the same submissions within minutes."""
    by_user: dict[uuid.UUID, dict[uuid.UUID, VoteFacts]] = defaultdict(dict)
    for vote in _ordered(votes):
        by_user[vote.user_id].setdefault(vote.submission_id, vote)
    flagged: set[uuid.UUID] = set()
    for first, second in combinations(sorted(by_user, key=str), 2):
        a, b = by_user[first], by_user[second]
        together = [
            (a[s], b[s])
            for s in a.keys() & b.keys()
            if a[s].choice == b[s].choice
            and abs(a[s].created_at - b[s].created_at) <= rules.lockstep_period
        ]
        if len(together) >= rules.lockstep_min_shared:
            for x, y in together:
                flagged.update((x.id, y.id))
    return flagged


@dataclass(frozen=True)
class Findings:
    """What the rules found: vote id -> reason, and how many votes each rule flagged."""

    flagged: Mapping[uuid.UUID, Reason] = field(default_factory=dict)
    counts: Mapping[Reason, int] = field(default_factory=dict)


def examine(votes: Sequence[VoteFacts], rules: IntegrityRules) -> Findings:
    """Every rule over ``votes``; the first reason in rule order wins."""
    flagged: dict[uuid.UUID, Reason] = {}
    counts: dict[Reason, int] = {}
    for reason, rule in (
        (Reason.RATE_LIMIT, rate_limit),
        (Reason.BURST, burst),
        (Reason.LOCKSTEP, lockstep),
    ):
        found = rule(votes, rules)
        counts[reason] = len(found)
        for vote_id in sorted(found, key=str):
            flagged.setdefault(vote_id, reason)
    return Findings(flagged=flagged, counts=counts)


@dataclass(frozen=True)
class ManipulationReport:
    """What the audit found in one voting window of a submission."""

    window_id: uuid.UUID
    submission_id: uuid.UUID
    votes_examined: int
    rate_limit_votes: int
    burst_votes: int
    lockstep_votes: int
    flagged_vote_ids: tuple[uuid.UUID, ...]
    created_at: datetime


def report_of(
    window_id: uuid.UUID,
    submission_id: uuid.UUID,
    examined: int,
    findings: Findings,
    now: datetime,
) -> ManipulationReport:
    """The window's report (counts per rule over the window's votes, the flagged vote ids)."""
    counts = {reason: 0 for reason in Reason}
    for reason in findings.flagged.values():
        counts[reason] += 1
    return ManipulationReport(
        window_id=window_id,
        submission_id=submission_id,
        votes_examined=examined,
        rate_limit_votes=counts[Reason.RATE_LIMIT],
        burst_votes=counts[Reason.BURST],
        lockstep_votes=counts[Reason.LOCKSTEP],
        flagged_vote_ids=tuple(sorted(findings.flagged, key=str)),
        created_at=now,
    )
