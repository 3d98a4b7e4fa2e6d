"""Plans, their prices and catalogs:
tables on `parovoz_subscription.tables.metadata`, and their queries."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.dialects.postgresql import insert as upsert
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_subscription.plans.domain import (
    CatalogEntry,
    CatalogMode,
    Feature,
    Plan,
    PlanStatus,
    Price,
    PriceEntry,
)
from parovoz_subscription.subscriptions.domain import BillingPeriod, PlanType
from parovoz_subscription.tables import metadata

plans = Table(
    "plans",
    metadata,
    Column("id", UUID(as_uuid=True), nullable=False),
    Column("name", String(100), nullable=False),
    Column("description", String(2000), nullable=False),
    Column("plan_type", String(16), nullable=False),
    #: [{"name", "description", "enabled"}]
    Column("features", JSONB, nullable=False),
    Column("trial_days", Integer, nullable=False),
    Column("max_devices", Integer, nullable=False),
    Column("new_releases", Boolean, nullable=False),
    Column("new_release_days", Integer, nullable=False),
    Column("available_regions", ARRAY(String(2)), nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("retired_at", DateTime(timezone=True), nullable=True),
    PrimaryKeyConstraint("id"),
    CheckConstraint("status IN ('active', 'retired')", name="status_known"),
    CheckConstraint("trial_days >= 0", name="trial_days_not_negative"),
    CheckConstraint("max_devices >= 1", name="max_devices_positive"),
    CheckConstraint("new_release_days >= 1", name="new_release_days_positive"),
)

#: The price history: one row per change of a (region, period) price.
plan_prices = Table(
    "plan_prices",
    metadata,
    Column("plan_id", ForeignKey("plans.id", ondelete="CASCADE"), nullable=False),
    Column("region", String(2), nullable=False),
    Column("period", String(16), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    #: New subscribers pay it from here (the change).
    Column("effective_from", DateTime(timezone=True), nullable=False),
    #: Periods of existing subscribers starting here or later (the change plus the notice).
    Column("existing_from", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("plan_id", "region", "period", "effective_from"),
    CheckConstraint("amount_minor > 0", name="amount_positive"),
    CheckConstraint("existing_from >= effective_from", name="notice_not_negative"),
)

#: Games named in a plan's catalog: included (perhaps leaving at removal_effective_at) or
#: excluded.
plan_catalog = Table(
    "plan_catalog",
    metadata,
    Column("plan_id", ForeignKey("plans.id", ondelete="CASCADE"), nullable=False),
    Column("game_id", UUID(as_uuid=True), nullable=False),
    Column("mode", String(16), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("removal_announced_at", DateTime(timezone=True), nullable=True),
    Column("removal_effective_at", DateTime(timezone=True), nullable=True),
    PrimaryKeyConstraint("plan_id", "game_id"),
    CheckConstraint("mode IN ('included', 'excluded')", name="mode_known"),
    CheckConstraint(
        "removal_effective_at IS NULL OR mode = 'included'", name="removal_of_included"
    ),
)


def _plan(row: Any) -> Plan:
    return Plan(
        id=row.id,
        name=row.name,
        description=row.description,
        plan_type=PlanType(row.plan_type),
        features=tuple(
            Feature(item["name"], item["description"], item["enabled"]) for item in row.features
        ),
        trial_days=row.trial_days,
        max_devices=row.max_devices,
        new_releases=row.new_releases,
        new_release_days=row.new_release_days,
        available_regions=tuple(row.available_regions),
        status=PlanStatus(row.status),
        created_at=row.created_at,
        updated_at=row.updated_at,
        retired_at=row.retired_at,
    )


def _plan_values(plan: Plan) -> dict[str, Any]:
    return {
        "id": plan.id,
        "name": plan.name,
        "description": plan.description,
        "plan_type": plan.plan_type.value,
        "features": [
            {"name": f.name, "description": f.description, "enabled": f.enabled}
            for f in plan.features
        ],
        "trial_days": plan.trial_days,
        "max_devices": plan.max_devices,
        "new_releases": plan.new_releases,
        "new_release_days": plan.new_release_days,
        "available_regions": list(plan.available_regions),
        "status": plan.status.value,
        "created_at": plan.created_at,
        "updated_at": plan.updated_at,
        "retired_at": plan.retired_at,
    }


def _price(row: Any) -> PriceEntry:
    return PriceEntry(
        region=row.region,
        period=BillingPeriod(row.period),
        price=Price(row.currency, row.amount_minor),
        effective_from=row.effective_from,
        existing_from=row.existing_from,
    )


def _entry(row: Any) -> CatalogEntry:
    return CatalogEntry(
        plan_id=row.plan_id,
        game_id=row.game_id,
        mode=CatalogMode(row.mode),
        updated_at=row.updated_at,
        removal_announced_at=row.removal_announced_at,
        removal_effective_at=row.removal_effective_at,
    )


_UPSERT_ENTRY = upsert(plan_catalog)
_UPSERT_ENTRY = _UPSERT_ENTRY.on_conflict_do_update(
    index_elements=[plan_catalog.c.plan_id, plan_catalog.c.game_id],
    set_={
        name: _UPSERT_ENTRY.excluded[name]
        for name in ("mode", "updated_at", "removal_announced_at", "removal_effective_at")
    },
)


class SqlPlans:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # --- plans --------------------------------------------------------------------------------
    async def add(self, plan: Plan) -> None:
        await self._session.execute(insert(plans).values(_plan_values(plan)))

    async def save(self, plan: Plan) -> None:
        values = _plan_values(plan)
        del values["id"], values["created_at"]
        await self._session.execute(update(plans).where(plans.c.id == plan.id).values(values))

    async def get(self, plan_id: uuid.UUID, *, lock: bool = False) -> Plan | None:
        query = select(plans).where(plans.c.id == plan_id)
        if lock:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        return _plan(row) if row else None

    async def on_sale_in(self, region: str) -> list[Plan]:
        """Active plans sold in ``region``, by type then name."""
        query = (
            select(plans)
            .where(plans.c.status == PlanStatus.ACTIVE.value)
            .where(plans.c.available_regions.any_() == region)
            .order_by(plans.c.plan_type, plans.c.name, plans.c.id)
        )
        return [_plan(row) for row in await self._session.execute(query)]

    async def count(self) -> int:
        return int(
            (await self._session.execute(select(func.count()).select_from(plans))).scalar_one()
        )

    # --- prices -------------------------------------------------------------------------------
    async def prices(
        self, plan_ids: Iterable[uuid.UUID], region: str | None = None
    ) -> dict[uuid.UUID, list[PriceEntry]]:
        """The price history of each plan (in ``region`` only, if given), oldest first."""
        ids = list(plan_ids)
        found: dict[uuid.UUID, list[PriceEntry]] = {plan_id: [] for plan_id in ids}
        if not ids:
            return found
        query = select(plan_prices).where(plan_prices.c.plan_id.in_(ids))
        if region is not None:
            query = query.where(plan_prices.c.region == region)
        query = query.order_by(plan_prices.c.effective_from)
        for row in await self._session.execute(query):
            found[row.plan_id].append(_price(row))
        return found

    async def price_history(
        self, plan_id: uuid.UUID, region: str, period: BillingPeriod
    ) -> list[PriceEntry]:
        query = (
            select(plan_prices)
            .where(plan_prices.c.plan_id == plan_id)
            .where(plan_prices.c.region == region)
            .where(plan_prices.c.period == period.value)
            .order_by(plan_prices.c.effective_from)
        )
        return [_price(row) for row in await self._session.execute(query)]

    async def add_prices(self, plan_id: uuid.UUID, entries: Sequence[PriceEntry]) -> None:
        if not entries:
            return
        await self._session.execute(
            insert(plan_prices),
            [
                {
                    "plan_id": plan_id,
                    "region": entry.region,
                    "period": entry.period.value,
                    "currency": entry.price.currency,
                    "amount_minor": entry.price.amount_minor,
                    "effective_from": entry.effective_from,
                    "existing_from": entry.existing_from,
                }
                for entry in entries
            ],
        )

    # --- catalog ------------------------------------------------------------------------------
    async def catalog_entry(self, plan_id: uuid.UUID, game_id: uuid.UUID) -> CatalogEntry | None:
        query = select(plan_catalog).where(
            plan_catalog.c.plan_id == plan_id, plan_catalog.c.game_id == game_id
        )
        row = (await self._session.execute(query)).first()
        return _entry(row) if row else None

    async def catalog(self, plan_id: uuid.UUID) -> list[CatalogEntry]:
        query = (
            select(plan_catalog)
            .where(plan_catalog.c.plan_id == plan_id)
            .order_by(plan_catalog.c.updated_at, plan_catalog.c.game_id)
        )
        return [_entry(row) for row in await self._session.execute(query)]

    async def put_catalog_entry(self, entry: CatalogEntry) -> None:
        await self._session.execute(
            _UPSERT_ENTRY,
            {
                "plan_id": entry.plan_id,
                "game_id": entry.game_id,
                "mode": entry.mode.value,
                "updated_at": entry.updated_at,
                "removal_announced_at": entry.removal_announced_at,
                "removal_effective_at": entry.removal_effective_at,
            },
        )
