"""Votes, their weights and the voter's eligibility (PRODUCT.md "Greenlight"): plain Python.

A vote is one user's YES / NO / ABSTAIN on a submission in one voting window, with the five
category scores (1-5), a comment, whether the voter played the demo and would recommend it.
Its weight is kept in tenths so that sums are exact: 10 (1.0), 15 (1.5, played the demo), 0
(flagged invalid by the audit or the integrity rules; a flagged vote stays 0 whatever changes).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from parovoz_kit.errors import PermissionDenied, ValidationFailed

from parovoz_greenlight.voting.rules import VotingRules


class VoteChoice(StrEnum):
    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"


class Category(StrEnum):
    GAMEPLAY = "gameplay"
    PRESENTATION = "presentation"
    INNOVATION = "innovation"
    MARKET_APPEAL = "market_appeal"
    TECHNICAL_QUALITY = "technical_quality"


MIN_SCORE, MAX_SCORE = 1, 5


class IneligibleReason(StrEnum):
    USER_UNKNOWN = "USER_UNKNOWN"
    ACCOUNT_TOO_NEW = "ACCOUNT_TOO_NEW"
    NO_PURCHASES = "NO_PURCHASES"
    ACCOUNT_BLOCKED = "ACCOUNT_BLOCKED"
    VOTING_SUSPENDED = "VOTING_SUSPENDED"


_REASON_TEXTS: dict[IneligibleReason, tuple[str, str]] = {
    IneligibleReason.USER_UNKNOWN: (
        "the user service does not know this user",
        "пользователь неизвестен",
    ),
    IneligibleReason.ACCOUNT_TOO_NEW: ("the account is too new", "аккаунт слишком новый"),
    IneligibleReason.NO_PURCHASES: ("no purchases yet", "нет ни одной покупки"),
    IneligibleReason.ACCOUNT_BLOCKED: ("the account is blocked", "аккаунт заблокирован"),
    IneligibleReason.VOTING_SUSPENDED: (
        "voting is suspended by a penalty",
        "голосование приостановлено взысканием",
    ),
}


@dataclass(frozen=True)
class VoterFacts:
    """What the user service says of a voter."""

    account_created_at: datetime
    purchases_count: int
    blocked: bool


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reasons: tuple[IneligibleReason, ...]
    #: When the account becomes old enough (None: it already is, or the user is unknown).
    eligible_from: datetime | None = None
    #: Until when a greenlight penalty suspends voting.
    suspended_until: datetime | None = None


def eligibility(
    facts: VoterFacts | None, suspended_until: datetime | None, now: datetime, rules: VotingRules
) -> Eligibility:
    """Every reason the user may not vote now (none: eligible)."""
    reasons: list[IneligibleReason] = []
    eligible_from = None
    if facts is None:
        reasons.append(IneligibleReason.USER_UNKNOWN)
    else:
        if now - facts.account_created_at <= rules.min_account_age:
            reasons.append(IneligibleReason.ACCOUNT_TOO_NEW)
            eligible_from = facts.account_created_at + rules.min_account_age
        if facts.purchases_count < rules.min_purchases:
            reasons.append(IneligibleReason.NO_PURCHASES)
        if facts.blocked:
            reasons.append(IneligibleReason.ACCOUNT_BLOCKED)
    if suspended_until is not None and suspended_until > now:
        reasons.append(IneligibleReason.VOTING_SUSPENDED)
    else:
        suspended_until = None
    return Eligibility(not reasons, tuple(reasons), eligible_from, suspended_until)


class NotEligible(PermissionDenied):
    def __init__(self, answer: Eligibility) -> None:
        codes = ", ".join(reason.value for reason in answer.reasons)
        english = "; ".join(_REASON_TEXTS[reason][0] for reason in answer.reasons)
        russian = "; ".join(_REASON_TEXTS[reason][1] for reason in answer.reasons)
        super().__init__(
            f"You may not vote: {english} ({codes}).",
            code="VOTING_NOT_ELIGIBLE",
            detail_ru=f"Вы не можете голосовать: {russian} ({codes}).",
        )
        self.ineligible = answer.reasons


def require_eligible(answer: Eligibility) -> None:
    if not answer.eligible:
        raise NotEligible(answer)


def reason_text(reason: IneligibleReason) -> str:
    return _REASON_TEXTS[reason][0]


# --- votes ------------------------------------------------------------------------------------
class WeightReason(StrEnum):
    BASE = "base"
    PLAYED_DEMO = "played_demo"
    FLAGGED = "flagged"


def weight_of(played_demo: bool, flagged: bool, rules: VotingRules) -> int:
    """A vote's weight in tenths: 0 when flagged, the demo weight when played, else the base."""
    if flagged:
        return 0
    return rules.demo_weight_tenths if played_demo else rules.base_weight_tenths


@dataclass(frozen=True)
class Ballot:
    """What a voter says (cast or changed)."""

    choice: VoteChoice
    scores: Mapping[Category, int]
    comment: str | None = None
    played_demo: bool = False
    would_recommend: bool = False

    def __post_init__(self) -> None:
        missing = [c.value for c in Category if c not in self.scores]
        if missing or len(self.scores) != len(Category):
            raise ValidationFailed(
                f"Every category needs a score: {', '.join(missing)} missing.",
                detail_ru=f"Нужна оценка каждой категории; нет: {', '.join(missing)}.",
                pointer="/data/attributes/scores",
            )
        for category, score in self.scores.items():
            if not MIN_SCORE <= score <= MAX_SCORE:
                raise ValidationFailed(
                    f"A score is {MIN_SCORE} to {MAX_SCORE}; {category.value} is {score}.",
                    detail_ru=f"Оценка от {MIN_SCORE} до {MAX_SCORE}; {category.value}: {score}.",
                    pointer=f"/data/attributes/scores/{category.value}",
                )


@dataclass
class Vote:
    id: uuid.UUID
    submission_id: uuid.UUID
    window_id: uuid.UUID
    user_id: uuid.UUID
    choice: VoteChoice
    scores: dict[Category, int]
    comment: str | None
    played_demo: bool
    would_recommend: bool
    weight: int
    created_at: datetime
    updated_at: datetime
    flagged_reason: str | None = None
    device_fingerprint: str | None = None
    ip_prefix: str | None = None

    @classmethod
    def cast(
        cls,
        *,
        vote_id: uuid.UUID,
        submission_id: uuid.UUID,
        window_id: uuid.UUID,
        user_id: uuid.UUID,
        ballot: Ballot,
        now: datetime,
        rules: VotingRules,
        device_fingerprint: str | None = None,
        ip_prefix: str | None = None,
    ) -> Vote:
        return cls(
            id=vote_id,
            submission_id=submission_id,
            window_id=window_id,
            user_id=user_id,
            choice=ballot.choice,
            scores=dict(ballot.scores),
            comment=ballot.comment,
            played_demo=ballot.played_demo,
            would_recommend=ballot.would_recommend,
            weight=weight_of(ballot.played_demo, False, rules),
            created_at=now,
            updated_at=now,
            device_fingerprint=device_fingerprint,
            ip_prefix=ip_prefix,
        )

    @property
    def flagged(self) -> bool:
        return self.flagged_reason is not None

    @property
    def counted(self) -> bool:
        return self.weight > 0

    @property
    def weight_reason(self) -> WeightReason:
        if self.flagged:
            return WeightReason.FLAGGED
        return WeightReason.PLAYED_DEMO if self.played_demo else WeightReason.BASE

    def change(self, ballot: Ballot, now: datetime, rules: VotingRules) -> None:
        self.choice = ballot.choice
        self.scores = dict(ballot.scores)
        self.comment = ballot.comment
        self.played_demo = ballot.played_demo
        self.would_recommend = ballot.would_recommend
        self.weight = weight_of(ballot.played_demo, self.flagged, rules)
        self.updated_at = now

    def flag(self, reason: str) -> None:
        self.flagged_reason = reason
        self.weight = 0


# --- live results -----------------------------------------------------------------------------
#: The counters of a window's live results (Redis hash fields; also built from PostgreSQL).
COUNTERS: tuple[str, ...] = (
    "yes",
    "no",
    "abstain",
    "weighted_yes",
    "weighted_no",
    "weighted_abstain",
    "scored",
    *(f"score_{c.value}" for c in Category),
)


def contribution(vote: Vote) -> dict[str, int]:
    """What one vote adds to its window's counters."""
    counters = dict.fromkeys(COUNTERS, 0)
    counters[vote.choice.value] = 1
    counters[f"weighted_{vote.choice.value}"] = vote.weight
    counters["scored"] = 1
    for category, score in vote.scores.items():
        counters[f"score_{category.value}"] = score
    return counters


def difference(before: Vote | None, after: Vote) -> dict[str, int]:
    """The counters' increments when ``before`` (None: no vote yet) becomes ``after``."""
    added = contribution(after)
    if before is not None:
        for name, value in contribution(before).items():
            added[name] -= value
    return {name: value for name, value in added.items() if value}


@dataclass(frozen=True)
class LiveResults:
    submission_id: uuid.UUID
    window_id: uuid.UUID | None
    counters: Mapping[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTERS, 0))
    #: "redis" (kept counters) or "database" (counted now).
    source: str = "database"

    def count(self, name: str) -> int:
        return int(self.counters.get(name, 0))

    def category_averages(self) -> dict[Category, float | None]:
        scored = self.count("scored")
        return {
            c: (round(self.count(f"score_{c.value}") / scored, 2) if scored else None)
            for c in Category
        }


def tally(votes: Iterable[Vote]) -> dict[str, int]:
    """A window's counters counted from its votes."""
    total = dict.fromkeys(COUNTERS, 0)
    for vote in votes:
        for name, value in contribution(vote).items():
            total[name] += value
    return total
