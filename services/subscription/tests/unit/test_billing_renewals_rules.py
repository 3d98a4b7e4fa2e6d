"""Renewal rules and the renewal use case over in-memory fakes: the retry schedule, the settings'
checks, payment's idempotency key, a pending charge asked again (never charged twice), a free
period, a plan without a price renewing at the subscriber's own price, and a failure that never
touches the paid period."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from parovoz_subscription.billing.domain.charges import (
    Charge,
    ChargeKind,
    ChargeStatus,
    PaymentOutcome,
    PaymentState,
)
from parovoz_subscription.billing.renewal_rules import RenewalRules
from parovoz_subscription.billing.service.renewal_ports import Step, renewal_key
from parovoz_subscription.billing.service.renewals import renew_subscription
from parovoz_subscription.settings import SubscriptionSettings
from parovoz_subscription.subscriptions.domain import (
    BillingPeriod,
    PlanType,
    Subscription,
    SubscriptionStatus,
)

S = SubscriptionStatus
END = datetime(2027, 2, 28, 9, 0, tzinfo=UTC)
RULES = RenewalRules(
    retry_days=(1, 3, 7),
    hard_decline_grace=timedelta(days=7),
    suspended_expiry=timedelta(days=30),
    upcoming_notice=timedelta(days=3),
    batch_size=10,
    jobs_every=timedelta(seconds=60),
)


def test_the_retry_schedule() -> None:
    assert RULES.attempts == 4
    assert [RULES.next_retry_after(n) for n in range(5)] == [
        None,
        timedelta(days=1),
        timedelta(days=3),
        timedelta(days=7),
        None,
    ]
    assert RULES.grace == timedelta(days=7)


def test_settings_build_the_rules_and_refuse_a_bad_schedule() -> None:
    rules = SubscriptionSettings(environment="test").renewal_rules()
    assert rules.retry_days == (1, 3, 7)
    assert rules.suspended_expiry == timedelta(days=30)
    assert rules.upcoming_notice == timedelta(days=3)
    with pytest.raises(ValueError):
        SubscriptionSettings(environment="test", billing_retry_days=(3, 1)).renewal_rules()
    with pytest.raises(ValueError):
        SubscriptionSettings(environment="test", billing_retry_days=(1, 2, 3, 4))


def test_payment_idempotency_key_names_subscription_period_and_attempt() -> None:
    sub_id = uuid.uuid4()
    key = renewal_key(sub_id, END, 4)
    assert key == f"sub:{sub_id}:{int(END.timestamp())}:4"
    assert len(key) <= 64
    assert renewal_key(sub_id, END, 1) != renewal_key(sub_id, END + timedelta(days=31), 1)


# --- the use case over fakes ---------------------------------------------------------------------


@dataclass
class FakeSubscriptions:
    saved: list[Subscription] = field(default_factory=list)

    async def get(self, subscription_id: uuid.UUID) -> Subscription | None:
        return None

    async def get_for_update(self, subscription_id: uuid.UUID) -> Subscription | None:
        return None

    async def save(self, subscription: Subscription) -> None:
        self.saved.append(subscription)

    async def live_of_user(self, user_id: uuid.UUID) -> list[Subscription]:
        return []


@dataclass
class FakeCharges:
    rows: list[Charge] = field(default_factory=list)

    async def add(self, charge: Charge) -> None:
        self.rows.append(charge)

    async def add_once(self, charge: Charge) -> Charge:
        self.rows.append(charge)
        return charge

    async def save(self, charge: Charge) -> None:
        pass

    async def for_period(
        self, subscription_id: uuid.UUID, period_start: datetime, kind: ChargeKind | None = None
    ) -> list[Charge]:
        return [c for c in self.rows if c.period_start == period_start and c.kind is kind]


class NoPlans:
    """A plans store that knows no plan: pricing falls back to the subscriber's price."""

    async def get(self, plan_id: uuid.UUID, *, lock: bool = False) -> None:
        return None

    async def price_history(self, *args: Any) -> list[Any]:
        return []


@dataclass
class FakeUow:
    subscriptions: FakeSubscriptions = field(default_factory=FakeSubscriptions)
    charges: FakeCharges = field(default_factory=FakeCharges)
    plans: NoPlans = field(default_factory=NoPlans)
    events: list[Any] = field(default_factory=list)

    def emit(self, item: Any, **_: Any) -> None:
        self.events.append(item)

    def access_changed(self, **_: Iterable[uuid.UUID]) -> None:
        pass

    async def commit(self) -> None:
        pass


@dataclass
class FakeQueue:
    tried: set[tuple[uuid.UUID, str | None]] = field(default_factory=set)

    async def method_untried(self, subscription_id: uuid.UUID, saved_method_id: str) -> bool:
        return (subscription_id, saved_method_id) not in self.tried

    async def record_attempt(
        self, charge_id: uuid.UUID, subscription_id: uuid.UUID, method: str | None, now: Any
    ) -> None:
        self.tried.add((subscription_id, method))


@dataclass
class FakePayments:
    answers: list[PaymentOutcome]
    charged: list[dict[str, Any]] = field(default_factory=list)
    asked: list[uuid.UUID] = field(default_factory=list)

    async def charge_saved_method(self, **call: Any) -> PaymentOutcome:
        self.charged.append(call)
        return self.answers.pop(0)

    async def get_payment(self, payment_id: uuid.UUID) -> PaymentOutcome:
        self.asked.append(payment_id)
        return self.answers.pop(0)


def outcome(state: PaymentState, amount: int, code: str | None = None) -> PaymentOutcome:
    return PaymentOutcome(
        payment_id=uuid.uuid4(),
        status=state,
        amount_minor=amount,
        currency="RUB",
        decline_code=code,
        hard_decline=code == "card_expired",
    )


def subscription(price: int = 39_900) -> Subscription:
    start = datetime(2027, 1, 31, 9, 0, tzinfo=UTC)
    return Subscription(
        id=uuid.uuid4(),
        user_id=uuid.uuid4(),
        plan_id=uuid.uuid4(),
        plan_type=PlanType.PREMIUM,
        billing_period=BillingPeriod.MONTHLY,
        region="RU",
        currency="RUB",
        price_minor=price,
        status=S.ACTIVE,
        auto_renew=True,
        time_zone="UTC",
        anchor_at=start,
        current_period_start=start,
        current_period_end=END,
        created_at=start,
        updated_at=start,
        saved_method_id="method-1",
    )


async def test_a_plan_without_a_price_renews_at_the_subscribers_price() -> None:
    uow, sub = FakeUow(), subscription()
    payments = FakePayments([outcome(PaymentState.SUCCEEDED, 39_900)])
    step = await renew_subscription(uow, FakeQueue(), payments, RULES, sub, END)  # type: ignore[arg-type]
    assert step is Step.RENEWED
    assert payments.charged[0]["amount_minor"] == 39_900
    assert (sub.current_period_start, sub.current_period_end) == (
        END,
        datetime(2027, 3, 31, 9, 0, tzinfo=UTC),
    )
    assert [type(e).__name__ for e in uow.events] == ["SubscriptionRenewed"]


async def test_a_pending_charge_is_asked_again_never_charged_twice() -> None:
    uow, sub = FakeUow(), subscription()
    first = outcome(PaymentState.PENDING, 39_900)
    payments = FakePayments([first, outcome(PaymentState.SUCCEEDED, 39_900)])
    assert await renew_subscription(uow, FakeQueue(), payments, RULES, sub, END) is Step.PENDING  # type: ignore[arg-type]
    assert sub.current_period_end == END and uow.events == []
    later = END + timedelta(minutes=5)
    assert await renew_subscription(uow, FakeQueue(), payments, RULES, sub, later) is Step.RENEWED  # type: ignore[arg-type]
    assert len(payments.charged) == 1 and payments.asked == [first.payment_id]
    [charge] = uow.charges.rows
    assert charge.status is ChargeStatus.SUCCEEDED and charge.attempt == 1


async def test_a_free_period_moves_on_without_a_charge() -> None:
    uow, sub = FakeUow(), subscription(price=0)
    payments = FakePayments([])
    assert await renew_subscription(uow, FakeQueue(), payments, RULES, sub, END) is Step.RENEWED  # type: ignore[arg-type]
    assert payments.charged == [] and uow.charges.rows == []
    assert sub.current_period_end == datetime(2027, 3, 31, 9, 0, tzinfo=UTC)


async def test_a_failure_keeps_the_paid_period_and_grants_access_through_the_grace() -> None:
    uow, sub = FakeUow(), subscription()
    payments = FakePayments([outcome(PaymentState.CANCELLED, 39_900, "insufficient_funds")])
    assert await renew_subscription(uow, FakeQueue(), payments, RULES, sub, END) is Step.FAILED  # type: ignore[arg-type]
    assert sub.status is S.PENDING_PAYMENT
    assert (sub.current_period_start, sub.current_period_end) == (sub.anchor_at, END)
    assert sub.access_until() == END + timedelta(days=7)
    assert sub.grants_access_at(END - timedelta(days=10))  # the paid days stay paid
    [event] = uow.events
    assert event.attempt == 1 and event.next_retry_at == END + timedelta(days=1)


async def test_a_period_already_paid_is_applied_without_charging_again() -> None:
    uow, sub = FakeUow(), subscription()
    paid = Charge(
        id=uuid.uuid4(),
        subscription_id=sub.id,
        user_id=sub.user_id,
        kind=ChargeKind.RENEWAL,
        period_start=END,
        period_end=datetime(2027, 3, 31, 9, 0, tzinfo=UTC),
        attempt=1,
        amount_minor=39_900,
        currency="RUB",
        status=ChargeStatus.SUCCEEDED,
        idempotency_key=renewal_key(sub.id, END, 1),
        created_at=END,
        payment_id=uuid.uuid4(),
        settled_at=END,
    )
    uow.charges.rows.append(paid)
    payments = FakePayments([])
    step = await renew_subscription(uow, FakeQueue(), payments, RULES, sub, END)  # type: ignore[arg-type]
    assert step is Step.RENEWED and payments.charged == [] and payments.asked == []
    assert sub.current_period_end == datetime(2027, 3, 31, 9, 0, tzinfo=UTC)
    assert [type(e).__name__ for e in uow.events] == ["SubscriptionRenewed"]
