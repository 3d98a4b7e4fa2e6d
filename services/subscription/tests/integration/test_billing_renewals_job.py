"""Renewals and dunning against the real database, payment and the provider sandbox (magic
amounts: kopecks ...13 insufficient funds (soft), ...14 card expired (hard)): the next period
from the anchor, soft-decline retries at +1/+3/+7 days then suspension, a hard decline without
retries, 30 days suspended -> expired, trials and cancelled periods at their end, a year of
monthly renewals from 31 January, two runners at once charging a period once, and entitlement
kept (a failure never shortens a paid period nor touches the user's other subscription)."""

from __future__ import annotations

import asyncio
import dataclasses
import random
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
from parovoz_kit.clock import ManualClock
from parovoz_kit.infrastructure import Infrastructure
from parovoz_kit.jobs import JobOutcome
from parovoz_kit.service import job_runner
from parovoz_subscription.billing.domain.charges import ChargeKind, ChargeStatus
from parovoz_subscription.billing.jobs import BILLING_EXPIRY, BILLING_NOTICES, BILLING_RENEWALS
from parovoz_subscription.billing.service.renewal_ports import Step, renewal_key
from parovoz_subscription.main import SERVICE
from parovoz_subscription.subscriptions.domain import BillingPeriod, PlanType
from parovoz_subscription.trials.domain import TrialOutcome
from parovoz_subscription.trials.service import record_trial
from parovoz_subscription.unit_of_work import subscription_unit_of_work
from parovoz_testing.platform import DATABASES

sys.path.insert(0, str(Path(__file__).parent))
from billing_renewals_support import (
    MOSCOW,
    S,
    ScriptedPayments,
    a_plan,
    a_saved_method,
    a_subscription,
    charges_of,
    days,
    events_of,
    expire,
    notify,
    read,
    renew,
    store,
    types,
)

MONTHLY, YEARLY = BillingPeriod.MONTHLY, BillingPeriod.YEARLY


def moscow(*args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(MOSCOW)).astimezone(UTC)  # type: ignore[misc]


async def test_a_due_period_is_charged_once_and_the_next_period_follows_the_anchor(
    infrastructure: Infrastructure,
) -> None:
    user = uuid.uuid4()
    plan = await a_plan(infrastructure, {MONTHLY: 39_900})
    method = await a_saved_method(infrastructure, user)
    sub = a_subscription(
        user,
        plan,
        anchor_at=moscow(2027, 1, 31, 12, 0),
        period_end=moscow(2027, 2, 28, 12, 0),
        price_minor=39_900,
        saved_method_id=method,
    )
    await store(infrastructure, sub)

    assert (await renew(infrastructure, moscow(2027, 2, 28, 11, 59), sub)).steps == {}
    run = await renew(infrastructure, moscow(2027, 2, 28, 12, 0, 5), sub)
    assert run.steps == {sub.id: Step.RENEWED}
    again = await renew(infrastructure, moscow(2027, 2, 28, 12, 1), sub)
    assert again.steps == {}

    renewed = await read(infrastructure, sub.id)
    assert renewed.status is S.ACTIVE
    assert (renewed.current_period_start, renewed.current_period_end) == (
        moscow(2027, 2, 28, 12, 0),
        moscow(2027, 3, 31, 12, 0),  # back to the anchor day
    )
    [charge] = await charges_of(infrastructure, sub.id)
    assert (charge.kind, charge.status, charge.attempt, charge.amount_minor) == (
        ChargeKind.RENEWAL,
        ChargeStatus.SUCCEEDED,
        1,
        39_900,
    )
    assert charge.idempotency_key == renewal_key(sub.id, moscow(2027, 2, 28, 12, 0), 1)
    assert charge.payment_id is not None
    events = await events_of(infrastructure, sub.id)
    assert types(events) == ["subscription.renewed"]
    data = events[0][1]
    assert data["payment_id"] == str(charge.payment_id) and data["attempt"] == 1
    assert data["amount"] == {"amount_minor": 39_900, "currency": "RUB"}


async def test_a_year_of_monthly_renewals_from_31_january_lands_on_the_right_days(
    infrastructure: Infrastructure,
) -> None:
    user = uuid.uuid4()
    plan = await a_plan(infrastructure, {MONTHLY: 29_900})
    method = await a_saved_method(infrastructure, user)
    sub = a_subscription(
        user,
        plan,
        anchor_at=moscow(2028, 1, 31, 9, 30),
        period_end=moscow(2028, 2, 29, 9, 30),
        price_minor=29_900,
        saved_method_id=method,
    )
    await store(infrastructure, sub)
    ends = []
    for _ in range(12):
        current = await read(infrastructure, sub.id)
        run = await renew(infrastructure, current.current_period_end + days(0.01), sub)
        assert run.steps == {sub.id: Step.RENEWED}
        ends.append((await read(infrastructure, sub.id)).current_period_end)
    local = [end.astimezone(ZoneInfo(MOSCOW)) for end in ends]
    assert [(d.month, d.day) for d in local] == [
        (3, 31), (4, 30), (5, 31), (6, 30), (7, 31), (8, 31),
        (9, 30), (10, 31), (11, 30), (12, 31), (1, 31), (2, 28),
    ]  # fmt: skip
    assert {(d.hour, d.minute) for d in local} == {(9, 30)}
    charges = await charges_of(infrastructure, sub.id)
    assert len(charges) == 12 and {c.status for c in charges} == {ChargeStatus.SUCCEEDED}
    assert len({c.period_start for c in charges}) == 12


async def test_soft_declines_retry_at_1_3_7_days_then_suspend_then_expire_after_30_days(
    infrastructure: Infrastructure,
) -> None:
    user = uuid.uuid4()
    plan = await a_plan(infrastructure, {MONTHLY: 39_913})  # ...13: insufficient funds
    method = await a_saved_method(infrastructure, user)
    end = moscow(2027, 5, 10, 15, 0)
    sub = a_subscription(
        user,
        plan,
        anchor_at=moscow(2027, 4, 10, 15, 0),
        period_end=end,
        price_minor=39_913,
        saved_method_id=method,
    )
    await store(infrastructure, sub)

    assert (await renew(infrastructure, end + days(0.001), sub)).steps == {sub.id: Step.FAILED}
    pending = await read(infrastructure, sub.id)
    assert pending.status is S.PENDING_PAYMENT
    assert pending.current_period_end == end  # the paid period is untouched
    assert pending.grace_until == end + days(7)
    assert pending.grants_access_at(end + days(6.9))  # grace: access kept

    # Not due before +1 day; then attempts 2, 3 and 4 at +1, +3, +7 days.
    assert (
        await renew(infrastructure, end + days(0.9), sub)
    ).steps == {}  # not picked: nothing due
    assert (await renew(infrastructure, end + days(1), sub)).steps == {sub.id: Step.FAILED}
    assert (await renew(infrastructure, end + days(2.5), sub)).steps == {}
    assert (await renew(infrastructure, end + days(3), sub)).steps == {sub.id: Step.FAILED}
    assert (await renew(infrastructure, end + days(7), sub)).steps == {sub.id: Step.SUSPENDED}

    suspended = await read(infrastructure, sub.id)
    assert suspended.status is S.SUSPENDED
    assert not suspended.grants_access_at(end + days(7.1))
    charges = await charges_of(infrastructure, sub.id)
    assert [(c.attempt, c.status, c.decline_code) for c in charges] == [
        (n, ChargeStatus.FAILED, "insufficient_funds") for n in (1, 2, 3, 4)
    ]
    events = await events_of(infrastructure, sub.id)
    assert types(events) == ["subscription.payment_failed"] * 4 + ["subscription.suspended"]
    retries = [data["next_retry_at"] for _, data in events[:4]]
    assert retries[3] is None and all(retries[:3])
    assert [datetime.fromisoformat(r.replace("Z", "+00:00")) for r in retries[:3]] == [
        end + days(1),
        end + days(3),
        end + days(7),
    ]
    assert {data["failure_reason"] for _, data in events[:4]} == {"insufficient_funds"}

    # Nothing more is charged while suspended; 30 days later it expires.
    assert (await renew(infrastructure, end + days(8), sub)).steps == {}
    assert (await expire(infrastructure, end + days(36.9), sub)).steps == {}
    assert (await expire(infrastructure, end + days(37), sub)).steps == {sub.id: Step.EXPIRED}
    assert (await read(infrastructure, sub.id)).status is S.EXPIRED
    assert types(await events_of(infrastructure, sub.id))[-1] == "subscription.expired"


async def test_a_hard_decline_is_not_retried_and_suspends_when_the_grace_ends(
    infrastructure: Infrastructure,
) -> None:
    user = uuid.uuid4()
    plan = await a_plan(infrastructure, {MONTHLY: 39_914})  # ...14: card expired
    method = await a_saved_method(infrastructure, user)
    end = moscow(2027, 6, 1, 10, 0)
    sub = a_subscription(
        user,
        plan,
        anchor_at=moscow(2027, 5, 1, 10, 0),
        period_end=end,
        price_minor=39_914,
        saved_method_id=method,
    )
    await store(infrastructure, sub)

    assert (await renew(infrastructure, end + days(0.01), sub)).steps == {sub.id: Step.FAILED}
    for later in (1, 3, 6.9):
        assert (await renew(infrastructure, end + days(later), sub)).steps == {}
    [charge] = await charges_of(infrastructure, sub.id)
    assert charge.hard_decline and charge.decline_code == "card_expired"
    [(kind, data)] = await events_of(infrastructure, sub.id)
    assert kind == "subscription.subscription.payment_failed.v1"
    assert data["failure_reason"] == "card_expired" and data["next_retry_at"] is None
    assert (await read(infrastructure, sub.id)).grants_access_at(end + days(6.9))

    assert (await renew(infrastructure, end + days(7), sub)).steps == {sub.id: Step.SUSPENDED}
    assert (await read(infrastructure, sub.id)).status is S.SUSPENDED
    assert len(await charges_of(infrastructure, sub.id)) == 1


async def test_a_retry_that_succeeds_restores_active_from_the_payment_date(
    infrastructure: Infrastructure,
) -> None:
    user = uuid.uuid4()
    plan = await a_plan(infrastructure, {MONTHLY: 49_900})
    end = moscow(2027, 7, 15, 8, 0)
    sub = a_subscription(
        user,
        plan,
        anchor_at=moscow(2027, 6, 15, 8, 0),
        period_end=end,
        price_minor=49_900,
        saved_method_id="scripted-method",
    )
    await store(infrastructure, sub)
    payments = ScriptedPayments(["insufficient_funds", None])

    await renew(infrastructure, end + days(0.01), sub, payments=payments)
    paid_at = end + days(1.25)
    run = await renew(infrastructure, paid_at, sub, payments=payments)
    assert run.steps == {sub.id: Step.RENEWED}

    restored = await read(infrastructure, sub.id)
    assert restored.status is S.ACTIVE and restored.grace_until is None
    assert restored.anchor_at == paid_at  # a new anchor: the payment date
    assert (restored.current_period_start, restored.current_period_end) == (
        paid_at,
        moscow(2027, 8, 16, 14, 0),
    )
    assert [call["idempotency_key"] for call in payments.calls] == [
        renewal_key(sub.id, end, 1),
        renewal_key(sub.id, end, 2),
    ]
    events = await events_of(infrastructure, sub.id)
    assert types(events) == ["subscription.payment_failed", "subscription.renewed"]
    assert events[1][1]["attempt"] == 2


async def test_a_trial_with_a_saved_card_converts_and_one_without_expires(
    infrastructure: Infrastructure,
) -> None:
    user, other = uuid.uuid4(), uuid.uuid4()
    plan = await a_plan(infrastructure, {MONTHLY: 39_900})
    method = await a_saved_method(infrastructure, user)
    start, end = moscow(2027, 3, 1, 20, 0), moscow(2027, 3, 15, 20, 0)
    with_card = a_subscription(
        user, plan, anchor_at=start, period_end=end, price_minor=39_900,
        status=S.TRIAL, saved_method_id=method,
    )  # fmt: skip
    without = a_subscription(
        other, plan, anchor_at=start, period_end=end, price_minor=39_900, status=S.TRIAL
    )
    await store(infrastructure, with_card, without)
    async with subscription_unit_of_work(infrastructure) as uow:
        for sub in (with_card, without):
            await record_trial(uow, sub.user_id, sub.plan_type, sub.id, start, end)
        await uow.commit()

    # The renewal job leaves a trial without a card alone; the expiry job ends it.
    run = await renew(infrastructure, end + days(0.01), with_card, without)
    assert run.steps == {with_card.id: Step.RENEWED}
    assert (await expire(infrastructure, end + days(0.01), with_card, without)).steps == {
        without.id: Step.EXPIRED
    }
    converted = await read(infrastructure, with_card.id)
    assert converted.status is S.ACTIVE
    # The paid periods count from the trial's end.
    assert (converted.anchor_at, converted.current_period_end) == (end, moscow(2027, 4, 15, 20, 0))
    [(kind, data)] = await events_of(infrastructure, with_card.id)
    assert kind == "subscription.subscription.activated.v1"
    assert data["previous_status"] == "trial" and data["payment_id"]
    assert (await read(infrastructure, without.id)).status is S.EXPIRED
    [(_, expired)] = await events_of(infrastructure, without.id)
    assert expired["previous_status"] == "trial"
    async with subscription_unit_of_work(infrastructure) as uow:
        outcomes = [(await uow.trials.of_subscription(sub.id)) for sub in (with_card, without)]
    assert [trial.outcome for trial in outcomes if trial] == [
        TrialOutcome.CONVERTED,
        TrialOutcome.EXPIRED,
    ]


async def test_a_cancelled_subscription_expires_at_its_period_end_without_a_charge(
    infrastructure: Infrastructure,
) -> None:
    user = uuid.uuid4()
    plan = await a_plan(infrastructure, {MONTHLY: 39_900})
    end = moscow(2027, 9, 1, 0, 30)
    sub = a_subscription(
        user, plan, anchor_at=moscow(2027, 8, 1, 0, 30), period_end=end, price_minor=39_900,
        status=S.CANCELLED, saved_method_id="never-charged",
    )  # fmt: skip
    await store(infrastructure, sub)
    assert (await renew(infrastructure, end + days(1), sub)).steps == {}
    assert (await expire(infrastructure, end - days(0.01), sub)).steps == {}
    assert (await expire(infrastructure, end, sub)).steps == {sub.id: Step.EXPIRED}
    assert await charges_of(infrastructure, sub.id) == []
    assert (await read(infrastructure, sub.id)).status is S.EXPIRED


async def test_two_runners_at_once_charge_a_period_once(infrastructure: Infrastructure) -> None:
    user = uuid.uuid4()
    plan = await a_plan(infrastructure, {MONTHLY: 45_900})
    method = await a_saved_method(infrastructure, user)
    end = moscow(2027, 10, 31, 23, 0)
    sub = a_subscription(
        user, plan, anchor_at=moscow(2027, 9, 30, 23, 0), period_end=end, price_minor=45_900,
        saved_method_id=method,
    )  # fmt: skip
    await store(infrastructure, sub)

    at = end + days(0.01)
    first, second = await asyncio.gather(
        renew(infrastructure, at, sub), renew(infrastructure, at, sub)
    )
    assert sorted([*first.steps.values(), *second.steps.values()]) == [Step.RENEWED]
    charges = await charges_of(infrastructure, sub.id)
    assert [(c.status, c.attempt) for c in charges] == [(ChargeStatus.SUCCEEDED, 1)]
    assert types(await events_of(infrastructure, sub.id)) == ["subscription.renewed"]
    # And payment holds exactly one payment of this subscription.
    with psycopg.connect(DATABASES["payment"]) as connection:
        payments = connection.execute(
            "SELECT id FROM payments WHERE metadata->>'subscription_id' = %s", (str(sub.id),)
        ).fetchall()
    assert [str(row[0]) for row in payments] == [str(charges[0].payment_id)]
    # And a third runner later finds nothing due.
    assert (await renew(infrastructure, at + days(0.5), sub)).steps == {}


async def test_a_failure_never_pauses_a_paid_annual_plan_nor_shortens_a_paid_period(
    infrastructure: Infrastructure,
) -> None:
    # Kill Bill's overdue bug: a failed payment paused an annual plan already paid.
    user = uuid.uuid4()
    yearly_plan = await a_plan(infrastructure, {YEARLY: 399_000})
    monthly_plan = await a_plan(infrastructure, {MONTHLY: 19_913}, plan_type=PlanType.BASIC)
    method = await a_saved_method(infrastructure, user)
    annual = a_subscription(
        user, yearly_plan, anchor_at=moscow(2027, 1, 20, 12, 0),
        period_end=moscow(2028, 1, 20, 12, 0), price_minor=399_000, period=YEARLY,
        saved_method_id=method,
    )  # fmt: skip
    monthly = a_subscription(
        user, monthly_plan, anchor_at=moscow(2027, 2, 20, 12, 0),
        period_end=moscow(2027, 3, 20, 12, 0), price_minor=19_913, saved_method_id=method,
    )  # fmt: skip
    await store(infrastructure, annual, monthly)

    failing = moscow(2027, 3, 20, 12, 5)
    run = await renew(infrastructure, failing, annual, monthly)
    assert run.steps == {monthly.id: Step.FAILED}
    for later in (1, 3, 7):
        await renew(infrastructure, moscow(2027, 3, 20, 12, 5) + days(later), annual, monthly)
    assert (await read(infrastructure, monthly.id)).status is S.SUSPENDED

    kept = await read(infrastructure, annual.id)
    assert kept.status is S.ACTIVE
    assert kept.current_period_end == moscow(2028, 1, 20, 12, 0)
    assert kept.grants_access_at(moscow(2028, 1, 20, 11, 59))
    assert await charges_of(infrastructure, annual.id) == []
    assert await events_of(infrastructure, annual.id) == []


async def test_the_upcoming_renewal_is_announced_once_per_period(
    infrastructure: Infrastructure,
) -> None:
    user = uuid.uuid4()
    plan = await a_plan(infrastructure, {MONTHLY: 39_900})
    end = moscow(2027, 11, 30, 18, 0)
    sub = a_subscription(
        user, plan, anchor_at=moscow(2027, 10, 31, 18, 0), period_end=end, price_minor=39_900,
        saved_method_id="some-method",
    )  # fmt: skip
    await store(infrastructure, sub)
    assert (await notify(infrastructure, end - days(3.1), sub)).steps == {}
    assert (await notify(infrastructure, end - days(2.9), sub)).steps == {sub.id: Step.NOTIFIED}
    assert (await notify(infrastructure, end - days(1), sub)).steps == {}
    [(kind, data)] = await events_of(infrastructure, sub.id)
    assert kind == "subscription.renewal.upcoming.v1"
    assert data["amount"] == {"amount_minor": 39_900, "currency": "RUB"}
    assert data["has_saved_method"] is True
    assert datetime.fromisoformat(data["renews_at"].replace("Z", "+00:00")) == end


async def test_a_scheduled_downgrade_applies_at_the_period_end(
    infrastructure: Infrastructure,
) -> None:
    user = uuid.uuid4()
    premium = await a_plan(infrastructure, {MONTHLY: 69_900})
    cheaper = await a_plan(infrastructure, {MONTHLY: 29_900})
    end = moscow(2027, 12, 5, 9, 0)
    sub = a_subscription(
        user, premium, anchor_at=moscow(2027, 11, 5, 9, 0), period_end=end, price_minor=69_900,
        saved_method_id="scripted-method",
    )  # fmt: skip
    sub.scheduled_plan_id = cheaper.id
    await store(infrastructure, sub)
    payments = ScriptedPayments([None])
    assert (await renew(infrastructure, end, sub, payments=payments)).steps == {
        sub.id: Step.RENEWED
    }
    assert payments.calls[0]["amount_minor"] == 29_900
    renewed = await read(infrastructure, sub.id)
    assert (renewed.plan_id, renewed.price_minor, renewed.scheduled_plan_id) == (
        cheaper.id,
        29_900,
        None,
    )
    assert renewed.current_period_end == moscow(2028, 1, 5, 9, 0)


async def bind_card(
    infrastructure: Infrastructure, subscription_id: uuid.UUID, method: str
) -> None:
    """What billing's card binding does once the card is confirmed (C1's consumer)."""
    async with subscription_unit_of_work(infrastructure) as uow:
        sub = await uow.subscriptions.get_for_update(subscription_id)
        assert sub is not None
        sub.saved_method_id = method
        await uow.subscriptions.save(sub)
        await uow.commit()


async def test_a_new_card_restores_a_suspended_subscription_from_the_payment_date(
    infrastructure: Infrastructure,
) -> None:
    # trial -> paid -> renewal fails (soft) -> retries -> suspended -> new card paid -> active
    user = uuid.uuid4()
    plan = await a_plan(infrastructure, {MONTHLY: 39_900})
    trial_end = moscow(2027, 2, 14, 10, 0)
    sub = a_subscription(
        user, plan, anchor_at=moscow(2027, 1, 31, 10, 0), period_end=trial_end,
        price_minor=39_900, status=S.TRIAL, saved_method_id="card-1",
    )  # fmt: skip
    await store(infrastructure, sub)
    payments = ScriptedPayments([None, *["insufficient_funds"] * 4, None])

    assert (await renew(infrastructure, trial_end, sub, payments=payments)).steps == {
        sub.id: Step.RENEWED
    }
    end = (await read(infrastructure, sub.id)).current_period_end
    assert end == moscow(2027, 3, 14, 10, 0)
    for offset in (0, 1, 3, 7):
        await renew(infrastructure, end + days(offset), sub, payments=payments)
    assert (await read(infrastructure, sub.id)).status is S.SUSPENDED
    # The same card is not charged again while suspended.
    assert (await renew(infrastructure, end + days(9), sub, payments=payments)).steps == {}

    await bind_card(infrastructure, sub.id, "card-2")
    paid_at = end + days(10)
    assert (await renew(infrastructure, paid_at, sub, payments=payments)).steps == {
        sub.id: Step.RENEWED
    }
    restored = await read(infrastructure, sub.id)
    assert restored.status is S.ACTIVE and restored.suspended_at is None
    assert (restored.anchor_at, restored.current_period_start) == (paid_at, paid_at)
    assert restored.current_period_end == moscow(2027, 4, 24, 10, 0)
    assert payments.calls[-1]["saved_method_id"] == "card-2"
    assert types(await events_of(infrastructure, sub.id)) == [
        "subscription.activated",
        *["subscription.payment_failed"] * 4,
        "subscription.suspended",
        "subscription.activated",
    ]
    last = (await events_of(infrastructure, sub.id))[-1][1]
    assert last["previous_status"] == "suspended"
    # Nothing is due any more until the new period ends.
    assert (await renew(infrastructure, paid_at + days(1), sub, payments=payments)).steps == {}


async def test_a_new_card_after_a_hard_decline_is_charged_at_once(
    infrastructure: Infrastructure,
) -> None:
    user = uuid.uuid4()
    plan = await a_plan(infrastructure, {MONTHLY: 39_900})
    end = moscow(2027, 4, 2, 10, 0)
    sub = a_subscription(
        user, plan, anchor_at=moscow(2027, 3, 2, 10, 0), period_end=end, price_minor=39_900,
        saved_method_id="expired-card",
    )  # fmt: skip
    await store(infrastructure, sub)
    payments = ScriptedPayments(["card_expired", None])
    assert (await renew(infrastructure, end, sub, payments=payments)).steps == {sub.id: Step.FAILED}
    assert (await renew(infrastructure, end + days(2), sub, payments=payments)).steps == {}
    await bind_card(infrastructure, sub.id, "new-card")
    at = end + days(2.5)
    assert (await renew(infrastructure, at, sub, payments=payments)).steps == {sub.id: Step.RENEWED}
    restored = await read(infrastructure, sub.id)
    assert (restored.status, restored.anchor_at) == (S.ACTIVE, at)
    assert [call["idempotency_key"] for call in payments.calls] == [
        renewal_key(sub.id, end, 1),
        renewal_key(sub.id, end, 2),
    ]


async def test_the_three_jobs_are_wired_and_run_through_the_lease(
    infrastructure: Infrastructure,
) -> None:
    # A clock long before any test data: the runs find nothing due and touch nothing.
    past = datetime(2001, 1, 1, tzinfo=UTC) + timedelta(minutes=random.randrange(1_000_000))
    infra = dataclasses.replace(infrastructure, clock=ManualClock(past))
    runner = job_runner(SERVICE, infra)
    for name in (BILLING_RENEWALS, BILLING_EXPIRY, BILLING_NOTICES):
        result = await runner.run_now(name)
        assert result.outcome is JobOutcome.RAN, result
        assert (await runner.run_now(name)).outcome is JobOutcome.ALREADY_RAN
