"""Results' pure rules: the tally of weighted votes (tenths), the approval rule, the Wilson
interval, and a window's moves open -> audit -> final."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from parovoz_greenlight.results.domain import (
    ApprovalRule,
    Choice,
    CountedVote,
    Outcome,
    Tally,
    Window,
    WindowStatus,
    WindowTransitionRefused,
    decide,
    tally,
    wilson_interval,
)

RULE = ApprovalRule(minimum_valid_votes=100, threshold_basis_points=6000)
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def votes(yes: int, no: int, *, weight: int = 10, abstain: int = 0) -> list[CountedVote]:
    return (
        [CountedVote(uuid.uuid4(), Choice.YES, weight) for _ in range(yes)]
        + [CountedVote(uuid.uuid4(), Choice.NO, weight) for _ in range(no)]
        + [CountedVote(uuid.uuid4(), Choice.ABSTAIN, weight) for _ in range(abstain)]
    )


def test_wilson_of_60_yes_in_100_has_a_lower_bound_near_half() -> None:
    lower, upper = wilson_interval(600, 1000)  # 60 of 100 votes of weight 1.0 (tenths)
    assert lower == pytest.approx(0.5020, abs=1e-4)
    assert upper == pytest.approx(0.6906, abs=1e-4)


def test_wilson_matches_the_formula_and_narrows_with_more_votes() -> None:
    z = 1.96
    n, p = 40.0, 0.75
    expected = (p + z * z / (2 * n) - z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))) / (
        1 + z * z / n
    )
    assert wilson_interval(300, 400)[0] == pytest.approx(expected)
    small, large = wilson_interval(300, 400), wilson_interval(3000, 4000)
    assert small[0] < large[0] < 0.75 < large[1] < small[1]


def test_wilson_edges() -> None:
    assert wilson_interval(0, 0) == (0.0, 0.0)
    lower, upper = wilson_interval(0, 100)
    assert lower == 0.0 and 0 < upper < 1
    lower, upper = wilson_interval(100, 100)
    assert 0 < lower < 1 and upper == pytest.approx(1.0)
    with pytest.raises(ValueError):
        wilson_interval(11, 10)


def test_tally_weighs_in_tenths_and_removes_flagged_and_zero_weight_votes() -> None:
    demo = [CountedVote(uuid.uuid4(), Choice.YES, 15) for _ in range(2)]
    plain = votes(1, 2, abstain=1)
    zero = [CountedVote(uuid.uuid4(), Choice.YES, 0)]
    flagged_vote = CountedVote(uuid.uuid4(), Choice.NO, 10)
    counts = tally([*demo, *plain, *zero, flagged_vote], {flagged_vote.id: "burst"})
    assert counts == Tally(valid_votes=6, removed_votes=2, weighted_yes=40, weighted_no=20)
    assert counts.approval_basis_points == 6666  # 40 / 60, rounded down
    assert counts.votes_needed(RULE) == 94


def test_approval_needs_the_minimum_of_valid_votes() -> None:
    assert decide(tally(votes(99, 0)), RULE) is Outcome.NOT_ENOUGH_VOTES
    assert decide(tally(votes(100, 0)), RULE) is Outcome.APPROVED
    assert tally(votes(100, 0)).votes_needed(RULE) == 0


def test_approval_threshold_is_inclusive_and_exact() -> None:
    assert decide(tally(votes(60, 40)), RULE) is Outcome.APPROVED
    assert decide(tally(votes(59, 41)), RULE) is Outcome.APPROVAL_BELOW_THRESHOLD
    # weighted: 40 demo-players' yes (60.0) against 40 no (40.0) = 60 % exactly
    weighted = votes(40, 0, weight=15) + votes(0, 40) + votes(0, 0, abstain=30)
    assert decide(tally(weighted), RULE) is Outcome.APPROVED
    only_abstentions = votes(0, 0, abstain=120)
    assert decide(tally(only_abstentions), RULE) is Outcome.APPROVAL_BELOW_THRESHOLD


def window() -> Window:
    return Window(
        id=uuid.uuid4(),
        submission_id=uuid.uuid4(),
        number=1,
        opens_at=T0,
        closes_at=T0 + timedelta(days=30),
        status=WindowStatus.OPEN,
    )


def test_window_accepts_votes_only_while_open() -> None:
    w = window()
    assert not w.accepts_votes(T0 - timedelta(seconds=1))
    assert w.accepts_votes(T0)
    assert w.accepts_votes(w.closes_at - timedelta(seconds=1))
    assert not w.accepts_votes(w.closes_at)
    assert w.audit_due(w.closes_at) and not w.audit_due(w.closes_at - timedelta(seconds=1))


def test_window_goes_to_audit_then_final_once() -> None:
    w = window()
    w.start_audit(timedelta(hours=24))
    assert w.status is WindowStatus.AUDIT
    assert w.audit_ends_at == w.closes_at + timedelta(hours=24)
    assert not w.accepts_votes(w.closes_at - timedelta(days=1))
    assert not w.final_due(w.closes_at + timedelta(hours=23))
    assert w.final_due(w.closes_at + timedelta(hours=24))
    with pytest.raises(WindowTransitionRefused):
        w.start_audit(timedelta(hours=24))
    counts = tally(votes(70, 30))
    w.finalize(counts, Outcome.APPROVED, T0 + timedelta(days=31))
    assert w.final_tally == counts
    assert w.approval_basis_points == 7000 and w.outcome is Outcome.APPROVED
    with pytest.raises(WindowTransitionRefused):
        w.finalize(counts, Outcome.APPROVED, T0 + timedelta(days=32))
