"""Votes, their weights and the voter's eligibility (PRODUCT.md "Greenlight"): plain Python.

A vote is one user's YES / NO / ABSTAIN on a submission in one voting window, with the five
category scores (1-5), a comment, whether the voter played the demo and would recommend it.
Its weight is kept in tenths so that sums are exact: 10 (1.0), 15 (1.5, played the demo), 0
(flagged invalid by the audit or the integrity rules; a flagged vote stays 0 whatever changes).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from parovoz_kit.errors import (
    BusinessRuleViolation,
    PermissionDenied,
    TooManyRequests,
    ValidationFailed,
)

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
class Suspension:
    """A greenlight penalty keeping a user from voting: until ``until``, or for good (``None``:
    a permanent ban)."""

    until: datetime | None

    @property
    def permanent(self) -> bool:
        return self.until is None

    def in_force(self, now: datetime) -> bool:
        return self.until is None or self.until > now


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reasons: tuple[IneligibleReason, ...]
    #: When the account becomes old enough (None: it already is, or the user is unknown).
    eligible_from: datetime | None = None
    #: Until when a greenlight penalty suspends voting (None: none does, or it never ends).
    suspended_until: datetime | None = None
    #: True when a penalty suspends voting for good (a permanent ban; no ``suspended_until``).
    suspended_permanently: bool = False


def eligibility(
    facts: VoterFacts | None, suspension: Suspension | None, now: datetime, rules: VotingRules
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
    suspended_until, permanently = None, False
    if suspension is not None and suspension.in_force(now):
        reasons.append(IneligibleReason.VOTING_SUSPENDED)
        suspended_until, permanently = suspension.until, suspension.permanent
    return Eligibility(not reasons, tuple(reasons), eligible_from, suspended_until, permanently)


def _suspension_texts(answer: Eligibility) -> tuple[str, str]:
    if answer.suspended_permanently:
        return " for good", " бессрочно"
    if answer.suspended_until is not None:
        at = answer.suspended_until.isoformat()
        return f" until {at}", f" до {at}"
    return "", ""


class NotEligible(PermissionDenied):
    def __init__(self, answer: Eligibility) -> None:
        codes = ", ".join(reason.value for reason in answer.reasons)
        until_en, until_ru = _suspension_texts(answer)
        english = "; ".join(
            _REASON_TEXTS[reason][0]
            + (until_en if reason is IneligibleReason.VOTING_SUSPENDED else "")
            for reason in answer.reasons
        )
        russian = "; ".join(
            _REASON_TEXTS[reason][1]
            + (until_ru if reason is IneligibleReason.VOTING_SUSPENDED else "")
            for reason in answer.reasons
        )
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


# --- the live rate limit and the demo ----------------------------------------------------------
def require_within_rate(recent: Sequence[datetime], now: datetime, rules: VotingRules) -> None:
    """The live side of PRODUCT.md's rate limit (the audit's ``rate_limit`` rule is the backstop
    for what this cannot see): ``recent`` are the user's votes cast in the sliding period ending
    now, ``(now - rate_period, now]`` (at least the newest ``rate_limit_votes`` of them). A new
    vote that would be beyond the limit is refused, 429 ``SUSPICIOUS_VOTING_DETECTED`` with
    ``Retry-After``: when the oldest of the newest ``limit`` votes leaves the period."""
    inside = sorted((at for at in recent if now - rules.rate_period < at <= now), reverse=True)
    if len(inside) < rules.rate_limit_votes:
        return
    free_at = inside[rules.rate_limit_votes - 1] + rules.rate_period
    wait = max(1, math.ceil((free_at - now).total_seconds()))
    minutes = int(rules.rate_period.total_seconds() // 60)
    raise TooManyRequests(
        f"Too many votes: at most {rules.rate_limit_votes} within {minutes} minutes; "
        f"the next one is accepted in {wait} s.",
        detail_ru=f"Слишком много голосов: не больше {rules.rate_limit_votes} за {minutes} мин.; "
        f"следующий голос будет принят через {wait} с.",
        code="SUSPICIOUS_VOTING_DETECTED",
        retry_after_seconds=wait,
    )


def require_demo_to_play(ballot: Ballot, demo_links: Sequence[str]) -> None:
    """``played_demo`` on a submission without a demo link (nothing to play): 422
    ``DEMO_NOT_ACCESSIBLE`` pointing at ``played_demo`` (the links are not probed)."""
    if ballot.played_demo and not demo_links:
        raise BusinessRuleViolation(
            "The submission has no demo to play: send played_demo false.",
            detail_ru="У заявки нет демоверсии, которую можно было бы сыграть: укажите "
            "played_demo = false.",
            code="DEMO_NOT_ACCESSIBLE",
            pointer="/data/attributes/played_demo",
        )


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


@dataclass(frozen=True)
class WindowCounts:
    """A window's votes as counted: valid (weight above 0) and removed (weight 0: flagged), and
    the valid yes and no weights in tenths (abstentions are valid and weigh on neither side)."""

    valid_votes: int
    removed_votes: int
    weighted_yes: int
    weighted_no: int
