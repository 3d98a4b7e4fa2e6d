"""Default plans for a development database: BASIC, PREMIUM, FAMILY and STUDENT in RU, created
only when no plan exists at all (idempotent; a migration inserts no plans). Not wired into
start-up: run ``.venv/bin/python -m parovoz_subscription.plans.seed`` on a dev database, or call
``seed_default_plans`` from a dev command."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from parovoz_kit.clock import SystemClock

from parovoz_subscription.plans import service
from parovoz_subscription.plans.domain import Feature, Price
from parovoz_subscription.plans.rules import PlanRules
from parovoz_subscription.plans.service import PlansUnitOfWork, PriceSetting
from parovoz_subscription.settings import SubscriptionSettings
from parovoz_subscription.subscriptions.domain import BillingPeriod, PlanType


@dataclass(frozen=True)
class _Default:
    name: str
    description: str
    plan_type: PlanType
    #: Kopecks per monthly, quarterly, yearly period.
    prices: tuple[int, int, int]
    max_devices: int | None = None
    new_releases: bool = True


DEFAULTS = (
    _Default(
        "Базовый",
        "Избранные игры каталога.",
        PlanType.BASIC,
        (39900, 109900, 399000),
        new_releases=False,
    ),
    _Default(
        "Премиум",
        "Весь каталог подписки и новинки в первые 90 дней.",
        PlanType.PREMIUM,
        (69900, 189900, 699000),
    ),
    _Default(
        "Семейный",
        "Премиум для семьи до 6 человек.",
        PlanType.FAMILY,
        (99900, 279900, 999000),
        max_devices=6,
    ),
    _Default(
        "Студенческий",
        "Премиум со скидкой для студентов.",
        PlanType.STUDENT,
        (34900, 94900, 349000),
    ),
)


async def seed_default_plans(
    uow: PlansUnitOfWork, *, rules: PlanRules | None = None, now: datetime | None = None
) -> int:
    """Create the default plans unless any plan exists; the number created. ``rules`` default
    to the settings', ``now`` to the system clock."""
    if await uow.plans.count():
        return 0
    rules = rules or SubscriptionSettings().plan_rules()
    now = now or SystemClock().now()
    for default in DEFAULTS:
        await service.create_plan(
            uow,
            name=default.name,
            description=default.description,
            plan_type=default.plan_type,
            features=[Feature("cloud_saves", "Облачные сохранения", True)],
            trial_days=None,
            max_devices=default.max_devices,
            new_releases=default.new_releases,
            new_release_days=None,
            available_regions=["RU"],
            prices=[
                PriceSetting("RU", period, Price("RUB", amount), "/seed")
                for period, amount in zip(BillingPeriod, default.prices, strict=True)
            ],
            rules=rules,
            now=now,
        )
    return len(DEFAULTS)


async def _seed_dev_database() -> int:
    """``python -m parovoz_subscription.plans.seed``: the default plans in the database the
    settings name (the environment's ``SUBSCRIPTION_*``), through the service's own unit of
    work (its clock, its outbox, its cache invalidation)."""
    from parovoz_kit.infrastructure import open_infrastructure

    from parovoz_subscription.unit_of_work import subscription_unit_of_work

    settings = SubscriptionSettings()
    async with open_infrastructure(settings) as infrastructure:
        async with subscription_unit_of_work(infrastructure) as uow:
            return await seed_default_plans(
                uow, rules=settings.plan_rules(), now=infrastructure.clock.now()
            )


if __name__ == "__main__":
    import asyncio

    print(f"default plans created: {asyncio.run(_seed_dev_database())}")
