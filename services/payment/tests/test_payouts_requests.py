"""payment taking ``developer.payout.requested.v1`` on the real engines: the money held (or a
``failed`` answer with nothing held), one payout per request however often the event comes —
both in the handler's transaction and through the broker to the running payment service."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from confluent_kafka import Producer
from parovoz_events.developer import PayoutRequested
from parovoz_kit.clock import ManualClock
from parovoz_kit.events import Event
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.domain.ledger import AccountPurpose
from parovoz_payment.domain.payouts import PayoutStatus
from parovoz_payment.jobs.ledger_check import check_ledger
from parovoz_payment.use_cases.payouts import accept_payout_request

# The payout test helpers live beside this file (the suite imports in importlib mode).
from payouts_support import (
    audit_actions,
    balance,
    eventually,
    payout_of,
    request_for,
    seed_available,
    seed_owed,
    status_events,
)
from sqlalchemy import text

MINIMUM = 100_000
AVAILABLE = AccountPurpose.DEVELOPER_PAYABLE_AVAILABLE
HOLD = AccountPurpose.DEVELOPER_PAYOUT_HOLD
RECEIVABLE = AccountPurpose.DEVELOPER_RECEIVABLE


def clock() -> ManualClock:
    # A day ahead: the running service's own payouts job never takes this test's payouts.
    return ManualClock(datetime.now(UTC) + timedelta(days=1))


async def take(infrastructure: Infrastructure, request) -> None:
    async with infrastructure.session_factory.begin() as session:
        await accept_payout_request(session, clock(), infrastructure.source, request, MINIMUM)


async def test_an_affordable_request_holds_the_money_and_says_processing(
    infrastructure: Infrastructure,
) -> None:
    developer_id = uuid.uuid4()
    await seed_available(infrastructure, developer_id, 300_000)
    request = request_for(developer_id, uuid.uuid4(), 150_000)

    await take(infrastructure, request)

    payout = await payout_of(infrastructure, request)
    assert payout is not None and payout.status is PayoutStatus.PROCESSING
    assert await balance(infrastructure, developer_id, AVAILABLE) == 150_000
    assert await balance(infrastructure, developer_id, HOLD) == 150_000
    [event] = await status_events(infrastructure, developer_id)
    assert event.new_status == "processing" and event.failure_reason_code is None
    assert event.payment_service_transaction_id == payout.id
    assert event.payout_request_id == request.payout_request_id
    assert event.amount.amount_minor == 150_000
    assert await audit_actions(infrastructure, payout.id) == ["payout.held"]


async def test_the_same_request_twice_is_one_payout_and_one_hold(
    infrastructure: Infrastructure,
) -> None:
    developer_id = uuid.uuid4()
    await seed_available(infrastructure, developer_id, 300_000)
    request = request_for(developer_id, uuid.uuid4(), 150_000)

    await take(infrastructure, request)
    await take(infrastructure, request)  # another event id, the same payout request

    assert await balance(infrastructure, developer_id, HOLD) == 150_000
    assert [e.new_status for e in await status_events(infrastructure, developer_id)] == [
        "processing"
    ]


async def test_below_the_minimum_fails_with_nothing_held(infrastructure: Infrastructure) -> None:
    developer_id = uuid.uuid4()
    await seed_available(infrastructure, developer_id, 300_000)
    request = request_for(developer_id, uuid.uuid4(), MINIMUM - 1)

    await take(infrastructure, request)

    payout = await payout_of(infrastructure, request)
    assert payout is not None and payout.status is PayoutStatus.FAILED
    [event] = await status_events(infrastructure, developer_id)
    assert (event.new_status, event.failure_reason_code) == ("failed", "below_minimum")
    assert event.failure_reason_message
    assert await balance(infrastructure, developer_id, AVAILABLE) == 300_000
    assert await balance(infrastructure, developer_id, HOLD) == 0
    assert await audit_actions(infrastructure, payout.id) == ["payout.refused"]


async def test_more_than_available_fails_with_nothing_held(infrastructure: Infrastructure) -> None:
    developer_id = uuid.uuid4()
    await seed_available(infrastructure, developer_id, 120_000)
    request = request_for(developer_id, uuid.uuid4(), 120_001)

    await take(infrastructure, request)

    [event] = await status_events(infrastructure, developer_id)
    assert (event.new_status, event.failure_reason_code) == ("failed", "insufficient_balance")
    assert await balance(infrastructure, developer_id, AVAILABLE) == 120_000
    assert await balance(infrastructure, developer_id, HOLD) == 0


async def test_what_the_developer_owes_is_not_withdrawn(infrastructure: Infrastructure) -> None:
    developer_id = uuid.uuid4()
    await seed_available(infrastructure, developer_id, 300_000)
    # A share taken back after it was paid out: 1,000.00 owed, netted against new revenue.
    await seed_owed(infrastructure, developer_id, 100_000)

    await take(infrastructure, request_for(developer_id, uuid.uuid4(), 200_001))
    await take(infrastructure, request_for(developer_id, uuid.uuid4(), 200_000))

    events = await status_events(infrastructure, developer_id)
    assert [(e.new_status, e.failure_reason_code) for e in events] == [
        ("failed", "insufficient_balance"),
        ("processing", None),
    ]
    assert await balance(infrastructure, developer_id, HOLD) == 200_000
    assert await balance(infrastructure, developer_id, AVAILABLE) == 100_000
    assert await balance(infrastructure, developer_id, RECEIVABLE) == -100_000
    async with infrastructure.session_factory() as session:
        report = await check_ledger(session)
    assert report.ok, report.render()


async def test_two_requests_cannot_spend_the_same_balance(infrastructure: Infrastructure) -> None:
    developer_id = uuid.uuid4()
    await seed_available(infrastructure, developer_id, 200_000)

    await take(infrastructure, request_for(developer_id, uuid.uuid4(), 150_000))
    await take(infrastructure, request_for(developer_id, uuid.uuid4(), 150_000))

    statuses = [e.new_status for e in await status_events(infrastructure, developer_id)]
    assert statuses == ["processing", "failed"]
    assert await balance(infrastructure, developer_id, HOLD) == 150_000
    assert await balance(infrastructure, developer_id, AVAILABLE) == 50_000


def _publish(data: PayoutRequested, event_id: uuid.UUID) -> None:
    record = Event.from_data(data, "/parovoz/developer-portal", event_id=event_id).to_kafka()
    producer = Producer({"bootstrap.servers": "127.0.0.1:59092", "enable.idempotence": True})
    producer.produce(
        "developer.events.v1",
        key=record.key,
        value=record.value,
        headers=[(name, value.encode()) for name, value in record.headers.items()],
    )
    assert producer.flush(10) == 0


async def test_a_redelivered_event_through_the_broker_is_one_payout(
    infrastructure: Infrastructure,
) -> None:
    """The running payment service consumes the real topic: the same event twice (inbox) and
    the same request under a new event id (unique payout request) leave one payout."""
    developer_id = uuid.uuid4()
    request = request_for(developer_id, uuid.uuid4(), 150_000)  # no balance: fails at once
    data = PayoutRequested(
        developer_id=developer_id,
        payout_request_id=request.payout_request_id,
        amount={"amount_minor": 150_000, "currency": "RUB"},
        payout_method_id=request.payout_method_id,
        trigger="on_request",
        requested_at=request.requested_at,
        requested_by_user_id=request.requested_by_user_id,
    )
    first, second = uuid.uuid4(), uuid.uuid4()
    for event_id in (first, first, second):
        _publish(data, event_id)

    async def both_processed() -> bool:
        async with infrastructure.session_factory() as session:
            found = await session.execute(
                text("SELECT count(*) FROM inbox WHERE event_id IN (:a, :b)"),
                {"a": first, "b": second},
            )
            return found.scalar_one() == 2

    await eventually(both_processed, within=30)
    events = await status_events(infrastructure, developer_id)
    assert [(e.new_status, e.failure_reason_code) for e in events] == [
        ("failed", "insufficient_balance")
    ]
    async with infrastructure.session_factory() as session:
        count = await session.execute(
            text("SELECT count(*) FROM developer_payouts WHERE payout_request_id = :id"),
            {"id": request.payout_request_id},
        )
        assert count.scalar_one() == 1
