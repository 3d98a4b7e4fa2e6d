"""Builders of access's integration tests: a profile in the user stand-in, a game in the games
read model, a plan through plans' use cases, a subscription through subscriptions' repository
(the way subscriptions' use cases store it: saved, then ``access_changed`` before the commit)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import httpx
from parovoz_kit.infrastructure import Infrastructure
from parovoz_subscription.access import service as access
from parovoz_subscription.access.domain import AccessDecision
from parovoz_subscription.access.ports import access_ports
from parovoz_subscription.plans import service as plans
from parovoz_subscription.plans.domain import Price
from parovoz_subscription.subscriptions.domain import (
    BillingPeriod,
    PlanType,
    Subscription,
    SubscriptionStatus,
)
from parovoz_subscription.unit_of_work import (
    SqlSubscriptionUnitOfWork,
    subscription_unit_of_work,
)

USERS = "http://127.0.0.1:8092/users"


def put_profile(user_id: uuid.UUID, region: str = "RU", birth_date: str = "1990-05-17") -> None:
    body = {"birth_date": birth_date, "region": region, "blocked": False}
    httpx.put(f"{USERS}/{user_id}", json=body).raise_for_status()


async def a_game(
    infrastructure: Infrastructure,
    now: datetime,
    *,
    age_rating: str = "12+",
    regions: tuple[str, ...] = ("RU", "KZ"),
    release_date: date | None = date(2024, 1, 1),
    published: bool = True,
) -> uuid.UUID:
    game_id, developer_id = uuid.uuid4(), uuid.uuid4()
    async with subscription_unit_of_work(infrastructure) as uow:
        await uow.read_models.game_metadata(
            game_id,
            developer_id=developer_id,
            age_rating=age_rating,
            regions=regions,
            release_date=release_date,
            at=now,
            now=now,
        )
        await uow.read_models.game_listing(
            game_id, developer_id=developer_id, published=published, at=now, now=now
        )
        uow.access_changed(games=[game_id])
        await uow.commit()
    return game_id


async def a_plan(
    infrastructure: Infrastructure,
    now: datetime,
    *,
    games: tuple[uuid.UUID, ...] = (),
    regions: tuple[str, ...] = ("RU", "KZ"),
    max_devices: int = 3,
    plan_type: PlanType = PlanType.PREMIUM,
) -> uuid.UUID:
    settings: Any = infrastructure.settings
    async with subscription_unit_of_work(infrastructure) as uow:
        view = await plans.create_plan(
            uow,
            name=f"Тест {uuid.uuid4().hex[:6]}",
            description="План теста доступа.",
            plan_type=plan_type,
            features=(),
            trial_days=None,
            max_devices=max_devices,
            new_releases=False,
            new_release_days=None,
            available_regions=regions,
            prices=[
                plans.PriceSetting(
                    region, BillingPeriod.MONTHLY, Price("RUB", 49900), pointer="/prices/0"
                )
                for region in regions
            ],
            rules=settings.plan_rules(),
            now=now,
        )
    for game_id in games:
        await include(infrastructure, view.plan.id, game_id, now)
    return view.plan.id


async def include(
    infrastructure: Infrastructure, plan_id: uuid.UUID, game_id: uuid.UUID, now: datetime
) -> None:
    async with subscription_unit_of_work(infrastructure) as uow:
        await plans.put_in_catalog(uow, plan_id, game_id, True, now)


async def a_subscription(
    infrastructure: Infrastructure,
    user_id: uuid.UUID,
    plan_id: uuid.UUID,
    now: datetime,
    *,
    status: SubscriptionStatus = SubscriptionStatus.ACTIVE,
    period_end: timedelta = timedelta(days=20),
    plan_type: PlanType = PlanType.PREMIUM,
) -> Subscription:
    start = now - timedelta(days=10)
    subscription = Subscription(
        id=uuid.uuid4(),
        user_id=user_id,
        plan_id=plan_id,
        plan_type=plan_type,
        billing_period=BillingPeriod.MONTHLY,
        region="RU",
        currency="RUB",
        price_minor=49900,
        status=status,
        auto_renew=True,
        time_zone="Europe/Moscow",
        anchor_at=start,
        current_period_start=start,
        current_period_end=now + period_end,
        created_at=start,
        updated_at=start,
    )
    async with subscription_unit_of_work(infrastructure) as uow:
        await uow.subscriptions.add(subscription)
        uow.access_changed(users=[user_id])
        await uow.commit()
    return subscription


async def move(
    infrastructure: Infrastructure,
    subscription_id: uuid.UUID,
    now: datetime,
    *targets: SubscriptionStatus,
) -> None:
    async with subscription_unit_of_work(infrastructure) as uow:
        subscription = await uow.subscriptions.get_for_update(subscription_id)
        assert subscription is not None
        for target in targets:
            subscription.move(target, now)
        await uow.subscriptions.save(subscription)
        uow.access_changed(users=[subscription.user_id])
        await uow.commit()


class CountingUnitsOfWork:
    """``open_uow`` for check_access that counts the units of work it opened (0: a hit)."""

    def __init__(self, infrastructure: Infrastructure) -> None:
        self.infrastructure = infrastructure
        self.opened = 0

    def __call__(self) -> SqlSubscriptionUnitOfWork:
        self.opened += 1
        return subscription_unit_of_work(self.infrastructure)


async def check(
    infrastructure: Infrastructure,
    user_id: uuid.UUID,
    game_id: uuid.UUID,
    now: datetime,
    *,
    device_id: str = "pc-1",
    region: str | None = None,
    units: Callable[[], SqlSubscriptionUnitOfWork] | None = None,
) -> AccessDecision:
    return await access.check_access(
        units or (lambda: subscription_unit_of_work(infrastructure)),
        access_ports(infrastructure),
        user_id,
        game_id,
        device_id,
        region,
        now,
    )
