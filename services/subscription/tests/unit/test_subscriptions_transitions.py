"""The subscription state machine: every allowed move of TRANSITIONS happens (with the
timestamps of its state), every other pair is refused with SubscriptionTransitionRefused and
changes nothing."""

from __future__ import annotations

import copy
import itertools
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from parovoz_kit.errors import BusinessRuleViolation
from parovoz_subscription.subscriptions.domain import (
    GRANTS_ACCESS,
    LIVE,
    TRANSITIONS,
    BillingPeriod,
    PlanType,
    Subscription,
    SubscriptionStatus,
    SubscriptionTransitionRefused,
    move_subscription,
)

S = SubscriptionStatus
START = datetime(2026, 1, 31, 9, 0, tzinfo=UTC)
LATER = START + timedelta(days=3, hours=2)

PAIRS = list(itertools.product(S, S))
ALLOWED = [(a, b) for a, b in PAIRS if b in TRANSITIONS[a]]
REFUSED = [(a, b) for a, b in PAIRS if b not in TRANSITIONS[a]]


def subscription_in(status: SubscriptionStatus) -> Subscription:
    """A subscription in ``status`` with the timestamps that status would have."""
    sub = Subscription(
        id=uuid.uuid4(),
        user_id=uuid.uuid4(),
        plan_id=uuid.uuid4(),
        plan_type=PlanType.PREMIUM,
        billing_period=BillingPeriod.MONTHLY,
        region="RU",
        currency="RUB",
        price_minor=39900,
        status=status,
        auto_renew=status not in (S.CANCELLED, S.EXPIRED),
        time_zone="Europe/Moscow",
        anchor_at=START,
        current_period_start=START,
        current_period_end=START + timedelta(days=29),
        created_at=START,
        updated_at=START,
        version=4,
    )
    if status is S.PENDING_PAYMENT:
        sub.grace_until = START + timedelta(days=36)
    if status is S.SUSPENDED:
        sub.suspended_at = START + timedelta(days=36)
    if status is S.CANCELLED:
        sub.cancelled_at = START + timedelta(days=1)
        sub.cancellation_reason = "дорого"
    if status is S.EXPIRED:
        sub.ended_at = START + timedelta(days=29)
    return sub


def test_every_status_has_a_row_and_expired_is_final() -> None:
    assert set(TRANSITIONS) == set(S)
    assert TRANSITIONS[S.EXPIRED] == frozenset()
    assert S.EXPIRED not in LIVE and S.EXPIRED not in GRANTS_ACCESS
    assert S.INCOMPLETE in LIVE and S.INCOMPLETE not in GRANTS_ACCESS
    assert S.SUSPENDED in LIVE and S.SUSPENDED not in GRANTS_ACCESS


def test_the_table_is_the_one_of_product_md() -> None:
    # Not a copy of TRANSITIONS: a few moves PRODUCT.md names and a few it forbids.
    for current, target in [
        (S.TRIAL, S.ACTIVE),
        (S.ACTIVE, S.PENDING_PAYMENT),
        (S.PENDING_PAYMENT, S.SUSPENDED),
        (S.SUSPENDED, S.ACTIVE),
        (S.SUSPENDED, S.EXPIRED),
        (S.CANCELLED, S.EXPIRED),
        (S.INCOMPLETE, S.ACTIVE),
    ]:
        assert (current, target) in ALLOWED
    for current, target in [
        (S.EXPIRED, S.ACTIVE),
        (S.SUSPENDED, S.CANCELLED),
        (S.INCOMPLETE, S.TRIAL),
        (S.ACTIVE, S.TRIAL),
        (S.TRIAL, S.PENDING_PAYMENT),
        (S.ACTIVE, S.ACTIVE),
    ]:
        assert (current, target) in REFUSED


@pytest.mark.parametrize(("current", "target"), ALLOWED, ids=lambda s: s.value)
def test_an_allowed_move_happens(current: SubscriptionStatus, target: SubscriptionStatus) -> None:
    sub = subscription_in(current)
    before = copy.deepcopy(sub)

    move_subscription(sub, target, LATER)

    assert sub.status is target
    assert sub.updated_at == LATER
    # The period and the money never change with a status.
    assert (sub.current_period_start, sub.current_period_end, sub.price_minor) == (
        before.current_period_start,
        before.current_period_end,
        before.price_minor,
    )
    assert sub.version == before.version  # only the repository's save bumps it
    if current is S.PENDING_PAYMENT:
        assert sub.grace_until is None
    if target is S.SUSPENDED:
        assert sub.suspended_at == LATER
    if target is S.EXPIRED:
        assert sub.ended_at == LATER and sub.auto_renew is False
    if target is S.CANCELLED:
        assert sub.cancelled_at == LATER and sub.auto_renew is False
    if target in (S.ACTIVE, S.TRIAL):
        assert sub.auto_renew is True
        assert sub.cancelled_at is None and sub.cancellation_reason is None
        assert sub.suspended_at is None


@pytest.mark.parametrize(("current", "target"), REFUSED, ids=lambda s: s.value)
def test_a_refused_move_raises_and_changes_nothing(
    current: SubscriptionStatus, target: SubscriptionStatus
) -> None:
    sub = subscription_in(current)
    before = copy.deepcopy(sub)

    with pytest.raises(SubscriptionTransitionRefused) as refused:
        sub.move(target, LATER)

    assert sub == before
    error = refused.value
    assert isinstance(error, BusinessRuleViolation) and error.http_status == 422
    assert error.code == "SUBSCRIPTION_STATUS_CONFLICT"
    assert (error.current, error.target) == (current, target)
    assert current.value in (error.detail_ru or "") and target.value in error.detail
