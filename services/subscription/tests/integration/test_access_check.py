"""CheckAccess on the real engines: answers from the cache after the first check, forgotten when
a subscription, a plan's catalog or a game changes; correct with Redis unreachable; the device
limit under concurrent checks."""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # its *_support modules
from access_support import (
    CountingUnitsOfWork,
    a_game,
    a_plan,
    a_subscription,
    check,
    include,
    move,
    put_profile,
)
from parovoz_events.developer import GameUnpublished
from parovoz_kit.events import Event
from parovoz_kit.infrastructure import Infrastructure, open_infrastructure
from parovoz_subscription.access import events as access_events
from parovoz_subscription.access.domain import AccessReason
from parovoz_subscription.access.events import developer_event_handlers
from parovoz_subscription.settings import SubscriptionSettings
from parovoz_subscription.subscriptions.domain import SubscriptionStatus
from parovoz_subscription.unit_of_work import subscription_unit_of_work
from parovoz_testing.consumers import consuming, handled, private_group, private_topic, produce

S = SubscriptionStatus


@pytest.fixture(scope="module")
def group() -> str:
    return private_group("subscription.access.check")


@pytest.fixture(scope="module")
def topic(infrastructure: Infrastructure, group: str) -> Iterator[str]:
    with private_topic(infrastructure, group) as name:
        yield name


@pytest.fixture(scope="module")
async def consumer(infrastructure: Infrastructure, group: str, topic: str) -> AsyncIterator[str]:
    async with consuming(infrastructure, group, topic, developer_event_handlers(infrastructure)):
        yield group


async def test_the_second_check_is_answered_from_the_cache(infrastructure) -> None:
    now = infrastructure.clock.now()
    user_id = uuid.uuid4()
    put_profile(user_id)
    game_id = await a_game(infrastructure, now)
    plan_id = await a_plan(infrastructure, now, games=(game_id,))
    subscription = await a_subscription(infrastructure, user_id, plan_id, now)

    units = CountingUnitsOfWork(infrastructure)
    first = await check(infrastructure, user_id, game_id, now, units=units)
    assert first.allowed and first.reason is AccessReason.GRANTED
    assert first.subscription_id == subscription.id and first.plan_id == plan_id
    assert first.access_until == subscription.current_period_end
    assert (first.devices_used, first.device_limit) == (1, 3)
    assert units.opened >= 1
    # The first check registered the device and stored the profile: the user's entry was
    # forgotten after that commit, so the second check reads PostgreSQL again and stores it.
    assert await check(infrastructure, user_id, game_id, now, units=units) == first
    opened = units.opened
    for _ in range(3):
        assert await check(infrastructure, user_id, game_id, now, units=units) == first
    assert units.opened == opened  # no unit of work: the cache answered


async def test_a_subscription_state_change_changes_the_next_answer(infrastructure) -> None:
    now = infrastructure.clock.now()
    user_id = uuid.uuid4()
    put_profile(user_id)
    game_id = await a_game(infrastructure, now)
    plan_id = await a_plan(infrastructure, now, games=(game_id,))
    subscription = await a_subscription(infrastructure, user_id, plan_id, now)
    assert (await check(infrastructure, user_id, game_id, now)).allowed
    assert (await check(infrastructure, user_id, game_id, now)).allowed  # cached

    await move(infrastructure, subscription.id, now, S.PENDING_PAYMENT)
    pending = await check(infrastructure, user_id, game_id, now)
    assert pending.allowed and pending.status is S.PENDING_PAYMENT  # access already paid

    await move(infrastructure, subscription.id, now, S.SUSPENDED)
    suspended = await check(infrastructure, user_id, game_id, now)
    assert not suspended.allowed and suspended.reason is AccessReason.SUBSCRIPTION_SUSPENDED

    await move(infrastructure, subscription.id, now, S.EXPIRED)
    expired = await check(infrastructure, user_id, game_id, now)
    assert expired.reason is AccessReason.SUBSCRIPTION_EXPIRED


async def test_a_plan_catalog_change_changes_the_next_answer(infrastructure) -> None:
    now = infrastructure.clock.now()
    user_id = uuid.uuid4()
    put_profile(user_id)
    game_id = await a_game(infrastructure, now)
    plan_id = await a_plan(infrastructure, now)
    await a_subscription(infrastructure, user_id, plan_id, now)
    for _ in range(2):  # the second one from the cache
        denied = await check(infrastructure, user_id, game_id, now)
        assert denied.reason is AccessReason.GAME_NOT_IN_SUBSCRIPTION

    await include(infrastructure, plan_id, game_id, now)
    assert (await check(infrastructure, user_id, game_id, now)).allowed


async def test_an_announced_removal_holds_access_until_its_instant(infrastructure) -> None:
    from parovoz_subscription.plans import service as plans

    now = infrastructure.clock.now()
    user_id = uuid.uuid4()
    put_profile(user_id)
    game_id = await a_game(infrastructure, now)
    plan_id = await a_plan(infrastructure, now, games=(game_id,))
    await a_subscription(infrastructure, user_id, plan_id, now, period_end=timedelta(days=40))
    assert (await check(infrastructure, user_id, game_id, now)).allowed
    settings = infrastructure.settings
    async with subscription_unit_of_work(infrastructure) as uow:
        entry = await plans.remove_from_catalog(
            uow,
            plan_id,
            game_id,
            None,
            settings.plan_rules(),
            now,  # type: ignore[attr-defined]
        )
    removal = entry.removal_effective_at
    assert removal is not None
    still = await check(infrastructure, user_id, game_id, now)
    assert still.allowed and still.access_until == removal
    gone = await check(infrastructure, user_id, game_id, removal)
    assert gone.reason is AccessReason.GAME_NOT_IN_SUBSCRIPTION


async def test_a_game_event_changes_the_next_answer(infrastructure, topic, consumer) -> None:
    now = infrastructure.clock.now()
    user_id = uuid.uuid4()
    put_profile(user_id)
    game_id = await a_game(infrastructure, now - timedelta(minutes=1))
    plan_id = await a_plan(infrastructure, now, games=(game_id,))
    await a_subscription(infrastructure, user_id, plan_id, now)
    assert (await check(infrastructure, user_id, game_id, now)).allowed
    assert (await check(infrastructure, user_id, game_id, now)).allowed  # cached

    data = GameUnpublished.model_validate(
        {
            **GameUnpublished.example_data,
            "game_id": str(game_id),
            "unpublished_at": now.isoformat(),
        }
    )
    event = Event.from_data(data, "/parovoz/developer-portal")
    produce(infrastructure, topic, event)
    await handled(infrastructure, consumer, [event])
    await access_events.settled()
    denied = await check(infrastructure, user_id, game_id, now)
    assert not denied.allowed and denied.reason is AccessReason.GAME_NOT_AVAILABLE


async def test_an_unknown_game_is_not_found_and_remembered_as_such(infrastructure) -> None:
    from parovoz_kit.errors import NotFound

    now = infrastructure.clock.now()
    user_id, game_id = uuid.uuid4(), uuid.uuid4()
    put_profile(user_id)
    units = CountingUnitsOfWork(infrastructure)
    for _ in range(3):
        with pytest.raises(NotFound) as caught:
            await check(infrastructure, user_id, game_id, now, units=units)
        assert caught.value.code == "GAME_NOT_FOUND"
    assert units.opened == 1  # then from the cache (until a game event names it)


async def test_age_and_region_from_the_profile(infrastructure) -> None:
    now = infrastructure.clock.now()
    child, kazakh = uuid.uuid4(), uuid.uuid4()
    put_profile(child, "RU", "2016-01-01")
    put_profile(kazakh, "KZ", "1990-01-01")
    game_id = await a_game(infrastructure, now, age_rating="16+", regions=("RU", "KZ"))
    plan_id = await a_plan(infrastructure, now, games=(game_id,), regions=("RU",))
    await a_subscription(infrastructure, child, plan_id, now)
    await a_subscription(infrastructure, kazakh, plan_id, now)
    assert (await check(infrastructure, child, game_id, now)).reason is (
        AccessReason.AGE_RESTRICTION_VIOLATION
    )
    assert (await check(infrastructure, kazakh, game_id, now)).reason is (
        AccessReason.PLAN_REGION_RESTRICTED
    )
    assert (await check(infrastructure, kazakh, game_id, now, region="RU")).allowed


# --- Redis unreachable ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
async def without_redis() -> AsyncIterator[Infrastructure]:
    settings = SubscriptionSettings(environment="test", redis_url="redis://127.0.0.1:9/2")
    async with open_infrastructure(settings) as infra:
        yield infra


async def test_with_redis_unreachable_answers_stay_correct(without_redis) -> None:
    infrastructure = without_redis
    now = infrastructure.clock.now()
    user_id = uuid.uuid4()
    put_profile(user_id)
    game_id = await a_game(infrastructure, now)  # the commit's forgetting fails quietly
    plan_id = await a_plan(infrastructure, now, games=(game_id,))
    subscription = await a_subscription(infrastructure, user_id, plan_id, now)
    allowed = await check(infrastructure, user_id, game_id, now)
    assert allowed.allowed and allowed.subscription_id == subscription.id
    assert allowed.devices_used == 1
    await move(infrastructure, subscription.id, now, S.PENDING_PAYMENT, S.SUSPENDED)
    denied = await check(infrastructure, user_id, game_id, now)
    assert denied.reason is AccessReason.SUBSCRIPTION_SUSPENDED


# --- devices --------------------------------------------------------------------------------------
async def test_ten_new_devices_at_once_register_exactly_the_limit(infrastructure) -> None:
    now = infrastructure.clock.now()
    user_id = uuid.uuid4()
    put_profile(user_id)
    game_id = await a_game(infrastructure, now)
    plan_id = await a_plan(infrastructure, now, games=(game_id,), max_devices=3)
    await a_subscription(infrastructure, user_id, plan_id, now)

    decisions = await asyncio.gather(
        *(check(infrastructure, user_id, game_id, now, device_id=f"device-{n}") for n in range(10))
    )
    allowed = [d for d in decisions if d.allowed]
    assert len(allowed) == 3
    assert {d.reason for d in decisions if not d.allowed} == {AccessReason.DEVICE_LIMIT_EXCEEDED}
    async with subscription_unit_of_work(infrastructure) as uow:
        registered = await uow.access.registered_ids(user_id)
    assert len(registered) == 3
    for device_id in registered:  # a registered device keeps passing
        assert (await check(infrastructure, user_id, game_id, now, device_id=device_id)).allowed
    eleventh = await check(infrastructure, user_id, game_id, now, device_id="device-11")
    assert eleventh.reason is AccessReason.DEVICE_LIMIT_EXCEEDED
    assert eleventh.devices_used == 3


async def test_a_removed_device_frees_its_slot(infrastructure) -> None:
    from parovoz_subscription.access import service as access

    now = infrastructure.clock.now()
    user_id = uuid.uuid4()
    put_profile(user_id)
    game_id = await a_game(infrastructure, now)
    plan_id = await a_plan(infrastructure, now, games=(game_id,), max_devices=1)
    await a_subscription(infrastructure, user_id, plan_id, now)
    assert (await check(infrastructure, user_id, game_id, now, device_id="old")).allowed
    later = now + timedelta(minutes=1)  # read through PostgreSQL (the registration forgot)
    assert (await check(infrastructure, user_id, game_id, later, device_id="old")).allowed
    async with subscription_unit_of_work(infrastructure) as uow:
        [device] = await access.my_devices(uow, user_id)
    assert (device.device_id, device.first_seen_at, device.last_seen_at) == ("old", now, later)
    full = await check(infrastructure, user_id, game_id, now, device_id="new")
    assert full.reason is AccessReason.DEVICE_LIMIT_EXCEEDED
    async with subscription_unit_of_work(infrastructure) as uow:
        await access.remove_device(uow, user_id, "old", now)
    now_new = await check(infrastructure, user_id, game_id, now, device_id="new")
    assert now_new.allowed and now_new.devices_used == 1
    old_again = await check(infrastructure, user_id, game_id, now, device_id="old")
    assert old_again.reason is AccessReason.DEVICE_LIMIT_EXCEEDED
