"""Trials on the real database: once per user and plan type (the primary key, also against
concurrent recordings), eligibility, and the outcome set once at the trial's end."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from parovoz_kit.infrastructure import Infrastructure
from parovoz_subscription.subscriptions.domain import PlanType
from parovoz_subscription.trials.domain import TrialOutcome
from parovoz_subscription.trials.service import record_trial, trial_eligible, trial_ended
from parovoz_subscription.unit_of_work import subscription_unit_of_work

T0 = datetime(2098, 2, 28, 23, 0, tzinfo=UTC)


async def record(
    infrastructure: Infrastructure,
    user: uuid.UUID,
    plan_type: PlanType,
    subscription_id: uuid.UUID | None = None,
) -> bool:
    async with subscription_unit_of_work(infrastructure) as uow:
        recorded = await record_trial(
            uow,
            user,
            plan_type,
            subscription_id or uuid.uuid4(),
            T0,
            ends_at=T0 + timedelta(days=14),
        )
        await uow.commit()
    return recorded


async def eligible(infrastructure: Infrastructure, user: uuid.UUID, plan_type: PlanType) -> bool:
    async with subscription_unit_of_work(infrastructure) as uow:
        return await trial_eligible(uow, user, plan_type)


async def test_a_trial_is_once_per_user_and_plan_type(infrastructure: Infrastructure) -> None:
    user = uuid.uuid4()
    assert await eligible(infrastructure, user, PlanType.PREMIUM)
    assert await record(infrastructure, user, PlanType.PREMIUM)
    assert not await eligible(infrastructure, user, PlanType.PREMIUM)
    assert not await record(infrastructure, user, PlanType.PREMIUM)
    # Other plan types and other users are untouched.
    assert await eligible(infrastructure, user, PlanType.BASIC)
    assert await eligible(infrastructure, uuid.uuid4(), PlanType.PREMIUM)


async def test_concurrent_recordings_record_one(infrastructure: Infrastructure) -> None:
    user = uuid.uuid4()
    results = await asyncio.gather(
        *(record(infrastructure, user, PlanType.FAMILY) for _ in range(5))
    )
    assert sorted(results) == [False, False, False, False, True]


async def test_the_outcome_is_set_once(infrastructure: Infrastructure) -> None:
    user, subscription_id = uuid.uuid4(), uuid.uuid4()
    await record(infrastructure, user, PlanType.STUDENT, subscription_id)
    async with subscription_unit_of_work(infrastructure) as uow:
        trial = await uow.trials.of_subscription(subscription_id)
    assert trial is not None and trial.outcome is TrialOutcome.RUNNING
    assert (trial.user_id, trial.plan_type) == (user, PlanType.STUDENT)
    assert trial.ends_at == T0 + timedelta(days=14)

    ended_early = T0 + timedelta(days=3)
    async with subscription_unit_of_work(infrastructure) as uow:
        await trial_ended(uow, subscription_id, TrialOutcome.EXPIRED, ended_early)
        await trial_ended(uow, subscription_id, TrialOutcome.CONVERTED, ended_early)  # ignored
        await uow.commit()
    async with subscription_unit_of_work(infrastructure) as uow:
        trial = await uow.trials.of_subscription(subscription_id)
        # An ended trial still counts: no second one.
        assert not await trial_eligible(uow, user, PlanType.STUDENT)
    assert trial is not None
    assert (trial.outcome, trial.ends_at) == (TrialOutcome.EXPIRED, ended_early)


async def test_a_converted_trial_keeps_its_planned_end(infrastructure: Infrastructure) -> None:
    subscription_id = uuid.uuid4()
    await record(infrastructure, uuid.uuid4(), PlanType.CORPORATE, subscription_id)
    async with subscription_unit_of_work(infrastructure) as uow:
        await trial_ended(uow, subscription_id, TrialOutcome.CONVERTED, T0 + timedelta(days=14))
        await trial_ended(uow, uuid.uuid4(), TrialOutcome.CONVERTED, T0)  # no trial: nothing
        await uow.commit()
    async with subscription_unit_of_work(infrastructure) as uow:
        trial = await uow.trials.of_subscription(subscription_id)
    assert trial is not None
    assert (trial.outcome, trial.ends_at) == (TrialOutcome.CONVERTED, T0 + timedelta(days=14))
