"""Trials taken (once per user per plan type): the ``trials`` table on
`parovoz_subscription.tables.metadata`, and its queries.

The primary key (user_id, plan_type) is the "once" rule: a second trial of a plan type cannot be
recorded, whatever races.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    PrimaryKeyConstraint,
    String,
    Table,
    exists,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_subscription.subscriptions.domain import PlanType
from parovoz_subscription.tables import metadata
from parovoz_subscription.trials.domain import Trial, TrialOutcome

trials = Table(
    "trials",
    metadata,
    Column("user_id", UUID(as_uuid=True), nullable=False),
    Column("plan_type", String(16), nullable=False),
    Column("subscription_id", UUID(as_uuid=True), nullable=False, unique=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("ends_at", DateTime(timezone=True), nullable=False),
    Column("outcome", String(16), nullable=False),
    PrimaryKeyConstraint("user_id", "plan_type"),
    CheckConstraint(
        "outcome IN ({})".format(", ".join(f"'{outcome.value}'" for outcome in TrialOutcome)),
        name="outcome",
    ),
    CheckConstraint("ends_at > started_at", name="ends_after_start"),
)


def _trial(row: object) -> Trial:
    values = row._mapping  # type: ignore[attr-defined]
    return Trial(
        user_id=values["user_id"],
        plan_type=PlanType(values["plan_type"]),
        subscription_id=values["subscription_id"],
        started_at=values["started_at"],
        ends_at=values["ends_at"],
        outcome=TrialOutcome(values["outcome"]),
    )


class SqlTrials:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def taken(self, user_id: uuid.UUID, plan_type: PlanType) -> bool:
        """Whether the user has ever had a trial of this plan type."""
        query = select(
            exists().where(trials.c.user_id == user_id, trials.c.plan_type == plan_type.value)
        )
        return bool((await self._session.execute(query)).scalar())

    async def add(self, trial: Trial) -> bool:
        """Record a trial; False (nothing written) when the user already had one of this plan
        type."""
        result = await self._session.execute(
            pg_insert(trials)
            .values(
                user_id=trial.user_id,
                plan_type=trial.plan_type.value,
                subscription_id=trial.subscription_id,
                started_at=trial.started_at,
                ends_at=trial.ends_at,
                outcome=trial.outcome.value,
            )
            .on_conflict_do_nothing(index_elements=["user_id", "plan_type"])
            .returning(trials.c.subscription_id)
        )
        return result.first() is not None

    async def of_subscription(self, subscription_id: uuid.UUID) -> Trial | None:
        row = (
            await self._session.execute(
                select(trials).where(trials.c.subscription_id == subscription_id)
            )
        ).first()
        return _trial(row) if row else None

    async def set_outcome(
        self, subscription_id: uuid.UUID, outcome: TrialOutcome, ends_at: datetime | None = None
    ) -> None:
        values: dict[str, object] = {"outcome": outcome.value}
        if ends_at is not None:
            values["ends_at"] = ends_at
        await self._session.execute(
            update(trials).where(trials.c.subscription_id == subscription_id).values(values)
        )
