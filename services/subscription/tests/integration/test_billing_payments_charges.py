"""The charges table on the real PostgreSQL: one row per attempt of a period, and the issue's
database rule — at most one succeeded first/renewal charge per (subscription, period start) —
holding even for two transactions that race to settle two attempts of the same period."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from parovoz_kit.errors import Conflict
from parovoz_kit.infrastructure import Infrastructure
from parovoz_subscription.billing.domain.charges import (
    Charge,
    ChargeKind,
    ChargeStatus,
    PaymentOutcome,
    PaymentState,
)
from parovoz_subscription.unit_of_work import subscription_unit_of_work

START = datetime(2026, 1, 31, 9, 0, tzinfo=UTC)


def attempt(
    subscription_id: uuid.UUID, number: int, kind: ChargeKind = ChargeKind.RENEWAL
) -> Charge:
    charge_id = uuid.uuid4()
    return Charge(
        id=charge_id,
        subscription_id=subscription_id,
        user_id=uuid.uuid4(),
        kind=kind,
        period_start=START,
        period_end=START + timedelta(days=29),
        attempt=number,
        amount_minor=39900,
        currency="RUB",
        status=ChargeStatus.PENDING,
        idempotency_key=f"charge-{charge_id}",
        created_at=START,
        payment_id=uuid.uuid4(),
    )


def success(charge: Charge) -> PaymentOutcome:
    return PaymentOutcome(
        payment_id=charge.payment_id,
        status=PaymentState.SUCCEEDED,
        amount_minor=charge.amount_minor,
        currency=charge.currency,
    )


async def store(infrastructure: Infrastructure, *charges: Charge) -> None:
    async with subscription_unit_of_work(infrastructure) as uow:
        for charge in charges:
            await uow.charges.add(charge)
        await uow.commit()


async def settle(infrastructure: Infrastructure, charge: Charge, pause: float = 0) -> None:
    async with subscription_unit_of_work(infrastructure) as uow:
        stored = await uow.charges.get_for_update(charge.id)
        assert stored is not None
        stored.settle(success(stored), START)
        await uow.charges.save(stored)
        await asyncio.sleep(pause)
        await uow.commit()


async def test_the_same_attempt_of_a_period_is_stored_once(infrastructure: Infrastructure) -> None:
    subscription_id = uuid.uuid4()
    first = attempt(subscription_id, 1)
    await store(infrastructure, first)
    with pytest.raises(Conflict) as twice:
        await store(infrastructure, attempt(subscription_id, 1))
    assert twice.value.code == "CHARGE_ALREADY_EXISTS"
    async with subscription_unit_of_work(infrastructure) as uow:
        found = await uow.charges.add_once(attempt(subscription_id, 1))
        await uow.commit()
    assert found.id == first.id, "a second run finds the first run's charge"
    async with subscription_unit_of_work(infrastructure) as uow:
        assert [c.id for c in await uow.charges.for_period(subscription_id, START)] == [first.id]


async def test_a_period_is_paid_once_whatever_the_attempts(infrastructure: Infrastructure) -> None:
    subscription_id = uuid.uuid4()
    one, two = attempt(subscription_id, 1), attempt(subscription_id, 2)
    upgrade = attempt(subscription_id, 1, ChargeKind.UPGRADE)
    await store(infrastructure, one, two, upgrade)
    await settle(infrastructure, one)
    with pytest.raises(Conflict) as refused:
        await settle(infrastructure, two)
    assert refused.value.code == "PERIOD_ALREADY_PAID"
    await settle(infrastructure, upgrade)  # an upgrade's difference is not the period's price
    async with subscription_unit_of_work(infrastructure) as uow:
        stored = {c.id: c.status for c in await uow.charges.for_period(subscription_id, START)}
    assert stored == {
        one.id: ChargeStatus.SUCCEEDED,
        two.id: ChargeStatus.PENDING,
        upgrade.id: ChargeStatus.SUCCEEDED,
    }


async def test_two_racing_settlements_pay_a_period_once(infrastructure: Infrastructure) -> None:
    subscription_id = uuid.uuid4()
    one, two = attempt(subscription_id, 1), attempt(subscription_id, 2)
    await store(infrastructure, one, two)
    results = await asyncio.gather(
        settle(infrastructure, one, pause=0.3),
        settle(infrastructure, two, pause=0.3),
        return_exceptions=True,
    )
    refused = [result for result in results if isinstance(result, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], Conflict)
    async with subscription_unit_of_work(infrastructure) as uow:
        statuses = [c.status for c in await uow.charges.for_period(subscription_id, START)]
    assert statuses.count(ChargeStatus.SUCCEEDED) == 1
