"""The lifecycle rules of domain.py: a trial's period, an incomplete subscription without one,
cancel (access kept to the period end), resume before the end only (a cancelled trial stays a
trial), time zones, and the list cursor."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from parovoz_kit.errors import BusinessRuleViolation, ValidationFailed
from parovoz_subscription.subscriptions.domain import (
    BillingPeriod,
    PlanType,
    Position,
    Subscription,
    SubscriptionStatus,
    SubscriptionTransitionRefused,
    Terms,
    cancel_subscription,
    new_incomplete,
    new_trial,
    resume_subscription,
    zone_named,
)

S = SubscriptionStatus
NOW = datetime(2026, 2, 28, 20, 30, tzinfo=UTC)
TERMS = Terms(uuid.uuid4(), PlanType.FAMILY, BillingPeriod.YEARLY, "KZ", "KZT", 1_990_000)


def a_trial(days: int = 14) -> Subscription:
    return new_trial(uuid.uuid4(), uuid.uuid4(), TERMS, "Asia/Almaty", days, NOW)


def test_a_trial_is_its_first_period_and_grants_access_until_its_end() -> None:
    sub = a_trial(7)
    assert sub.status is S.TRIAL and sub.auto_renew
    assert sub.anchor_at == sub.current_period_start == NOW
    assert sub.current_period_end == sub.trial_end_at == NOW + timedelta(days=7)
    assert (sub.price_minor, sub.currency, sub.region) == (1_990_000, "KZT", "KZ")
    assert sub.grants_access_at(NOW + timedelta(days=7) - timedelta(seconds=1))
    assert not sub.grants_access_at(NOW + timedelta(days=7))
    assert sub.access_until() == NOW + timedelta(days=7)
    with pytest.raises(ValueError):
        a_trial(0)


def test_an_incomplete_subscription_has_no_period_and_no_access() -> None:
    sub = new_incomplete(uuid.uuid4(), uuid.uuid4(), TERMS, "Europe/Moscow", NOW)
    assert sub.status is S.INCOMPLETE
    assert sub.current_period_start == sub.current_period_end == NOW
    assert sub.trial_end_at is None
    assert not sub.grants_access_at(NOW) and sub.access_until() is None
    with pytest.raises(SubscriptionTransitionRefused):
        cancel_subscription(sub, None, NOW)
    assert sub.status is S.INCOMPLETE


def test_cancel_keeps_access_to_the_period_end() -> None:
    sub = a_trial()
    later = NOW + timedelta(days=2)
    cancel_subscription(sub, "Не понравилось", later)
    assert sub.status is S.CANCELLED and not sub.auto_renew
    assert (sub.cancelled_at, sub.cancellation_reason) == (later, "Не понравилось")
    assert sub.access_until() == NOW + timedelta(days=14)
    assert sub.grants_access_at(NOW + timedelta(days=13))
    with pytest.raises(SubscriptionTransitionRefused):
        cancel_subscription(sub, None, later)  # twice


def test_a_cancelled_trial_resumes_as_a_trial() -> None:
    sub = a_trial()
    cancel_subscription(sub, "дорого", NOW + timedelta(days=1))
    resume_subscription(sub, NOW + timedelta(days=3))
    assert sub.status is S.TRIAL and sub.auto_renew
    assert sub.cancelled_at is None and sub.cancellation_reason is None
    assert sub.current_period_end == sub.trial_end_at


def test_a_cancelled_paid_subscription_resumes_as_active() -> None:
    sub = a_trial()
    sub.move(S.ACTIVE, sub.current_period_end)  # converted: a paid period follows the trial
    sub.current_period_start = sub.current_period_end
    sub.current_period_end = sub.current_period_start + timedelta(days=365)
    cancel_subscription(sub, None, sub.current_period_start + timedelta(days=10))
    resume_subscription(sub, sub.current_period_start + timedelta(days=11))
    assert sub.status is S.ACTIVE and sub.auto_renew


@pytest.mark.parametrize("status", [S.TRIAL, S.ACTIVE, S.EXPIRED])
def test_resume_is_refused_unless_cancelled_before_the_end(status: SubscriptionStatus) -> None:
    sub = a_trial()
    if status is S.EXPIRED:
        sub.move(S.EXPIRED, NOW)
    elif status is S.ACTIVE:
        sub.move(S.ACTIVE, NOW)
    with pytest.raises(BusinessRuleViolation) as refused:
        resume_subscription(sub, NOW + timedelta(days=1))
    assert refused.value.code == "SUBSCRIPTION_NOT_RESUMABLE"
    assert sub.status is status


def test_resume_after_the_period_end_is_refused() -> None:
    sub = a_trial()
    cancel_subscription(sub, None, NOW)
    with pytest.raises(BusinessRuleViolation) as refused:
        resume_subscription(sub, sub.current_period_end)
    assert refused.value.code == "SUBSCRIPTION_NOT_RESUMABLE"
    assert sub.status is S.CANCELLED


@pytest.mark.parametrize("name", ["Europe/Moscow", "Asia/Vladivostok", "UTC"])
def test_iana_zones_are_taken(name: str) -> None:
    assert zone_named(name).key == name


@pytest.mark.parametrize(
    "name", ["", "Moscow", "Europe/Atlantis", "../etc/passwd", "europe/moscow", "UTC+3", "a\x00"]
)
def test_other_zone_names_are_400(name: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        zone_named(name, "/data/attributes/time_zone")
    assert refused.value.code == "INVALID_TIME_ZONE"
    assert refused.value.pointer == "/data/attributes/time_zone"


def test_a_cursor_names_its_position_and_nothing_else_is_a_cursor() -> None:
    position = Position(NOW, uuid.uuid4())
    assert Position.of_cursor(position.cursor()) == position
    for junk in ["x", "eyJ9", Position(NOW.replace(tzinfo=None), uuid.uuid4()).cursor(), "%%%"]:
        with pytest.raises(ValidationFailed) as refused:
            Position.of_cursor(junk)
        assert refused.value.code == "INVALID_PAGE_CURSOR"
        assert refused.value.parameter == "page[cursor]"
