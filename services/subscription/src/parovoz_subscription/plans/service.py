"""Use cases of plans: what other contexts ask (a plan for sale, a plan, the price of an existing
subscriber's period, whether a plan has a game) and the admin's changes (create, change, prices,
retire, catalog). Every change names the plan with ``uow.access_changed`` before committing, so
cached access answers that depend on it are forgotten."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from parovoz_events.money import Money
from parovoz_events.subscription import PlanCatalogRemovalAnnounced, PlanPriceChanged
from parovoz_kit.errors import ValidationFailed

from parovoz_subscription.plans.domain import (
    CatalogAnswer,
    CatalogEntry,
    Feature,
    Plan,
    PlanOffer,
    Price,
    PriceEntry,
    announce_removal,
    catalog_answer_of,
    change_plan,
    check_region,
    exclude_game,
    existing_subscriber_price,
    game_not_in_catalog,
    include_game,
    latest_entries,
    new_plan,
    new_subscriber_price,
    plan_not_available,
    plan_not_found,
    price_change,
    region_restricted,
    retire_plan,
)
from parovoz_subscription.plans.rules import PlanRules
from parovoz_subscription.ports import UnitOfWorkPort
from parovoz_subscription.subscriptions.domain import BillingPeriod, PlanType


class PlanStore(Protocol):
    async def add(self, plan: Plan) -> None: ...
    async def save(self, plan: Plan) -> None: ...
    async def get(self, plan_id: uuid.UUID, *, lock: bool = False) -> Plan | None: ...
    async def on_sale_in(self, region: str) -> list[Plan]: ...
    async def count(self) -> int: ...
    async def prices(
        self, plan_ids: Iterable[uuid.UUID], region: str | None = None
    ) -> dict[uuid.UUID, list[PriceEntry]]: ...
    async def price_history(
        self, plan_id: uuid.UUID, region: str, period: BillingPeriod
    ) -> list[PriceEntry]: ...
    async def add_prices(self, plan_id: uuid.UUID, entries: Sequence[PriceEntry]) -> None: ...
    async def catalog_entry(
        self, plan_id: uuid.UUID, game_id: uuid.UUID
    ) -> CatalogEntry | None: ...
    async def catalog(self, plan_id: uuid.UUID) -> list[CatalogEntry]: ...
    async def put_catalog_entry(self, entry: CatalogEntry) -> None: ...


class PlansUnitOfWork(UnitOfWorkPort, Protocol):
    """What plans needs of subscription's unit of work (``SqlSubscriptionUnitOfWork`` has it)."""

    @property
    def plans(self) -> PlanStore: ...


@dataclass(frozen=True)
class PriceSetting:
    """One price the admin sets: ``region`` and ``period`` cost ``price``; ``pointer`` names it
    in the request (for errors)."""

    region: str
    period: BillingPeriod
    price: Price
    pointer: str


@dataclass(frozen=True)
class PlanView:
    """A plan with its price history (all regions, or the one asked for)."""

    plan: Plan
    prices: tuple[PriceEntry, ...]

    def current(self, now: datetime) -> list[PriceEntry]:
        """The prices new subscribers pay at ``now``, by region then period."""
        order = {period: index for index, period in enumerate(BillingPeriod)}
        return sorted(
            latest_entries(self.prices, now).values(),
            key=lambda entry: (entry.region, order[entry.period]),
        )

    def upcoming(self, now: datetime) -> list[PriceEntry]:
        """Changes not yet reaching existing subscribers (announced, within the notice)."""
        return [entry for entry in self.prices if entry.existing_from > now]


# --- what other contexts ask ----------------------------------------------------------------------
async def get_plan(uow: PlansUnitOfWork, plan_id: uuid.UUID) -> Plan:
    """The plan, retired or not (PLAN_NOT_FOUND when there is none)."""
    plan = await uow.plans.get(plan_id)
    if plan is None:
        raise plan_not_found(plan_id)
    return plan


async def plan_for_sale(
    uow: PlansUnitOfWork,
    plan_id: uuid.UUID,
    region: str,
    period: BillingPeriod,
    *,
    now: datetime | None = None,
) -> PlanOffer:
    """What a NEW subscriber pays now for the plan in ``region`` every ``period``.

    404 PLAN_NOT_FOUND; 422 PLAN_NOT_AVAILABLE (retired); 422 PLAN_REGION_RESTRICTED (not sold
    in the region, or no price there for the period). ``now`` defaults to the latest price
    (a change is effective for new subscribers the moment it is made)."""
    plan = await get_plan(uow, plan_id)
    if not plan.on_sale:
        raise plan_not_available(plan)
    if region not in plan.available_regions:
        raise region_restricted(plan, region, period)
    history = await uow.plans.price_history(plan_id, region, period)
    if now is None:
        entry = history[-1] if history else None
    else:
        entry = new_subscriber_price(history, region, period, now)
    if entry is None:
        raise region_restricted(plan, region, period)
    return PlanOffer(plan, region, period, entry.price.currency, entry.price.amount_minor)


async def period_price(
    uow: PlansUnitOfWork,
    plan_id: uuid.UUID,
    region: str,
    period: BillingPeriod,
    period_start: datetime,
    *,
    subscribed_at: datetime | None = None,
) -> Price:
    """What an EXISTING subscriber pays for a period starting at ``period_start``: a price
    change applies from the first period starting at least the notice (30 days) after it.
    ``subscribed_at`` (optional, recommended): a subscriber who subscribed after a change
    already pays the new price and keeps it. Retired plans are priced too (their subscribers
    keep them). 422 PLAN_REGION_RESTRICTED when the plan never had a price there."""
    plan = await get_plan(uow, plan_id)
    history = await uow.plans.price_history(plan_id, region, period)
    entry = existing_subscriber_price(history, period_start, subscribed_at)
    if entry is None:
        raise region_restricted(plan, region, period)
    return entry.price


async def catalog_answer(
    uow: PlansUnitOfWork,
    plan_id: uuid.UUID,
    game_id: uuid.UUID,
    release_date: date | None,
    now: datetime,
) -> CatalogAnswer:
    """Whether the plan has the game at ``now``: included explicitly (and not removed by now;
    ``until`` = an announced removal), or a new release (released within the window, new
    releases on, not excluded; ``until`` = the window's end)."""
    plan = await get_plan(uow, plan_id)
    entry = await uow.plans.catalog_entry(plan_id, game_id)
    return catalog_answer_of(plan, entry, release_date, now)


# --- public reads -------------------------------------------------------------------------------
async def plans_on_sale(uow: PlansUnitOfWork, region: str, now: datetime) -> list[PlanView]:
    """Active plans sold in ``region`` with at least one price there now, with those prices."""
    check_region(region, parameter="region")
    found = await uow.plans.on_sale_in(region)
    prices = await uow.plans.prices([plan.id for plan in found], region)
    views = [PlanView(plan, tuple(prices[plan.id])) for plan in found]
    return [view for view in views if view.current(now)]


async def view_plan(uow: PlansUnitOfWork, plan_id: uuid.UUID) -> PlanView:
    plan = await get_plan(uow, plan_id)
    prices = await uow.plans.prices([plan_id])
    return PlanView(plan, tuple(prices[plan_id]))


async def plan_catalog(uow: PlansUnitOfWork, plan_id: uuid.UUID) -> list[CatalogEntry]:
    await get_plan(uow, plan_id)
    return await uow.plans.catalog(plan_id)


async def catalog_entry(
    uow: PlansUnitOfWork, plan_id: uuid.UUID, game_id: uuid.UUID
) -> CatalogEntry:
    await get_plan(uow, plan_id)
    entry = await uow.plans.catalog_entry(plan_id, game_id)
    if entry is None:
        raise game_not_in_catalog(game_id)
    return entry


# --- admin changes ------------------------------------------------------------------------------
async def _plan_for_change(uow: PlansUnitOfWork, plan_id: uuid.UUID) -> Plan:
    plan = await uow.plans.get(plan_id, lock=True)
    if plan is None:
        raise plan_not_found(plan_id)
    return plan


async def _apply_prices(
    uow: PlansUnitOfWork,
    plan: Plan,
    settings: Sequence[PriceSetting],
    rules: PlanRules,
    now: datetime,
) -> None:
    history = list((await uow.plans.prices([plan.id]))[plan.id])
    added: list[PriceEntry] = []
    for setting in settings:
        change = price_change(
            plan,
            history + added,
            setting.region,
            setting.period,
            setting.price,
            rules,
            now,
            setting.pointer,
        )
        if change is None:
            continue
        entry, old = change
        added.append(entry)
        if old is not None:
            uow.emit(
                PlanPriceChanged(
                    plan_id=plan.id,
                    plan_type=plan.plan_type.value,
                    region=entry.region,
                    billing_period=entry.period.value,
                    old_price=_money(old.price),
                    new_price=_money(entry.price),
                    effective_for_new_subscribers_at=entry.effective_from,
                    effective_for_existing_subscribers_from=entry.existing_from,
                    changed_at=now,
                )
            )
    await uow.plans.add_prices(plan.id, added)


def _money(price: Price) -> Money:
    return Money.model_validate({"amount_minor": price.amount_minor, "currency": price.currency})


def _check_distinct(settings: Sequence[PriceSetting]) -> None:
    seen: set[tuple[str, BillingPeriod]] = set()
    for setting in settings:
        key = (setting.region, setting.period)
        if key in seen:
            raise ValidationFailed(
                f"Two prices for {setting.region} {setting.period.value}.",
                detail_ru=f"Две цены для {setting.region}, период {setting.period.value}.",
                pointer=setting.pointer,
            )
        seen.add(key)


async def create_plan(
    uow: PlansUnitOfWork,
    *,
    name: str,
    description: str,
    plan_type: PlanType,
    features: Sequence[Feature],
    trial_days: int | None,
    max_devices: int | None,
    new_releases: bool,
    new_release_days: int | None,
    available_regions: Iterable[str],
    prices: Sequence[PriceSetting],
    rules: PlanRules,
    now: datetime,
) -> PlanView:
    plan = new_plan(
        name=name,
        description=description,
        plan_type=plan_type,
        features=features,
        trial_days=trial_days,
        max_devices=max_devices,
        new_releases=new_releases,
        new_release_days=new_release_days,
        available_regions=available_regions,
        rules=rules,
        now=now,
    )
    _check_distinct(prices)
    await uow.plans.add(plan)
    await _apply_prices(uow, plan, prices, rules, now)
    uow.access_changed(plans=[plan.id])
    await uow.commit()
    return await view_plan(uow, plan.id)


async def change_plan_attributes(
    uow: PlansUnitOfWork, plan_id: uuid.UUID, changes: dict[str, object], now: datetime
) -> PlanView:
    plan = await _plan_for_change(uow, plan_id)
    changed = change_plan(plan, changes, now)
    await uow.plans.save(changed)
    uow.access_changed(plans=[plan_id])
    await uow.commit()
    return await view_plan(uow, plan_id)


async def set_prices(
    uow: PlansUnitOfWork,
    plan_id: uuid.UUID,
    prices: Sequence[PriceSetting],
    rules: PlanRules,
    now: datetime,
) -> PlanView:
    """Set these prices (the others stay): a changed one is effective for new subscribers now,
    for existing ones after the notice (``subscription.plan.price_changed.v1``); an unchanged one
    changes nothing."""
    plan = await _plan_for_change(uow, plan_id)
    _check_distinct(prices)
    await _apply_prices(uow, plan, prices, rules, now)
    uow.access_changed(plans=[plan_id])
    await uow.commit()
    return await view_plan(uow, plan_id)


async def retire(uow: PlansUnitOfWork, plan_id: uuid.UUID, now: datetime) -> PlanView:
    """No longer sold; existing subscribers keep it (PLAN_ALREADY_RETIRED when retired)."""
    plan = await _plan_for_change(uow, plan_id)
    await uow.plans.save(retire_plan(plan, now))
    uow.access_changed(plans=[plan_id])
    await uow.commit()
    return await view_plan(uow, plan_id)


async def put_in_catalog(
    uow: PlansUnitOfWork,
    plan_id: uuid.UUID,
    game_id: uuid.UUID,
    included: bool,
    now: datetime,
) -> CatalogEntry:
    """Include the game (cancelling an announced removal) or exclude it (a game not included:
    never in the plan, not even as a new release)."""
    await _plan_for_change(uow, plan_id)
    if included:
        entry = include_game(plan_id, game_id, now)
    else:
        entry = exclude_game(await uow.plans.catalog_entry(plan_id, game_id), plan_id, game_id, now)
    await uow.plans.put_catalog_entry(entry)
    uow.access_changed(plans=[plan_id], games=[game_id])
    await uow.commit()
    return entry


async def remove_from_catalog(
    uow: PlansUnitOfWork,
    plan_id: uuid.UUID,
    game_id: uuid.UUID,
    effective_at: datetime | None,
    rules: PlanRules,
    now: datetime,
) -> CatalogEntry:
    """Announce the game's removal at ``effective_at`` (default and earliest: the notice from
    now); access stays until then. Emits ``subscription.plan.catalog_removal_announced.v1``."""
    plan = await _plan_for_change(uow, plan_id)
    entry = announce_removal(
        await uow.plans.catalog_entry(plan_id, game_id),
        plan_id,
        game_id,
        effective_at,
        rules,
        now,
    )
    await uow.plans.put_catalog_entry(entry)
    assert entry.removal_effective_at is not None
    uow.emit(
        PlanCatalogRemovalAnnounced(
            plan_id=plan_id,
            plan_type=plan.plan_type.value,
            game_id=game_id,
            announced_at=now,
            effective_at=entry.removal_effective_at,
        )
    )
    uow.access_changed(plans=[plan_id], games=[game_id])
    await uow.commit()
    return entry
