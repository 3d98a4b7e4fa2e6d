"""Voting's rules: eligibility reasons and their boundaries, weights, live counters."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from parovoz_greenlight.settings import GreenlightSettings
from parovoz_greenlight.voting.domain import (
    Ballot,
    Category,
    IneligibleReason,
    NotEligible,
    Suspension,
    Vote,
    VoteChoice,
    VoterFacts,
    WeightReason,
    difference,
    eligibility,
    require_demo_to_play,
    require_eligible,
    require_within_rate,
    tally,
    weight_of,
)
from parovoz_kit.errors import BusinessRuleViolation, TooManyRequests, ValidationFailed

RULES = GreenlightSettings(environment="test").voting_rules()
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
R = IneligibleReason


def facts(age: timedelta = timedelta(days=400), purchases: int = 3, blocked: bool = False):
    return VoterFacts(account_created_at=NOW - age, purchases_count=purchases, blocked=blocked)


def ballot(choice: VoteChoice = VoteChoice.YES, score: int = 4, demo: bool = False) -> Ballot:
    return Ballot(choice, dict.fromkeys(Category, score), played_demo=demo)


def test_an_old_account_with_a_purchase_may_vote() -> None:
    answer = eligibility(facts(), None, NOW, RULES)
    assert answer.eligible and answer.reasons == ()
    require_eligible(answer)


def test_exactly_thirty_days_is_not_older_than_thirty_days() -> None:
    exactly = eligibility(facts(age=RULES.min_account_age), None, NOW, RULES)
    assert exactly.reasons == (R.ACCOUNT_TOO_NEW,)
    assert exactly.eligible_from == NOW
    older = eligibility(facts(age=RULES.min_account_age + timedelta(seconds=1)), None, NOW, RULES)
    assert older.eligible


def test_purchases_boundary() -> None:
    assert eligibility(facts(purchases=0), None, NOW, RULES).reasons == (R.NO_PURCHASES,)
    assert eligibility(facts(purchases=RULES.min_purchases), None, NOW, RULES).eligible


def test_every_failing_reason_is_listed() -> None:
    answer = eligibility(
        facts(age=timedelta(days=1), purchases=0, blocked=True),
        Suspension(NOW + timedelta(days=7)),
        NOW,
        RULES,
    )
    assert answer.reasons == (
        R.ACCOUNT_TOO_NEW,
        R.NO_PURCHASES,
        R.ACCOUNT_BLOCKED,
        R.VOTING_SUSPENDED,
    )
    assert answer.suspended_until == NOW + timedelta(days=7)
    assert answer.suspended_permanently is False
    with pytest.raises(NotEligible) as refused:
        require_eligible(answer)
    assert refused.value.code == "VOTING_NOT_ELIGIBLE" and refused.value.http_status == 403
    assert "ACCOUNT_TOO_NEW" in refused.value.detail and "NO_PURCHASES" in refused.value.detail
    assert refused.value.detail_ru and "ACCOUNT_BLOCKED" in refused.value.detail_ru


def test_a_penalty_that_ended_does_not_count_and_an_unknown_user_may_not_vote() -> None:
    assert eligibility(facts(), Suspension(NOW), NOW, RULES).eligible
    assert eligibility(facts(), Suspension(NOW - timedelta(seconds=1)), NOW, RULES).eligible
    assert eligibility(None, None, NOW, RULES).reasons == (R.USER_UNKNOWN,)


def test_weights_in_tenths() -> None:
    assert weight_of(False, False, RULES) == RULES.base_weight_tenths == 10
    assert weight_of(True, False, RULES) == RULES.demo_weight_tenths == 15
    assert weight_of(True, True, RULES) == 0


def _vote(b: Ballot) -> Vote:
    return Vote.cast(
        vote_id=uuid.uuid4(),
        submission_id=uuid.uuid4(),
        window_id=uuid.uuid4(),
        user_id=uuid.uuid4(),
        ballot=b,
        now=NOW,
        rules=RULES,
    )


def test_a_vote_weighs_by_the_demo_and_a_flagged_vote_stays_zero() -> None:
    vote = _vote(ballot(demo=True))
    assert vote.weight == 15 and vote.weight_reason is WeightReason.PLAYED_DEMO and vote.counted
    vote.change(ballot(demo=False), NOW, RULES)
    assert vote.weight == 10 and vote.weight_reason is WeightReason.BASE
    vote.flag("burst")
    assert vote.weight == 0 and not vote.counted and vote.weight_reason is WeightReason.FLAGGED
    vote.change(ballot(demo=True), NOW, RULES)
    assert vote.weight == 0


def test_scores_must_be_complete_and_in_range() -> None:
    with pytest.raises(ValidationFailed):
        Ballot(VoteChoice.NO, {Category.GAMEPLAY: 3})
    with pytest.raises(ValidationFailed):
        Ballot(VoteChoice.NO, dict.fromkeys(Category, 6))


def test_a_change_moves_the_counters_from_the_old_choice_to_the_new() -> None:
    before = _vote(ballot(VoteChoice.YES, score=5, demo=True))
    after = _vote(ballot(VoteChoice.NO, score=2))
    step = difference(before, after)
    assert step["yes"] == -1 and step["no"] == 1
    assert step["weighted_yes"] == -15 and step["weighted_no"] == 10
    assert step["score_gameplay"] == -3 and "scored" not in step
    first = difference(None, before)
    counters = tally([before])
    assert all(counters[name] == first.get(name, 0) for name in counters)
    moved = {name: counters[name] + step.get(name, 0) for name in counters}
    assert moved == tally([after])


def test_a_permanent_ban_is_no_date_but_suspended_permanently() -> None:
    answer = eligibility(facts(), Suspension(None), NOW + timedelta(days=36500), RULES)
    assert answer.reasons == (R.VOTING_SUSPENDED,)
    assert answer.suspended_until is None and answer.suspended_permanently is True
    with pytest.raises(NotEligible) as refused:
        require_eligible(answer)
    assert "VOTING_SUSPENDED" in refused.value.detail and "for good" in refused.value.detail
    assert refused.value.detail_ru and "бессрочно" in refused.value.detail_ru
    dated = eligibility(facts(), Suspension(NOW + timedelta(days=7)), NOW, RULES)
    assert dated.suspended_permanently is False
    with pytest.raises(NotEligible) as until:
        require_eligible(dated)
    assert (NOW + timedelta(days=7)).isoformat() in until.value.detail


def test_the_live_rate_limit_counts_the_sliding_period_ending_now() -> None:
    limit, period = RULES.rate_limit_votes, RULES.rate_period
    below = [NOW - timedelta(seconds=i) for i in range(limit - 1)]
    require_within_rate(below, NOW, RULES)
    # The oldest exactly one period ago is outside (votes an hour apart are not in one hour).
    require_within_rate([*below, NOW - period], NOW, RULES)
    full = [*below, NOW - period + timedelta(seconds=1)]
    with pytest.raises(TooManyRequests) as refused:
        require_within_rate(full, NOW, RULES)
    assert refused.value.code == "SUSPICIOUS_VOTING_DETECTED"
    assert refused.value.retry_after_seconds == 1
    assert str(limit) in refused.value.detail
    with pytest.raises(TooManyRequests) as later:
        require_within_rate([NOW - timedelta(minutes=10)] * limit, NOW, RULES)
    assert later.value.retry_after_seconds == int((period - timedelta(minutes=10)).total_seconds())


def test_a_played_demo_needs_a_demo_link() -> None:
    require_demo_to_play(ballot(demo=True), ["https://demo.example.ru/a"])
    require_demo_to_play(ballot(demo=False), [])
    with pytest.raises(BusinessRuleViolation) as refused:
        require_demo_to_play(ballot(demo=True), [])
    assert refused.value.code == "DEMO_NOT_ACCESSIBLE"
    assert refused.value.pointer == "/data/attributes/played_demo"
