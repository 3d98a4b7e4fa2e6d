"""Trials' use cases: is a user still eligible for a trial of a plan type, record one, and its
outcome. Called by subscriptions (creation) and billing (conversion or expiry at the end)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Protocol

from parovoz_subscription.subscriptions.domain import PlanType
from parovoz_subscription.trials.domain import Trial, TrialOutcome


class Trials(Protocol):
    async def taken(self, user_id: uuid.UUID, plan_type: PlanType) -> bool: ...
    async def add(self, trial: Trial) -> bool: ...
    async def of_subscription(self, subscription_id: uuid.UUID) -> Trial | None: ...
    async def set_outcome(
        self, subscription_id: uuid.UUID, outcome: TrialOutcome, ends_at: datetime | None = None
    ) -> None: ...


class TrialsUnitOfWork(Protocol):
    @property
    def trials(self) -> Trials: ...


async def trial_eligible(uow: TrialsUnitOfWork, user_id: uuid.UUID, plan_type: PlanType) -> bool:
    """True while the user has never had a trial of ``plan_type`` (whatever became of it).
    Whether the plan offers a trial at all (its ``trial_days``) is the caller's question."""
    return not await uow.trials.taken(user_id, plan_type)


async def record_trial(
    uow: TrialsUnitOfWork,
    user_id: uuid.UUID,
    plan_type: PlanType,
    subscription_id: uuid.UUID,
    now: datetime,
    ends_at: datetime,
) -> bool:
    """Remember the user's trial of ``plan_type`` (running until ``ends_at``). False when one
    was already recorded (a concurrent creation won): the caller must then not start a trial.
    """
    trial = Trial(user_id, plan_type, subscription_id, started_at=now, ends_at=ends_at)
    return await uow.trials.add(trial)


async def trial_ended(
    uow: TrialsUnitOfWork, subscription_id: uuid.UUID, outcome: TrialOutcome, now: datetime
) -> None:
    """The trial of this subscription is over: ``converted`` or ``expired`` (billing's job).
    An expiry before the planned end (a cancelled trial) records when it ended."""
    trial = await uow.trials.of_subscription(subscription_id)
    if trial is None or trial.outcome is not TrialOutcome.RUNNING:
        return
    ends_at = now if outcome is TrialOutcome.EXPIRED and now < trial.ends_at else None
    await uow.trials.set_outcome(subscription_id, outcome, ends_at)
