"""Fraud rules as pure rules: each default triggers, a switched-off one does not, the user
service being down fails closed (review), parameters are validated, cards fingerprinted."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from parovoz_kit.errors import BusinessRuleViolation, PermissionDenied, ValidationFailed
from parovoz_payment.domain.fraud import (
    DEFAULT_PARAMETERS,
    FraudAction,
    FraudRule,
    FraudRuleKind,
    PaymentFacts,
    UserFacts,
    card_fingerprint,
    evaluate,
)
from parovoz_payment.domain.money import Money

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
OLD_USER = UserFacts(blocked=False, account_created_at=NOW - timedelta(days=400))
DEFAULT_ACTIONS = {
    FraudRuleKind.CARD_FAILURES: FraudAction.LOCK_CARD,
    FraudRuleKind.DISTINCT_CARDS: FraudAction.REVIEW,
    FraudRuleKind.NEW_ACCOUNT_LARGE_PAYMENT: FraudAction.REVIEW,
    FraudRuleKind.BLOCKED_USER: FraudAction.BLOCK,
}


def rules(*off: FraudRuleKind) -> list[FraudRule]:
    return [
        FraudRule(uuid.uuid4(), kind, kind not in off, DEFAULT_PARAMETERS[kind], action)
        for kind, action in DEFAULT_ACTIONS.items()
    ]


def facts(**changes) -> PaymentFacts:
    values = {"now": NOW, "amount_rub": Money(99_900, "RUB"), "user": OLD_USER} | changes
    return PaymentFacts(**values)


def test_an_ordinary_payment_passes() -> None:
    assert not evaluate(rules(), facts(distinct_cards=3)).holds


def test_a_blocked_user_cannot_pay_unless_the_rule_is_off() -> None:
    blocked = facts(user=UserFacts(blocked=True, account_created_at=OLD_USER.account_created_at))
    with pytest.raises(PermissionDenied) as refused:
        evaluate(rules(), blocked)
    assert refused.value.code == "PAYMENT_BLOCKED"
    assert not evaluate(rules(FraudRuleKind.BLOCKED_USER), blocked).holds


def test_a_locked_card_is_refused_until_the_lock_ends() -> None:
    with pytest.raises(BusinessRuleViolation) as refused:
        evaluate(rules(), facts(card_locked_until=NOW + timedelta(seconds=1)))
    assert refused.value.code == "CARD_LOCKED"
    assert not evaluate(rules(), facts(card_locked_until=NOW)).holds
    off = rules(FraudRuleKind.CARD_FAILURES)
    assert not evaluate(off, facts(card_locked_until=NOW + timedelta(hours=1))).holds


def test_more_than_three_cards_a_day_is_reviewed() -> None:
    verdict = evaluate(rules(), facts(distinct_cards=4))
    assert [rule for rule, _ in verdict.review] == ["distinct_cards"]
    assert not evaluate(rules(FraudRuleKind.DISTINCT_CARDS), facts(distinct_cards=9)).holds


@pytest.mark.parametrize(
    ("amount_minor", "age", "held"),
    [
        (10_000_001, timedelta(days=6, hours=23), True),
        (10_000_000, timedelta(days=1), False),  # "over" 100,000.00: the limit itself passes
        (10_000_001, timedelta(days=7), False),  # 7 days old is not younger than 7 days
        (50_000_000, timedelta(days=30), False),
    ],
)
def test_a_large_payment_from_a_new_account_is_reviewed(amount_minor, age, held) -> None:
    user = UserFacts(blocked=False, account_created_at=NOW - age)
    verdict = evaluate(rules(), facts(amount_rub=Money(amount_minor, "RUB"), user=user))
    assert verdict.holds is held
    off = rules(FraudRuleKind.NEW_ACCOUNT_LARGE_PAYMENT)
    assert not evaluate(off, facts(amount_rub=Money(amount_minor, "RUB"), user=user)).holds


def test_unknown_account_age_or_currency_counts_as_risky() -> None:
    unknown = UserFacts(blocked=False, account_created_at=None)
    large = Money(20_000_000, "RUB")
    assert evaluate(rules(), facts(amount_rub=large, user=unknown)).holds
    assert evaluate(rules(), facts(amount_rub=None, user=OLD_USER.__class__(False, NOW))).holds


def test_user_service_down_fails_closed_into_review() -> None:
    verdict = evaluate(rules(), facts(user=None))
    assert [rule for rule, _ in verdict.review] == ["user_service_unavailable"]
    off = rules(FraudRuleKind.BLOCKED_USER, FraudRuleKind.NEW_ACCOUNT_LARGE_PAYMENT)
    assert not evaluate(off, facts(user=None)).holds


def test_a_review_rule_switched_to_block_refuses() -> None:
    changed = [
        rule.changed(action=FraudAction.BLOCK)
        if rule.kind is FraudRuleKind.DISTINCT_CARDS
        else rule
        for rule in rules()
    ]
    with pytest.raises(BusinessRuleViolation) as refused:
        evaluate(changed, facts(distinct_cards=4))
    assert refused.value.code == "PAYMENT_BLOCKED"


def test_rule_changes_are_validated() -> None:
    rule = rules()[0]
    assert rule.changed(parameters={"max_failures": 2}).param("max_failures") == 2
    assert rule.changed(parameters={"max_failures": 2}).param("window_seconds") == 600
    for bad, code in (
        ({"max_failures": 0}, "INVALID_RULE_PARAMETER"),
        ({"max_failures": 2.5}, "INVALID_RULE_PARAMETER"),
        ({"max_failures": True}, "INVALID_RULE_PARAMETER"),
        ({"max_cards": 3}, "UNKNOWN_RULE_PARAMETER"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            rule.changed(parameters=bad)
        assert refused.value.code == code
    with pytest.raises(ValidationFailed) as refused:
        rule.changed(action=FraudAction.REVIEW)  # a card lock is what card failures do
    assert refused.value.pointer == "/data/attributes/action"


def test_card_fingerprints_match_across_providers_and_never_hold_the_digits() -> None:
    yookassa = card_fingerprint("220220", "1234", "12", "2030")
    tbank = card_fingerprint("220220", "1234", "12", "30")  # ExpDate "1230"
    assert yookassa == tbank and yookassa is not None and "1234" not in yookassa
    assert card_fingerprint("220220", "1235", "12", "2030") != yookassa
    assert card_fingerprint("2202", "1234", "12", "2030") is None
