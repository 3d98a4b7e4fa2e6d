"""Statistics' arithmetic: the period asked for (defaults, the longest, from before to, malformed
dates), exact rounding half up, empty periods answering None rather than 0, votes per voter as
a decimal, the days of a window with zeros."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from parovoz_greenlight.settings import GreenlightSettings
from parovoz_greenlight.stats.domain import (
    BASIS_POINTS,
    HUNDREDTHS,
    NO_VOTES,
    PER_MILLE,
    DayCount,
    Period,
    SystemFigures,
    WindowFigures,
    WindowSpan,
    decimal_text,
    period_of,
    rounded_ratio,
    submission_analytics,
    system_metrics,
)
from parovoz_greenlight.stats.rules import StatsRules
from parovoz_greenlight.voting.domain import Category, VoteChoice
from parovoz_kit.errors import ValidationFailed

RULES = StatsRules(
    default_period_days=30, longest_period_days=366, cache_ttl_seconds=60, cache_timeout_seconds=1
)
TODAY = date(2026, 12, 8)
NOW = datetime(2026, 12, 8, 15, 30, tzinfo=UTC)
Y, N, A = VoteChoice.YES, VoteChoice.NO, VoteChoice.ABSTAIN


def figures(**values: int) -> SystemFigures:
    zeros = dict.fromkeys(SystemFigures.__dataclass_fields__, 0)
    return SystemFigures(**{**zeros, **values})


# --- the period ---------------------------------------------------------------------------------


def test_the_default_period_is_the_last_days_up_to_today_included() -> None:
    period = period_of(None, None, TODAY, RULES)
    assert period.ends == TODAY + timedelta(days=1)
    assert period.days == RULES.default_period_days
    assert period.starts_at == datetime(2026, 11, 9, tzinfo=UTC)
    assert period.ends_at == datetime(2026, 12, 9, tzinfo=UTC)


def test_one_end_given_the_other_follows() -> None:
    assert period_of("2026-12-01", None, TODAY, RULES) == Period(
        date(2026, 12, 1), date(2026, 12, 9)
    )
    assert period_of(None, "2026-11-01", TODAY, RULES) == Period(
        date(2026, 10, 2), date(2026, 11, 1)
    )


def test_the_settings_build_the_rules_with_product_defaults() -> None:
    rules = GreenlightSettings(environment="test").stats_rules()
    assert (rules.default_period_days, rules.longest_period_days) == (30, 366)
    assert rules.cache_ttl_seconds == 60


def test_the_longest_period_is_allowed_one_day_more_is_not() -> None:
    starts = date(2025, 1, 1)
    longest = starts + timedelta(days=RULES.longest_period_days)
    assert period_of("2025-01-01", longest.isoformat(), TODAY, RULES).days == 366
    with pytest.raises(ValidationFailed) as refused:
        period_of("2025-01-01", (longest + timedelta(days=1)).isoformat(), TODAY, RULES)
    assert refused.value.parameter == "filter[from]"
    assert "367" in (refused.value.detail_ru or "")


@pytest.mark.parametrize(
    ("starts", "ends"), [("2026-11-01", "2026-11-01"), ("2026-11-02", "2026-11-01")]
)
def test_from_must_be_before_to(starts: str, ends: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        period_of(starts, ends, TODAY, RULES)
    assert refused.value.parameter == "filter[from]"
    assert period_of("2026-10-31", "2026-11-01", TODAY, RULES).days == 1


@pytest.mark.parametrize(
    ("starts", "ends", "parameter"),
    [
        ("2026-02-30", "2026-03-01", "filter[from]"),
        ("20261101", "2026-12-01", "filter[from]"),
        ("2026-11-01", "2026-12-01T00:00:00", "filter[to]"),
        ("2026-11-01", "tomorrow", "filter[to]"),
        ("", "2026-12-01", "filter[from]"),
    ],
)
def test_a_malformed_date_is_400_naming_its_parameter(
    starts: str, ends: str, parameter: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        period_of(starts, ends, TODAY, RULES)
    assert refused.value.parameter == parameter
    assert refused.value.code == "VALIDATION_ERROR"


def test_the_first_days_of_the_calendar_are_refused_not_overflowed() -> None:
    with pytest.raises(ValidationFailed) as refused:
        period_of(None, "0001-01-05", TODAY, RULES)
    assert refused.value.parameter == "filter[to]"
    assert period_of("0001-01-01", "0001-01-31", TODAY, RULES).days == 30


# --- rounding -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("numerator", "denominator", "scale", "expected"),
    [
        (1, 3, BASIS_POINTS, 3333),  # 3333.33 down
        (2, 3, BASIS_POINTS, 6667),  # 6666.67 up
        (1, 8, BASIS_POINTS, 1250),
        (1, 16, HUNDREDTHS, 6),  # 6.25 down
        (1, 8, HUNDREDTHS, 13),  # 12.5: half up
        (5, 2, PER_MILLE, 2500),
        (0, 7, HUNDREDTHS, 0),
        (7, 7, BASIS_POINTS, 10_000),
    ],
)
def test_ratios_round_half_up_exactly(
    numerator: int, denominator: int, scale: int, expected: int
) -> None:
    assert rounded_ratio(numerator, denominator, scale) == expected


def test_nothing_to_divide_by_is_none_not_zero() -> None:
    assert rounded_ratio(0, 0, BASIS_POINTS) is None
    assert rounded_ratio(5, 0, HUNDREDTHS) is None


def test_decimal_text() -> None:
    assert decimal_text(2500, PER_MILLE) == "2.500"
    assert decimal_text(1333, PER_MILLE) == "1.333"
    assert decimal_text(7, PER_MILLE) == "0.007"
    assert decimal_text(372, HUNDREDTHS) == "3.72"
    assert decimal_text(None, PER_MILLE) is None


# --- system metrics -----------------------------------------------------------------------------


def test_system_metrics_of_counted_figures() -> None:
    period = Period(date(2026, 11, 1), date(2026, 12, 1))
    metrics = system_metrics(
        period,
        figures(
            submissions_created=9,
            active_votings=2,
            completed_votings=3,
            completed_voting_seconds=30 * 86400 + 30 * 86400 + 14 * 86400,
            decided_results=3,
            approved_results=1,
            votes_cast=10,
            distinct_voters=4,
            removed_votes=2,
            scores_given=8 * 5,
            scores_sum=149,
        ),
        NOW,
    )
    assert metrics.period == period and metrics.as_of == NOW
    assert (metrics.total_submissions, metrics.active_votings, metrics.completed_votings) == (
        9,
        2,
        3,
    )
    assert metrics.approval_rate_basis_points == 3333
    assert metrics.average_voting_duration_seconds == 2_131_200  # (30 + 30 + 14) days ÷ 3
    assert metrics.participation.votes_per_voter_per_mille == 2500
    assert metrics.participation.votes_per_voter == "2.500"
    assert metrics.removed_votes == 2
    assert metrics.quality_score_hundredths == 373  # 149 / 40 = 3.725: half up


def test_an_empty_period_answers_zeros_and_nones() -> None:
    metrics = system_metrics(Period(date(2030, 1, 1), date(2030, 2, 1)), figures(), NOW)
    assert metrics.total_submissions == metrics.completed_votings == 0
    assert metrics.participation.votes_cast == metrics.participation.distinct_voters == 0
    assert metrics.approval_rate_basis_points is None
    assert metrics.average_voting_duration_seconds is None
    assert metrics.participation.votes_per_voter_per_mille is None
    assert metrics.participation.votes_per_voter is None
    assert metrics.quality_score_hundredths is None


def test_only_removed_votes_have_no_quality_score() -> None:
    metrics = system_metrics(
        Period(date(2030, 1, 1), date(2030, 2, 1)),
        figures(votes_cast=3, distinct_voters=3, removed_votes=3),
        NOW,
    )
    assert metrics.quality_score_hundredths is None
    assert metrics.participation.votes_per_voter == "1.000"


# --- a submission's analytics -------------------------------------------------------------------


def window(opens: datetime, days: int = 30) -> WindowSpan:
    return WindowSpan(
        id=uuid.uuid4(),
        number=1,
        opens_at=opens,
        closes_at=opens + timedelta(days=days),
        status="open",
    )


def test_days_run_from_the_opening_to_today_with_zeros() -> None:
    opened = datetime(2026, 12, 5, 22, 0, tzinfo=UTC)
    counts = [
        DayCount(date(2026, 12, 5), Y, True, 2),
        DayCount(date(2026, 12, 7), N, True, 1),
        DayCount(date(2026, 12, 7), Y, False, 3),
    ]
    analytics = submission_analytics(uuid.uuid4(), window(opened), NO_VOTES, counts, NOW)
    assert [day.day for day in analytics.days] == [
        date(2026, 12, 5),
        date(2026, 12, 6),
        date(2026, 12, 7),
        date(2026, 12, 8),
    ]
    first, second, third, _ = analytics.days
    assert dict(first.valid) == {Y: 2, N: 0, A: 0} and sum(first.removed.values()) == 0
    assert sum(second.valid.values()) == sum(second.removed.values()) == 0
    assert dict(third.valid) == {Y: 0, N: 1, A: 0}
    assert dict(third.removed) == {Y: 3, N: 0, A: 0}


def test_days_of_a_closed_window_stop_on_its_last_day() -> None:
    opened = datetime(2026, 10, 1, tzinfo=UTC)  # closes 2026-10-15 00:00: the 14th is the last
    analytics = submission_analytics(uuid.uuid4(), window(opened, 14), NO_VOTES, [], NOW)
    assert len(analytics.days) == 14
    assert analytics.days[-1].day == date(2026, 10, 14)


def test_a_window_not_open_yet_has_no_days() -> None:
    later = window(NOW + timedelta(days=3))
    assert submission_analytics(uuid.uuid4(), later, NO_VOTES, [], NOW).days == ()


def test_category_averages_and_shares_of_the_valid_votes() -> None:
    counted = WindowFigures(
        valid_votes=8,
        removed_votes=5,
        weighted_yes=65,
        weighted_no=20,
        scores_sum={
            Category.GAMEPLAY: 30,
            Category.PRESENTATION: 8,
            Category.INNOVATION: 40,
            Category.MARKET_APPEAL: 29,
            Category.TECHNICAL_QUALITY: 25,
        },
        played_demo=3,
        would_recommend=5,
    )
    analytics = submission_analytics(
        uuid.uuid4(), window(NOW - timedelta(days=1)), counted, [], NOW
    )
    assert analytics.category_averages == {
        Category.GAMEPLAY: 375,
        Category.PRESENTATION: 100,
        Category.INNOVATION: 500,
        Category.MARKET_APPEAL: 363,  # 3.625: half up
        Category.TECHNICAL_QUALITY: 313,  # 3.125: half up
    }
    assert analytics.played_demo_basis_points == 3750
    assert analytics.would_recommend_basis_points == 6250
    assert (analytics.weighted_yes, analytics.weighted_no) == (65, 20)
    assert (analytics.valid_votes, analytics.removed_votes) == (8, 5)


def test_no_window_no_votes_every_average_none() -> None:
    analytics = submission_analytics(uuid.uuid4(), None, NO_VOTES, [], NOW)
    assert analytics.window is None and analytics.days == ()
    assert set(analytics.category_averages.values()) == {None}
    assert analytics.played_demo_basis_points is None
    assert analytics.would_recommend_basis_points is None
