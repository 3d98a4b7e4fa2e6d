"""plans use cases over an in-memory unit of work: what other contexts ask (plan_for_sale,
period_price, catalog_answer) and the admin changes, with their events and cache invalidation."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from parovoz_events.base import EventData
from parovoz_events.subscription import PlanCatalogRemovalAnnounced, PlanPriceChanged
from parovoz_kit.errors import BusinessRuleViolation, NotFound, ValidationFailed
from parovoz_subscription.plans import service
from parovoz_subscription.plans.domain import (
    CatalogEntry,
    Feature,
    Plan,
    PlanStatus,
    Price,
    PriceEntry,
)
from parovoz_subscription.plans.rules import PlanRules
from parovoz_subscription.plans.service import PriceSetting
from parovoz_subscription.subscriptions.domain import BillingPeriod, PlanType

RULES = PlanRules(
    price_change_notice=timedelta(days=30),
    catalog_removal_notice=timedelta(days=14),
    new_release_window=timedelta(days=90),
    default_trial_days=14,
    default_max_devices=3,
)


class MemoryPlans:
    def __init__(self) -> None:
        self.plans: dict[uuid.UUID, Plan] = {}
        self.price_rows: list[tuple[uuid.UUID, PriceEntry]] = []
        self.entries: dict[tuple[uuid.UUID, uuid.UUID], CatalogEntry] = {}

    async def add(self, plan: Plan) -> None:
        self.plans[plan.id] = plan

    async def save(self, plan: Plan) -> None:
        self.plans[plan.id] = plan

    async def get(self, plan_id: uuid.UUID, *, lock: bool = False) -> Plan | None:
        return self.plans.get(plan_id)

    async def on_sale_in(self, region: str) -> list[Plan]:
        return [
            p
            for p in self.plans.values()
            if p.status is PlanStatus.ACTIVE and region in p.available_regions
        ]

    async def count(self) -> int:
        return len(self.plans)

    async def prices(
        self, plan_ids: Iterable[uuid.UUID], region: str | None = None
    ) -> dict[uuid.UUID, list[PriceEntry]]:
        found: dict[uuid.UUID, list[PriceEntry]] = {plan_id: [] for plan_id in plan_ids}
        for plan_id, entry in self.price_rows:
            if plan_id in found and region in (None, entry.region):
                found[plan_id].append(entry)
        return found

    async def price_history(
        self, plan_id: uuid.UUID, region: str, period: BillingPeriod
    ) -> list[PriceEntry]:
        return sorted(
            (
                entry
                for pid, entry in self.price_rows
                if pid == plan_id and entry.region == region and entry.period is period
            ),
            key=lambda entry: entry.effective_from,
        )

    async def add_prices(self, plan_id: uuid.UUID, entries: Sequence[PriceEntry]) -> None:
        self.price_rows += [(plan_id, entry) for entry in entries]

    async def catalog_entry(self, plan_id: uuid.UUID, game_id: uuid.UUID) -> CatalogEntry | None:
        return self.entries.get((plan_id, game_id))

    async def catalog(self, plan_id: uuid.UUID) -> list[CatalogEntry]:
        return [e for (pid, _), e in self.entries.items() if pid == plan_id]

    async def put_catalog_entry(self, entry: CatalogEntry) -> None:
        self.entries[(entry.plan_id, entry.game_id)] = replace(entry)


class MemoryUnitOfWork:
    def __init__(self) -> None:
        self.plans = MemoryPlans()
        self.pending: list[EventData] = []
        self.events: list[EventData] = []
        self.changed_plans: set[uuid.UUID] = set()
        self.invalidated: list[set[uuid.UUID]] = []
        self.commits = 0

    def emit(
        self, item: EventData, *, subject: str | None = None, topic: str | None = None
    ) -> object:
        self.pending.append(item)
        return item

    def access_changed(
        self,
        *,
        users: Iterable[uuid.UUID] = (),
        plans: Iterable[uuid.UUID] = (),
        games: Iterable[uuid.UUID] = (),
    ) -> None:
        self.changed_plans.update(plans)

    async def commit(self) -> None:
        self.commits += 1
        self.events += self.pending
        self.pending = []
        self.invalidated.append(self.changed_plans)
        self.changed_plans = set()


# --- tests ------------------------------------------------------------------------------------
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
MONTHLY = BillingPeriod.MONTHLY


def rub(amount: int, region: str = "RU", period: BillingPeriod = MONTHLY) -> PriceSetting:
    return PriceSetting(region, period, Price("RUB", amount), "/data/attributes/prices/0")


async def a_plan(
    uow: MemoryUnitOfWork,
    *,
    prices: Sequence[PriceSetting] = (),
    regions: Sequence[str] = ("RU",),
    new_releases: bool = True,
) -> uuid.UUID:
    view = await service.create_plan(
        uow,
        name="Премиум",
        description="Все игры каталога",
        plan_type=PlanType.PREMIUM,
        features=[Feature("cloud_saves", "Облачные сохранения", True)],
        trial_days=None,
        max_devices=None,
        new_releases=new_releases,
        new_release_days=None,
        available_regions=regions,
        prices=prices or [rub(39900)],
        rules=RULES,
        now=T0,
    )
    return view.plan.id


async def test_a_new_plan_takes_the_rules_defaults_and_names_itself_for_the_cache() -> None:
    uow = MemoryUnitOfWork()
    plan_id = await a_plan(uow)
    plan = await service.get_plan(uow, plan_id)
    assert (plan.trial_days, plan.max_devices, plan.new_release_days) == (14, 3, 90)
    assert uow.invalidated == [{plan_id}]
    assert uow.events == []  # a first price is no change to announce


async def test_plan_for_sale_answers_the_price_of_the_region_and_period() -> None:
    uow = MemoryUnitOfWork()
    plan_id = await a_plan(
        uow, regions=["RU", "KZ"], prices=[rub(39900), rub(99900, period=BillingPeriod.QUARTERLY)]
    )
    offer = await service.plan_for_sale(uow, plan_id, "RU", BillingPeriod.QUARTERLY)
    assert (offer.currency, offer.amount_minor, offer.plan.id) == ("RUB", 99900, plan_id)
    with pytest.raises(BusinessRuleViolation) as no_price:
        await service.plan_for_sale(uow, plan_id, "KZ", MONTHLY)  # sold there, no price yet
    assert no_price.value.code == "PLAN_REGION_RESTRICTED"
    with pytest.raises(BusinessRuleViolation) as elsewhere:
        await service.plan_for_sale(uow, plan_id, "BY", MONTHLY)
    assert elsewhere.value.code == "PLAN_REGION_RESTRICTED"
    with pytest.raises(NotFound) as unknown:
        await service.plan_for_sale(uow, uuid.uuid4(), "RU", MONTHLY)
    assert unknown.value.code == "PLAN_NOT_FOUND"


async def test_a_retired_plan_is_not_sold_but_still_read_and_priced() -> None:
    uow = MemoryUnitOfWork()
    plan_id = await a_plan(uow)
    await service.retire(uow, plan_id, T0 + timedelta(days=1))
    with pytest.raises(BusinessRuleViolation) as refused:
        await service.plan_for_sale(uow, plan_id, "RU", MONTHLY)
    assert refused.value.code == "PLAN_NOT_AVAILABLE"
    assert (await service.get_plan(uow, plan_id)).status is PlanStatus.RETIRED
    price = await service.period_price(uow, plan_id, "RU", MONTHLY, T0 + timedelta(days=40))
    assert price == Price("RUB", 39900)
    with pytest.raises(BusinessRuleViolation) as again:
        await service.retire(uow, plan_id, T0 + timedelta(days=2))
    assert again.value.code == "PLAN_ALREADY_RETIRED"
    assert await service.plans_on_sale(uow, "RU", T0 + timedelta(days=2)) == []


@pytest.mark.parametrize(
    ("days_after_change", "expected"),
    [(29, 39900), (30, 44900), (31, 44900)],
    ids=["day-29-old", "day-30-new", "day-31-new"],
)
async def test_existing_subscribers_pay_a_new_price_from_the_first_period_30_days_on(
    days_after_change: int, expected: int
) -> None:
    uow = MemoryUnitOfWork()
    plan_id = await a_plan(uow)
    changed_at = T0 + timedelta(days=5)
    await service.set_prices(uow, plan_id, [rub(44900)], RULES, changed_at)
    # New subscribers pay the new price at once.
    offer = await service.plan_for_sale(uow, plan_id, "RU", MONTHLY, now=changed_at)
    assert offer.amount_minor == 44900
    start = changed_at + timedelta(days=days_after_change)
    price = await service.period_price(uow, plan_id, "RU", MONTHLY, start)
    assert price.amount_minor == expected
    # A second before the 30 days is still the old price.
    edge = changed_at + timedelta(days=30) - timedelta(seconds=1)
    assert (await service.period_price(uow, plan_id, "RU", MONTHLY, edge)).amount_minor == 39900


async def test_a_subscriber_who_joined_after_the_change_keeps_the_new_price() -> None:
    uow = MemoryUnitOfWork()
    plan_id = await a_plan(uow)
    changed_at = T0 + timedelta(days=5)
    await service.set_prices(uow, plan_id, [rub(44900)], RULES, changed_at)
    joined = changed_at + timedelta(days=1)
    second_period = joined + timedelta(days=28)  # within the 30 days of notice
    price = await service.period_price(
        uow, plan_id, "RU", MONTHLY, second_period, subscribed_at=joined
    )
    assert price.amount_minor == 44900
    earlier = await service.period_price(
        uow, plan_id, "RU", MONTHLY, second_period, subscribed_at=T0
    )
    assert earlier.amount_minor == 39900


async def test_a_price_change_is_announced_once_and_an_unchanged_price_is_no_change() -> None:
    uow = MemoryUnitOfWork()
    plan_id = await a_plan(uow)
    changed_at = T0 + timedelta(days=2)
    await service.set_prices(uow, plan_id, [rub(44900)], RULES, changed_at)
    [event] = uow.events
    assert isinstance(event, PlanPriceChanged)
    assert (event.old_price.amount_minor, event.new_price.amount_minor) == (39900, 44900)
    assert event.effective_for_new_subscribers_at == changed_at
    assert event.effective_for_existing_subscribers_from == changed_at + timedelta(days=30)
    assert (event.region, event.billing_period, event.plan_id) == ("RU", "monthly", plan_id)
    await service.set_prices(uow, plan_id, [rub(44900)], RULES, changed_at + timedelta(days=1))
    assert len(uow.events) == 1
    assert uow.invalidated[-1] == {plan_id}


async def test_prices_are_validated() -> None:
    uow = MemoryUnitOfWork()
    plan_id = await a_plan(uow, regions=["RU", "KZ"])
    bad = [
        (PriceSetting("RU", MONTHLY, Price("RUB", 0), "/p"), "VALIDATION_ERROR"),
        (PriceSetting("RU", MONTHLY, Price("GBP", 100), "/p"), "VALIDATION_ERROR"),
        (PriceSetting("XX", MONTHLY, Price("RUB", 100), "/p"), "VALIDATION_ERROR"),
        (PriceSetting("BY", MONTHLY, Price("BYN", 100), "/p"), "PLAN_REGION_RESTRICTED"),
        (PriceSetting("RU", MONTHLY, Price("USD", 100), "/p"), "PLAN_CURRENCY_MISMATCH"),
    ]
    for setting, code in bad:
        with pytest.raises((ValidationFailed, BusinessRuleViolation)) as refused:
            await service.set_prices(uow, plan_id, [setting], RULES, T0)
        assert refused.value.code == code, setting
    with pytest.raises(ValidationFailed):
        await service.set_prices(uow, plan_id, [rub(100, "KZ"), rub(200, "KZ")], RULES, T0)
    kz = PriceSetting("KZ", MONTHLY, Price("KZT", 199000), "/p")
    await service.set_prices(uow, plan_id, [kz], RULES, T0 + timedelta(hours=1))
    offer = await service.plan_for_sale(uow, plan_id, "KZ", MONTHLY)
    assert (offer.currency, offer.amount_minor) == ("KZT", 199000)


async def test_plan_numbers_are_validated() -> None:
    uow = MemoryUnitOfWork()
    for trial_days, max_devices in [(-1, 3), (400, 3), (14, 0), (14, 101)]:
        with pytest.raises(ValidationFailed):
            await service.create_plan(
                uow,
                name="Базовый",
                description="",
                plan_type=PlanType.BASIC,
                features=[],
                trial_days=trial_days,
                max_devices=max_devices,
                new_releases=False,
                new_release_days=None,
                available_regions=["RU"],
                prices=[],
                rules=RULES,
                now=T0,
            )
    with pytest.raises(ValidationFailed):
        await service.create_plan(
            uow,
            name="Базовый",
            description="",
            plan_type=PlanType.BASIC,
            features=[Feature("a", "", True), Feature("a", "", False)],
            trial_days=None,
            max_devices=None,
            new_releases=False,
            new_release_days=None,
            available_regions=["RU"],
            prices=[],
            rules=RULES,
            now=T0,
        )
    assert uow.plans.plans == {}


# --- catalog --------------------------------------------------------------------------------------
GAME = uuid.UUID("5d26d06f-9055-4c8c-9764-29fd0dd52fba")


async def test_an_included_game_is_in_the_plan_and_an_excluded_one_is_not() -> None:
    uow = MemoryUnitOfWork()
    plan_id = await a_plan(uow)
    other = uuid.uuid4()
    await service.put_in_catalog(uow, plan_id, GAME, True, T0)
    await service.put_in_catalog(uow, plan_id, other, False, T0)
    answer = await service.catalog_answer(uow, plan_id, GAME, None, T0)
    assert (answer.included, answer.until) == (True, None)
    # Excluded: not even as a new release released yesterday.
    yesterday = (T0 - timedelta(days=1)).date()
    assert not (await service.catalog_answer(uow, plan_id, other, yesterday, T0)).included
    assert not (await service.catalog_answer(uow, plan_id, uuid.uuid4(), None, T0)).included
    assert uow.invalidated[-1] == {plan_id}


@pytest.mark.parametrize(("day", "included"), [(0, True), (89, True), (90, False), (91, False)])
async def test_a_new_release_is_in_the_plan_for_90_days(day: int, included: bool) -> None:
    uow = MemoryUnitOfWork()
    plan_id = await a_plan(uow)
    released = date(2026, 1, 10)
    now = datetime(2026, 1, 10, 12, tzinfo=UTC) + timedelta(days=day)
    answer = await service.catalog_answer(uow, plan_id, GAME, released, now)
    assert answer.included is included
    if included:
        assert answer.new_release
        assert answer.until == datetime(2026, 4, 10, tzinfo=UTC)  # 10 January + 90 days


async def test_new_releases_off_or_not_yet_released_is_not_in_the_plan() -> None:
    uow = MemoryUnitOfWork()
    plan_id = await a_plan(uow, new_releases=False)
    assert not (await service.catalog_answer(uow, plan_id, GAME, T0.date(), T0)).included
    on = await a_plan(uow)
    tomorrow = (T0 + timedelta(days=1)).date()
    assert not (await service.catalog_answer(uow, on, GAME, tomorrow, T0)).included


async def test_a_removal_keeps_access_until_its_time_and_is_announced() -> None:
    uow = MemoryUnitOfWork()
    plan_id = await a_plan(uow)
    await service.put_in_catalog(uow, plan_id, GAME, True, T0)
    announced = T0 + timedelta(days=1)
    entry = await service.remove_from_catalog(uow, plan_id, GAME, None, RULES, announced)
    leaves = announced + timedelta(days=14)
    assert entry.removal_effective_at == leaves
    before = await service.catalog_answer(uow, plan_id, GAME, None, leaves - timedelta(seconds=1))
    assert (before.included, before.until) == (True, leaves)
    assert not (await service.catalog_answer(uow, plan_id, GAME, None, leaves)).included
    [event] = uow.events
    assert isinstance(event, PlanCatalogRemovalAnnounced)
    assert (event.game_id, event.effective_at, event.announced_at) == (GAME, leaves, announced)
    # A removed game is gone even if it is a recent release.
    recent = (leaves - timedelta(days=3)).date()
    assert not (await service.catalog_answer(uow, plan_id, GAME, recent, leaves)).included


async def test_a_removal_needs_14_days_notice_and_reinclusion_cancels_it() -> None:
    uow = MemoryUnitOfWork()
    plan_id = await a_plan(uow)
    await service.put_in_catalog(uow, plan_id, GAME, True, T0)
    with pytest.raises(BusinessRuleViolation) as too_soon:
        await service.remove_from_catalog(
            uow, plan_id, GAME, T0 + timedelta(days=14) - timedelta(seconds=1), RULES, T0
        )
    assert too_soon.value.code == "CATALOG_NOTICE_TOO_SHORT"
    later = T0 + timedelta(days=30)
    entry = await service.remove_from_catalog(uow, plan_id, GAME, later, RULES, T0)
    assert entry.removal_effective_at == later
    # Excluding an included game would skip the notice.
    with pytest.raises(BusinessRuleViolation) as skip:
        await service.put_in_catalog(uow, plan_id, GAME, False, T0)
    assert skip.value.code == "CATALOG_REMOVAL_REQUIRED"
    await service.put_in_catalog(uow, plan_id, GAME, True, T0 + timedelta(days=2))
    answer = await service.catalog_answer(uow, plan_id, GAME, None, later + timedelta(days=1))
    assert (answer.included, answer.until) == (True, None)
    with pytest.raises(NotFound) as absent:
        await service.remove_from_catalog(uow, plan_id, uuid.uuid4(), None, RULES, T0)
    assert absent.value.code == "GAME_NOT_IN_PLAN_CATALOG"


async def test_plans_on_sale_lists_active_plans_priced_in_the_region() -> None:
    uow = MemoryUnitOfWork()
    priced = await a_plan(uow, regions=["RU", "KZ"])
    await a_plan(uow, regions=["KZ"], prices=[rub(100, "KZ")])
    on_sale = await service.plans_on_sale(uow, "RU", T0)
    assert [view.plan.id for view in on_sale] == [priced]
    assert [(e.region, e.price.amount_minor) for e in on_sale[0].current(T0)] == [("RU", 39900)]
    with pytest.raises(ValidationFailed):
        await service.plans_on_sale(uow, "RUS", T0)


async def test_the_dev_seed_creates_the_default_plans_once() -> None:
    from parovoz_subscription.plans.seed import seed_default_plans

    uow = MemoryUnitOfWork()
    assert await seed_default_plans(uow, rules=RULES, now=T0) == 4
    assert await seed_default_plans(uow, rules=RULES, now=T0) == 0
    types = sorted(plan.plan_type.value for plan in uow.plans.plans.values())
    assert types == ["basic", "family", "premium", "student"]
    basic = next(p for p in uow.plans.plans.values() if p.plan_type is PlanType.BASIC)
    offer = await service.plan_for_sale(uow, basic.id, "RU", MONTHLY)
    assert (offer.currency, offer.amount_minor) == ("RUB", 39900)
