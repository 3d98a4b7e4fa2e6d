"""Support of billing's money-side integration tests: subscriptions written through
SqlSubscriptions, first payments started through the real payment (gRPC), confirmations paid at
the provider sandbox, payment's own events read from payment's outbox (to feed them through our
consumer on a private topic), and reads of our charges, subscriptions and outbox."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import datetime
from typing import Any

import httpx
import psycopg
from parovoz_kit.events import Event
from parovoz_kit.infrastructure import Infrastructure
from parovoz_subscription.billing.domain.charges import Charge, PaymentOutcome, PaymentState
from parovoz_subscription.billing.service.payments import ChargeStarted, start_first_payment
from parovoz_subscription.clients.payment import payment_client
from parovoz_subscription.subscriptions.domain import (
    BillingPeriod,
    PlanType,
    Subscription,
    SubscriptionStatus,
)
from parovoz_subscription.unit_of_work import subscription_unit_of_work
from parovoz_testing.platform import DATABASES
from sqlalchemy import text

S = SubscriptionStatus
RETURN_URL = "https://parovoz.example/subscriptions/done"


def an_incomplete(
    now: datetime, *, price_minor: int = 39900, plan_type: PlanType = PlanType.PREMIUM
) -> Subscription:
    """A paid subscription waiting for its first payment, of a fresh user."""
    return Subscription(
        id=uuid.uuid4(),
        user_id=uuid.uuid4(),
        plan_id=uuid.uuid4(),
        plan_type=plan_type,
        billing_period=BillingPeriod.MONTHLY,
        region="RU",
        currency="RUB",
        price_minor=price_minor,
        status=S.INCOMPLETE,
        auto_renew=True,
        time_zone="Europe/Moscow",
        anchor_at=now,
        current_period_start=now,
        current_period_end=now,
        created_at=now,
        updated_at=now,
    )


async def subscribe(
    infrastructure: Infrastructure, **options: Any
) -> tuple[Subscription, ChargeStarted]:
    """Store an incomplete subscription and start its first payment at payment, as the
    subscriptions use case does (one transaction)."""
    subscription = an_incomplete(infrastructure.clock.now(), **options)
    async with subscription_unit_of_work(infrastructure) as uow:
        await uow.subscriptions.add(subscription)
        started = await start_first_payment(
            uow, payment_client(infrastructure), subscription, return_url=RETURN_URL
        )
        await uow.commit()
    assert started.payment_id and started.confirmation_url
    return subscription, started


async def confirm(confirmation_url: str) -> None:
    """The user confirms at the provider sandbox's page."""
    async with httpx.AsyncClient() as http:
        answer = await http.get(confirmation_url, follow_redirects=False)
    assert answer.status_code == 303, answer.text


async def payment_reaches(
    infrastructure: Infrastructure, payment_id: uuid.UUID, status: PaymentState
) -> PaymentOutcome:
    client = payment_client(infrastructure)
    for _ in range(150):
        payment = await client.get_payment(payment_id)
        if payment.status is status:
            return payment
        await asyncio.sleep(0.2)
    raise AssertionError(f"payment {payment_id} never became {status.value}")


async def payments_event(payment_id: uuid.UUID, event_type: str) -> Event:
    """payment's own event about ``payment_id``, as payment's relay sends it."""
    for _ in range(150):
        async with await psycopg.AsyncConnection.connect(DATABASES["payment"]) as connection:
            cursor = await connection.execute(
                "SELECT key, headers, payload FROM outbox WHERE key = %s AND type = %s "
                "ORDER BY seq",
                (str(payment_id), event_type),
            )
            row = await cursor.fetchone()
        if row is not None:
            key, headers, payload = row
            return Event.from_kafka(
                key,
                json.dumps(payload).encode(),
                [(name, str(value).encode()) for name, value in headers.items()],
            )
        await asyncio.sleep(0.2)
    raise AssertionError(f"payment never emitted {event_type} for {payment_id}")


async def read(infrastructure: Infrastructure, subscription_id: uuid.UUID) -> Subscription:
    async with subscription_unit_of_work(infrastructure) as uow:
        found = await uow.subscriptions.get(subscription_id)
    assert found is not None
    return found


async def charge(infrastructure: Infrastructure, charge_id: uuid.UUID) -> Charge:
    async with subscription_unit_of_work(infrastructure) as uow:
        found = await uow.charges.get(charge_id)
    assert found is not None
    return found


async def our_events(infrastructure: Infrastructure, subscription_id: uuid.UUID) -> list[str]:
    """Types of the subscription's events in our outbox, oldest first."""
    async with infrastructure.engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT type FROM outbox WHERE key = :key ORDER BY seq"),
            {"key": str(subscription_id)},
        )
        return [kind for (kind,) in rows]
