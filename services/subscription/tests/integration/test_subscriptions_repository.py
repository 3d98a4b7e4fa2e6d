"""SqlSubscriptions on the real database: a subscription reads back field for field, one LIVE
subscription per (user, plan type) is the database's rule (also against a concurrent insert),
``save`` is optimistic, ``get_for_update`` locks, ``of_user`` pages newest first by keyset."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from parovoz_kit.errors import Conflict
from parovoz_kit.infrastructure import Infrastructure
from parovoz_subscription.subscriptions.domain import (
    BillingPeriod,
    PlanType,
    Position,
    Subscription,
    SubscriptionStatus,
)
from parovoz_subscription.unit_of_work import subscription_unit_of_work

S = SubscriptionStatus
T0 = datetime(2026, 3, 31, 21, 0, tzinfo=UTC)


def a_subscription(
    user_id: uuid.UUID,
    status: SubscriptionStatus = S.ACTIVE,
    plan_type: PlanType = PlanType.PREMIUM,
    created_at: datetime = T0,
) -> Subscription:
    return Subscription(
        id=uuid.uuid4(),
        user_id=user_id,
        plan_id=uuid.uuid4(),
        plan_type=plan_type,
        billing_period=BillingPeriod.QUARTERLY,
        region="RU",
        currency="RUB",
        price_minor=99900,
        status=status,
        auto_renew=True,
        time_zone="Asia/Yekaterinburg",
        anchor_at=created_at,
        current_period_start=created_at,
        current_period_end=created_at + timedelta(days=91),
        created_at=created_at,
        updated_at=created_at,
    )


async def add(infrastructure: Infrastructure, *subs: Subscription) -> None:
    async with subscription_unit_of_work(infrastructure) as uow:
        for sub in subs:
            await uow.subscriptions.add(sub)
        await uow.commit()


async def test_a_subscription_reads_back_field_for_field(infrastructure: Infrastructure) -> None:
    sub = a_subscription(uuid.uuid4(), S.PENDING_PAYMENT)
    sub.trial_end_at = T0 - timedelta(days=14)
    sub.grace_until = T0 + timedelta(days=100)
    sub.saved_method_id = "pm-" + uuid.uuid4().hex
    sub.scheduled_plan_id = uuid.uuid4()
    sub.scheduled_billing_period = BillingPeriod.MONTHLY
    sub.cancellation_reason = "Слишком дорого"
    await add(infrastructure, sub)
    async with subscription_unit_of_work(infrastructure) as uow:
        assert await uow.subscriptions.get(sub.id) == sub
        assert await uow.subscriptions.get_for_update(sub.id) == sub
        assert await uow.subscriptions.get(uuid.uuid4()) is None


@pytest.mark.parametrize("live", sorted(set(S) - {S.EXPIRED}), ids=str)
async def test_a_second_live_subscription_of_a_plan_type_is_refused(
    infrastructure: Infrastructure, live: SubscriptionStatus
) -> None:
    user = uuid.uuid4()
    await add(infrastructure, a_subscription(user, live))
    with pytest.raises(Conflict) as refused:
        await add(infrastructure, a_subscription(user, S.TRIAL))
    assert refused.value.code == "SUBSCRIPTION_ALREADY_EXISTS"
    # Another plan type, an expired one, or another user: all fine.
    await add(
        infrastructure,
        a_subscription(user, S.ACTIVE, PlanType.BASIC),
        a_subscription(user, S.EXPIRED),
        a_subscription(user, S.EXPIRED),
        a_subscription(uuid.uuid4(), S.ACTIVE),
    )


async def test_two_concurrent_creations_one_wins(infrastructure: Infrastructure) -> None:
    user = uuid.uuid4()
    results = await asyncio.gather(
        *(add(infrastructure, a_subscription(user, S.INCOMPLETE)) for _ in range(4)),
        return_exceptions=True,
    )
    assert sum(result is None for result in results) == 1
    assert all(
        isinstance(result, Conflict) and result.code == "SUBSCRIPTION_ALREADY_EXISTS"
        for result in results
        if result is not None
    )
    async with subscription_unit_of_work(infrastructure) as uow:
        assert len(await uow.subscriptions.live_of_user(user)) == 1


async def test_save_is_optimistic(infrastructure: Infrastructure) -> None:
    sub = a_subscription(uuid.uuid4())
    await add(infrastructure, sub)
    async with subscription_unit_of_work(infrastructure) as first:
        mine = await first.subscriptions.get(sub.id)
        async with subscription_unit_of_work(infrastructure) as second:
            theirs = await second.subscriptions.get(sub.id)
            assert theirs is not None
            theirs.move(S.CANCELLED, T0 + timedelta(days=1))
            await second.subscriptions.save(theirs)
            await second.commit()
            assert theirs.version == 1
        assert mine is not None
        mine.move(S.PENDING_PAYMENT, T0 + timedelta(days=2))
        with pytest.raises(Conflict) as lost:
            await first.subscriptions.save(mine)
        assert lost.value.code == "SUBSCRIPTION_CHANGED_CONCURRENTLY"
    async with subscription_unit_of_work(infrastructure) as uow:
        stored = await uow.subscriptions.get(sub.id)
    assert stored == theirs
    assert stored is not None and stored.status is S.CANCELLED and stored.version == 1


async def test_saving_into_a_second_live_one_is_refused(infrastructure: Infrastructure) -> None:
    user = uuid.uuid4()
    old, new = a_subscription(user, S.EXPIRED), a_subscription(user, S.ACTIVE)
    await add(infrastructure, old, new)
    async with subscription_unit_of_work(infrastructure) as uow:
        revived = await uow.subscriptions.get(old.id)
        assert revived is not None
        revived.status = S.ACTIVE  # no move allows it; the database refuses it anyway
        with pytest.raises(Conflict) as refused:
            await uow.subscriptions.save(revived)
    assert refused.value.code == "SUBSCRIPTION_ALREADY_EXISTS"


async def test_get_for_update_holds_the_row(infrastructure: Infrastructure) -> None:
    sub = a_subscription(uuid.uuid4())
    await add(infrastructure, sub)
    locked_now = asyncio.Event()
    seen: list[SubscriptionStatus] = []

    async def locker() -> None:
        async with subscription_unit_of_work(infrastructure) as uow:
            locked = await uow.subscriptions.get_for_update(sub.id)
            assert locked is not None
            locked_now.set()
            await asyncio.sleep(0.3)
            locked.move(S.CANCELLED, T0)
            await uow.subscriptions.save(locked)
            await uow.commit()

    async def waiter() -> None:
        await locked_now.wait()
        async with subscription_unit_of_work(infrastructure) as uow:
            read = await uow.subscriptions.get_for_update(sub.id)
            assert read is not None
            seen.append(read.status)

    await asyncio.gather(locker(), waiter())
    # Without the lock the second reader would have read the row before the change: active.
    assert seen == [S.CANCELLED]


async def test_of_user_pages_newest_first_with_a_status_filter(
    infrastructure: Infrastructure,
) -> None:
    user = uuid.uuid4()
    same_moment = T0 + timedelta(days=1)
    subs = [
        a_subscription(user, S.EXPIRED, created_at=T0 + timedelta(hours=hour)) for hour in range(5)
    ] + [
        a_subscription(user, S.EXPIRED, created_at=same_moment),
        a_subscription(user, S.EXPIRED, created_at=same_moment),
        a_subscription(user, S.ACTIVE, created_at=T0 + timedelta(days=2)),
    ]
    await add(infrastructure, *subs, a_subscription(uuid.uuid4()))
    expected = sorted(subs, key=lambda sub: (sub.created_at, sub.id), reverse=True)

    seen: list[Subscription] = []
    after: Position | None = None
    async with subscription_unit_of_work(infrastructure) as uow:
        while True:
            page = await uow.subscriptions.of_user(user, after=after, limit=3)
            seen += page
            if len(page) < 3:
                break
            after = Position.of_cursor(Position.after(page[-1]).cursor())
        only_active = await uow.subscriptions.of_user(user, statuses=[S.ACTIVE, S.TRIAL])
        live = await uow.subscriptions.live_of_user(user)
    assert [sub.id for sub in seen] == [sub.id for sub in expected]
    assert [sub.id for sub in only_active] == [subs[-1].id] == [sub.id for sub in live]


def test_the_dataclass_and_the_table_have_the_same_fields() -> None:
    from parovoz_subscription.subscriptions.repository import subscriptions

    assert {field.name for field in dataclasses.fields(Subscription)} == set(
        subscriptions.columns.keys()
    )
