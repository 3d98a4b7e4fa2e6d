"""Voting windows and their results (PRODUCT.md "Greenlight": "Results settle before they are
announced", the approval rule, Wilson): plain Python.

A window is ``open`` from ``opens_at`` until ``closes_at``; then the 24-hour ``audit`` runs (the
manipulation checks flag votes: weight 0); then it is ``final`` with its tally and outcome.
Vote weights are integers in tenths (10 = 1.0, 15 = 1.5, 0 = flagged), so sums are exact; a vote
is valid when its weight is above 0.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from parovoz_kit.errors import BusinessRuleViolation

#: The Wilson interval's confidence level and its z.
CONFIDENCE = 0.95
Z_95 = 1.96
#: Basis points of a whole (100 %).
WHOLE = 10_000
#: Weight units per vote of weight 1.0 (weights are tenths).
WEIGHT_UNIT = 10


class WindowStatus(StrEnum):
    OPEN = "open"
    AUDIT = "audit"
    FINAL = "final"


class Outcome(StrEnum):
    """How a final window ended (the rejection reasons are the event's)."""

    APPROVED = "approved"
    NOT_ENOUGH_VOTES = "not_enough_votes"
    APPROVAL_BELOW_THRESHOLD = "approval_below_threshold"
    #: The submission was withdrawn while the window ran: no result is announced.
    WITHDRAWN = "withdrawn"


class Choice(StrEnum):
    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"


@dataclass(frozen=True)
class ApprovalRule:
    """At least ``minimum_valid_votes`` valid votes and weighted yes ÷ (yes + no) of at least
    ``threshold_basis_points``."""

    minimum_valid_votes: int
    threshold_basis_points: int


@dataclass(frozen=True)
class CountedVote:
    """What the result needs of a vote."""

    id: uuid.UUID
    choice: Choice
    #: Tenths (10 = 1.0, 15 = 1.5); 0 = flagged.
    weight: int


@dataclass(frozen=True)
class Tally:
    """The counts of a window's votes; weights in tenths."""

    valid_votes: int
    removed_votes: int
    weighted_yes: int
    weighted_no: int

    @property
    def approval_basis_points(self) -> int:
        """Weighted yes ÷ (yes + no) in basis points, rounded down; 0 without yes or no."""
        decided = self.weighted_yes + self.weighted_no
        return self.weighted_yes * WHOLE // decided if decided else 0

    def votes_needed(self, rule: ApprovalRule) -> int:
        return max(0, rule.minimum_valid_votes - self.valid_votes)

    def wilson(self) -> tuple[float, float]:
        return wilson_interval(self.weighted_yes, self.weighted_yes + self.weighted_no)


def tally(votes: Iterable[CountedVote], flagged: Mapping[uuid.UUID, str] | None = None) -> Tally:
    """Count ``votes``; a vote is valid when its weight is above 0 and it is not ``flagged``
    (removed otherwise). Abstentions count as valid votes but weigh on neither side."""
    flagged = flagged or {}
    valid = removed = yes = no = 0
    for vote in votes:
        if vote.weight <= 0 or vote.id in flagged:
            removed += 1
            continue
        valid += 1
        if vote.choice is Choice.YES:
            yes += vote.weight
        elif vote.choice is Choice.NO:
            no += vote.weight
    return Tally(valid_votes=valid, removed_votes=removed, weighted_yes=yes, weighted_no=no)


def decide(counts: Tally, rule: ApprovalRule) -> Outcome:
    """The approval rule (exact: integers only)."""
    if counts.valid_votes < rule.minimum_valid_votes:
        return Outcome.NOT_ENOUGH_VOTES
    decided = counts.weighted_yes + counts.weighted_no
    if decided == 0 or counts.weighted_yes * WHOLE < rule.threshold_basis_points * decided:
        return Outcome.APPROVAL_BELOW_THRESHOLD
    return Outcome.APPROVED


def wilson_interval(weighted_yes: int, weighted_total: int, z: float = Z_95) -> tuple[float, float]:
    """Lower and upper bound of the Wilson score interval of the yes share, with ``weighted_yes``
    out of ``weighted_total`` (both in tenths; the sample size is the total weight in votes).
    (0.0, 0.0) without any weight."""
    if weighted_total <= 0:
        return 0.0, 0.0
    if not 0 <= weighted_yes <= weighted_total:
        raise ValueError("weighted_yes must lie between 0 and weighted_total")
    n = weighted_total / WEIGHT_UNIT
    p = weighted_yes / weighted_total
    z2 = z * z
    centre = p + z2 / (2 * n)
    margin = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    denominator = 1 + z2 / n
    lower = max(0.0, (centre - margin) / denominator)
    upper = min(1.0, (centre + margin) / denominator)
    return lower, upper


class WindowTransitionRefused(BusinessRuleViolation):
    def __init__(self, current: WindowStatus, target: WindowStatus) -> None:
        super().__init__(
            f"A voting window in status {current.value} cannot become {target.value}.",
            code="VOTING_WINDOW_STATUS_CONFLICT",
            detail_ru=f"Окно голосования в статусе {current.value} не может перейти в "
            f"{target.value}.",
        )


@dataclass
class Window:
    """One voting window of a submission (number 1, then 2 after an approved appeal)."""

    id: uuid.UUID
    submission_id: uuid.UUID
    number: int
    opens_at: datetime
    closes_at: datetime
    status: WindowStatus
    audit_ends_at: datetime | None = None
    #: The final tally (set once ``final``; weights in tenths).
    valid_votes: int | None = None
    removed_votes: int | None = None
    weighted_yes: int | None = None
    weighted_no: int | None = None
    approval_basis_points: int | None = None
    outcome: Outcome | None = None
    finalized_at: datetime | None = None

    def accepts_votes(self, now: datetime) -> bool:
        return self.status is WindowStatus.OPEN and self.opens_at <= now < self.closes_at

    def audit_due(self, now: datetime) -> bool:
        return self.status is WindowStatus.OPEN and now >= self.closes_at

    def final_due(self, now: datetime) -> bool:
        return (
            self.status is WindowStatus.AUDIT
            and self.audit_ends_at is not None
            and now >= self.audit_ends_at
        )

    def start_audit(self, audit: timedelta) -> None:
        """The window closed: the audit runs ``audit`` from its closing time."""
        if self.status is not WindowStatus.OPEN:
            raise WindowTransitionRefused(self.status, WindowStatus.AUDIT)
        self.status = WindowStatus.AUDIT
        self.audit_ends_at = self.closes_at + audit

    def finalize(self, counts: Tally, outcome: Outcome, now: datetime) -> None:
        if self.status is WindowStatus.FINAL:
            raise WindowTransitionRefused(self.status, WindowStatus.FINAL)
        self.status = WindowStatus.FINAL
        self.valid_votes, self.removed_votes = counts.valid_votes, counts.removed_votes
        self.weighted_yes, self.weighted_no = counts.weighted_yes, counts.weighted_no
        self.approval_basis_points = counts.approval_basis_points
        self.outcome = outcome
        self.finalized_at = now

    @property
    def final_tally(self) -> Tally | None:
        if self.status is not WindowStatus.FINAL or self.valid_votes is None:
            return None
        return Tally(
            valid_votes=self.valid_votes,
            removed_votes=self.removed_votes or 0,
            weighted_yes=self.weighted_yes or 0,
            weighted_no=self.weighted_no or 0,
        )
