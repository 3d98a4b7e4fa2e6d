"""Statistics (issue #15 item 8, seed 002 "Analytics Engine"): the period asked for, and the
arithmetic turning counts read from the other contexts' tables into metrics; plain Python.

Every figure is an integer: shares in basis points (10000 = 100 %), averages of scores in
hundredths (372 = 3.72), votes per voter in thousandths (2500 = 2.5), weights in tenths (15 =
1.5), durations in whole seconds. Every average and share is rounded half up; one whose divisor
is zero (nothing to average) is None, never 0, so "no data" is not read as "all bad".
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from parovoz_kit.errors import ValidationFailed

from parovoz_greenlight.stats.rules import StatsRules
from parovoz_greenlight.voting.domain import Category, VoteChoice

#: Basis points of a whole, hundredths of a score, thousandths of a count.
BASIS_POINTS = 10_000
HUNDREDTHS = 100
PER_MILLE = 1_000

FROM_PARAMETER = "filter[from]"
TO_PARAMETER = "filter[to]"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def rounded_ratio(numerator: int, denominator: int, scale: int) -> int | None:
    """``numerator / denominator * scale`` rounded half up (exact: integers only); None when
    the denominator is 0."""
    if denominator <= 0:
        return None
    return (2 * numerator * scale + denominator) // (2 * denominator)


def decimal_text(value: int | None, scale: int) -> str | None:
    """``value / scale`` written as a decimal (2500, 1000 -> "2.500"); None stays None."""
    if value is None:
        return None
    digits = len(str(scale)) - 1
    whole, part = divmod(value, scale)
    return f"{whole}.{part:0{digits}d}" if digits else str(whole)


# --- the period ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """UTC days ``starts`` (included) to ``ends`` (excluded)."""

    starts: date
    ends: date

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.starts, time(), tzinfo=UTC)

    @property
    def ends_at(self) -> datetime:
        return datetime.combine(self.ends, time(), tzinfo=UTC)

    @property
    def days(self) -> int:
        return (self.ends - self.starts).days


def _date(text: str, parameter: str) -> date:
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(
            f"{parameter} must be a date YYYY-MM-DD (UTC).",
            detail_ru=f"{parameter} должен быть датой в формате ГГГГ-ММ-ДД (UTC).",
            parameter=parameter,
        ) from None


def period_of(from_text: str | None, to_text: str | None, today: date, rules: StatsRules) -> Period:
    """The period asked for: ``to`` excluded; without ``to`` up to today included; without
    ``from`` the rules' default number of days before ``to``. 400 (with the parameter) for a
    malformed date, ``from`` not before ``to``, or more days than the rules allow."""
    ends = _date(to_text, TO_PARAMETER) if to_text is not None else today + timedelta(days=1)
    if from_text is not None:
        starts = _date(from_text, FROM_PARAMETER)
    elif ends - date.min <= timedelta(days=rules.default_period_days):
        raise ValidationFailed(
            f"{TO_PARAMETER} ({ends}) leaves no {rules.default_period_days} days before it.",
            detail_ru=f"До {TO_PARAMETER} ({ends}) нет {rules.default_period_days} дней.",
            parameter=TO_PARAMETER,
        )
    else:
        starts = ends - timedelta(days=rules.default_period_days)
    if starts >= ends:
        raise ValidationFailed(
            f"{FROM_PARAMETER} ({starts}) must be before {TO_PARAMETER} ({ends}, excluded).",
            detail_ru=f"{FROM_PARAMETER} ({starts}) должен быть раньше {TO_PARAMETER} ({ends}, "
            "не включается).",
            parameter=FROM_PARAMETER,
        )
    period = Period(starts, ends)
    if period.days > rules.longest_period_days:
        raise ValidationFailed(
            f"The period is {period.days} days; at most {rules.longest_period_days} may be "
            "asked for at once.",
            detail_ru=f"Период в {period.days} дн. слишком длинный: за один запрос можно "
            f"не больше {rules.longest_period_days} дн.",
            parameter=FROM_PARAMETER,
        )
    return period


# --- system metrics -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SystemFigures:
    """The counts behind the system metrics of a period, as PostgreSQL counts them."""

    #: Submissions created in the period (any status).
    submissions_created: int
    #: Windows open now (the moment of ``as_of``).
    active_votings: int
    #: Windows whose voting closed in the period (by now), a withdrawn submission's excepted,
    #: and the sum of their lengths in whole seconds.
    completed_votings: int
    completed_voting_seconds: int
    #: Final results of the period decided by a vote (withdrawn ones excepted), the approved.
    decided_results: int
    approved_results: int
    #: Votes cast in the period, their distinct voters, the removed (flagged: weight 0) ones.
    votes_cast: int
    distinct_voters: int
    removed_votes: int
    #: The valid votes' category scores: how many scores (5 a vote) and their sum.
    scores_given: int
    scores_sum: int


@dataclass(frozen=True)
class Participation:
    votes_cast: int
    distinct_voters: int
    #: Votes per voter in thousandths (2500 = 2.5); None without voters.
    votes_per_voter_per_mille: int | None

    @property
    def votes_per_voter(self) -> str | None:
        return decimal_text(self.votes_per_voter_per_mille, PER_MILLE)


@dataclass(frozen=True)
class SystemMetrics:
    period: Period
    #: When the figures were counted (the clock's now).
    as_of: datetime
    total_submissions: int
    active_votings: int
    completed_votings: int
    decided_results: int
    approved_results: int
    #: Approved ÷ decided by a vote, basis points; None when nothing was decided.
    approval_rate_basis_points: int | None
    #: Average length of the votings completed, whole seconds; None when none completed.
    average_voting_duration_seconds: int | None
    participation: Participation
    removed_votes: int
    #: The average category score of the valid votes, hundredths (372 = 3.72); None without.
    quality_score_hundredths: int | None


def system_metrics(period: Period, figures: SystemFigures, as_of: datetime) -> SystemMetrics:
    return SystemMetrics(
        period=period,
        as_of=as_of,
        total_submissions=figures.submissions_created,
        active_votings=figures.active_votings,
        completed_votings=figures.completed_votings,
        decided_results=figures.decided_results,
        approved_results=figures.approved_results,
        approval_rate_basis_points=rounded_ratio(
            figures.approved_results, figures.decided_results, BASIS_POINTS
        ),
        average_voting_duration_seconds=rounded_ratio(
            figures.completed_voting_seconds, figures.completed_votings, 1
        ),
        participation=Participation(
            votes_cast=figures.votes_cast,
            distinct_voters=figures.distinct_voters,
            votes_per_voter_per_mille=rounded_ratio(
                figures.votes_cast, figures.distinct_voters, PER_MILLE
            ),
        ),
        removed_votes=figures.removed_votes,
        quality_score_hundredths=rounded_ratio(
            figures.scores_sum, figures.scores_given, HUNDREDTHS
        ),
    )


# --- a submission's analytics -------------------------------------------------------------------


@dataclass(frozen=True)
class WindowSpan:
    """The voting window the analytics are of (the submission's latest)."""

    id: uuid.UUID
    number: int
    opens_at: datetime
    closes_at: datetime
    status: str


@dataclass(frozen=True)
class DayCount:
    """Votes cast on one UTC day with one choice, valid (weight above 0) or removed."""

    day: date
    choice: VoteChoice
    valid: bool
    votes: int


@dataclass(frozen=True)
class WindowFigures:
    """Counts of a window's votes as PostgreSQL counts them; ``scores_sum``, ``played_demo``
    and ``would_recommend`` are of the valid votes only."""

    valid_votes: int
    removed_votes: int
    weighted_yes: int
    weighted_no: int
    scores_sum: Mapping[Category, int]
    played_demo: int
    would_recommend: int


NO_VOTES = WindowFigures(
    valid_votes=0,
    removed_votes=0,
    weighted_yes=0,
    weighted_no=0,
    scores_sum=dict.fromkeys(Category, 0),
    played_demo=0,
    would_recommend=0,
)


@dataclass(frozen=True)
class Day:
    day: date
    valid: Mapping[VoteChoice, int]
    removed: Mapping[VoteChoice, int]


@dataclass(frozen=True)
class SubmissionAnalytics:
    submission_id: uuid.UUID
    #: None when voting never began (then no votes, every average None).
    window: WindowSpan | None
    days: tuple[Day, ...]
    valid_votes: int
    removed_votes: int
    #: Tenths (15 = 1.5) of the valid yes and no votes.
    weighted_yes: int
    weighted_no: int
    #: Hundredths, valid votes only; None without valid votes.
    category_averages: Mapping[Category, int | None]
    #: Basis points of the valid votes; None without valid votes.
    played_demo_basis_points: int | None
    would_recommend_basis_points: int | None


def days_of(window: WindowSpan, counts: Iterable[DayCount], now: datetime) -> tuple[Day, ...]:
    """Every UTC day of the window from its opening up to its closing or today (whichever is
    first), zeros included, and any other day a vote was counted on; oldest first."""
    last_moment = min(now, window.closes_at - timedelta(microseconds=1))
    first = window.opens_at.astimezone(UTC).date()
    last = last_moment.astimezone(UTC).date()
    valid: dict[date, dict[VoteChoice, int]] = {}
    removed: dict[date, dict[VoteChoice, int]] = {}
    day = first
    while day <= last:
        valid[day], removed[day] = dict.fromkeys(VoteChoice, 0), dict.fromkeys(VoteChoice, 0)
        day += timedelta(days=1)
    for count in counts:
        valid.setdefault(count.day, dict.fromkeys(VoteChoice, 0))
        removed.setdefault(count.day, dict.fromkeys(VoteChoice, 0))
        side = valid if count.valid else removed
        side[count.day][count.choice] += count.votes
    return tuple(Day(day, valid[day], removed[day]) for day in sorted(valid))


def submission_analytics(
    submission_id: uuid.UUID,
    window: WindowSpan | None,
    figures: WindowFigures,
    counts: Iterable[DayCount],
    now: datetime,
) -> SubmissionAnalytics:
    valid = figures.valid_votes
    return SubmissionAnalytics(
        submission_id=submission_id,
        window=window,
        days=days_of(window, counts, now) if window is not None else (),
        valid_votes=valid,
        removed_votes=figures.removed_votes,
        weighted_yes=figures.weighted_yes,
        weighted_no=figures.weighted_no,
        category_averages={
            category: rounded_ratio(figures.scores_sum.get(category, 0), valid, HUNDREDTHS)
            for category in Category
        },
        played_demo_basis_points=rounded_ratio(figures.played_demo, valid, BASIS_POINTS),
        would_recommend_basis_points=rounded_ratio(figures.would_recommend, valid, BASIS_POINTS),
    )
