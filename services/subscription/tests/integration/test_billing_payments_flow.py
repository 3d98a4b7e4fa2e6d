"""The first payment end to end on the real engines: a subscription's first payment is created at
the running payment (gRPC ``CreatePayment``), paid at the provider sandbox, and payment's own
``payment.payment.succeeded.v1`` is fed through our consumer (the kit's IdempotentConsumer on a
private topic): the subscription becomes active from the payment. A forged event (another
amount, another user) activates nothing; a card is bound with a real 1.00 RUB verification."""

from __future__ import annotations

import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from parovoz_events.payment import PaymentCancelled, PaymentSucceeded
from parovoz_kit.events import Event
from parovoz_kit.infrastructure import Infrastructure
from parovoz_subscription.billing.domain.charges import ChargeKind, ChargeStatus, PaymentState
from parovoz_subscription.billing.domain.periods import period_end
from parovoz_subscription.billing.events import payment_event_handlers
from parovoz_subscription.billing.service.settlements import reconcile_pending
from parovoz_subscription.clients.payment import payment_client
from parovoz_subscription.unit_of_work import subscription_unit_of_work
from parovoz_testing.consumers import consuming, handled, private_group, private_topic, produce
from parovoz_testing.tokens import auth

sys.path.insert(0, str(Path(__file__).parent))
from billing_flow_support import (
    RETURN_URL,
    charge,
    confirm,
    our_events,
    payment_reaches,
    payments_event,
    read,
    subscribe,
)

PREFIX = "/api/v1/subscriptions"
S_ACTIVE, S_INCOMPLETE, S_EXPIRED = "active", "incomplete", "expired"


@pytest.fixture(scope="module")
def group() -> str:
    return private_group("subscription.payment.events.v1")


@pytest.fixture(scope="module")
def topic(infrastructure: Infrastructure, group: str) -> Iterator[str]:
    with private_topic(infrastructure, group) as name:
        yield name


@pytest.fixture(scope="module")
async def consumer(infrastructure: Infrastructure, group: str, topic: str) -> AsyncIterator[str]:
    async with consuming(infrastructure, group, topic, payment_event_handlers(infrastructure)):
        yield group


async def feed(infrastructure: Infrastructure, topic: str, group: str, *events: Event) -> None:
    produce(infrastructure, topic, *events)
    await handled(infrastructure, group, list(events))


async def test_a_paid_first_payment_activates_the_subscription(
    infrastructure: Infrastructure, topic: str, consumer: str
) -> None:
    subscription, started = await subscribe(infrastructure)
    assert started.payment_id is not None and started.confirmation_url
    assert (await read(infrastructure, subscription.id)).status.value == S_INCOMPLETE

    await confirm(started.confirmation_url)
    payment = await payment_reaches(infrastructure, started.payment_id, PaymentState.SUCCEEDED)
    assert (
        payment.amount_minor == 39900
        and payment.reference == f"subscription-charge:{started.charge_id}"
    )
    event = await payments_event(started.payment_id, PaymentSucceeded.event_type)
    await feed(infrastructure, topic, consumer, event)

    active = await read(infrastructure, subscription.id)
    paid_at = payment.succeeded_at
    assert paid_at is not None
    assert active.status.value == S_ACTIVE
    assert active.current_period_start == paid_at == active.anchor_at
    assert active.current_period_end == period_end(
        paid_at, active.billing_period, 1, active.time_zone
    )
    assert active.saved_method_id == payment.saved_method_id and active.saved_method_id
    assert active.grants_access_at(paid_at + timedelta(days=1))
    first = await charge(infrastructure, started.charge_id)
    assert (first.kind, first.status, first.payment_id) == (
        ChargeKind.FIRST,
        ChargeStatus.SUCCEEDED,
        started.payment_id,
    )
    assert (await our_events(infrastructure, subscription.id)).count(
        "subscription.subscription.activated.v1"
    ) == 1

    # the same event again (a redelivery, or another copy of it): nothing more happens
    again = Event.from_data(
        PaymentSucceeded.model_validate(event.data), "/parovoz/payment", time=event.time
    )
    await feed(infrastructure, topic, consumer, again)
    assert (await read(infrastructure, subscription.id)).version == active.version
    assert (await our_events(infrastructure, subscription.id)).count(
        "subscription.subscription.activated.v1"
    ) == 1


async def test_a_forged_payment_activates_nothing(
    infrastructure: Infrastructure, topic: str, consumer: str
) -> None:
    """ "A 500.00 RUB preorder was paid off with 1.00 RUB": an event naming our charge with
    another amount, or another user's payment, never activates."""
    subscription, started = await subscribe(infrastructure, price_minor=50000)
    real = PaymentSucceeded.example_data
    common = {
        **real,
        "payment_id": str(started.payment_id),
        "user_id": str(subscription.user_id),
        "purpose": "subscription",
        "reference": f"subscription-charge:{started.charge_id}",
        "game_id": None,
        "amount": {"amount_minor": 50000, "currency": "RUB"},
        "wallet_amount": {"amount_minor": 0, "currency": "RUB"},
    }
    forged = [
        {**common, "amount": {"amount_minor": 100, "currency": "RUB"}},
        {**common, "user_id": str(uuid.uuid4())},
        {**common, "payment_id": str(uuid.uuid4())},
    ]
    events = [
        Event.from_data(PaymentSucceeded.model_validate(data), "/parovoz/payment")
        for data in forged
    ]
    await feed(infrastructure, topic, consumer, *events)
    still = await read(infrastructure, subscription.id)
    assert still.status.value == S_INCOMPLETE and not still.grants_access_at(
        infrastructure.clock.now()
    )
    assert (await charge(infrastructure, started.charge_id)).status is ChargeStatus.PENDING
    assert await our_events(infrastructure, subscription.id) == []


async def test_a_cancelled_first_payment_expires_the_subscription(
    infrastructure: Infrastructure, topic: str, consumer: str
) -> None:
    subscription, started = await subscribe(infrastructure)
    cancelled = Event.from_data(
        PaymentCancelled.model_validate(
            {
                **PaymentCancelled.example_data,
                "payment_id": str(started.payment_id),
                "user_id": str(subscription.user_id),
                "reference": f"subscription-charge:{started.charge_id}",
                "amount": {"amount_minor": 39900, "currency": "RUB"},
                "saved_method_id": None,
                "metadata": {},
                "method_type": None,
                "cancellation_reason": "expired_on_confirmation",
            }
        ),
        "/parovoz/payment",
    )
    await feed(infrastructure, topic, consumer, cancelled)
    assert (await read(infrastructure, subscription.id)).status.value == S_EXPIRED
    failed = await charge(infrastructure, started.charge_id)
    assert failed.status is ChargeStatus.FAILED
    assert failed.decline_code == "expired_on_confirmation" and not failed.hard_decline
    assert await our_events(infrastructure, subscription.id) == [
        "subscription.subscription.expired.v1"
    ]


async def test_a_card_is_bound_through_a_real_verification(
    infrastructure: Infrastructure, client, topic: str, consumer: str
) -> None:
    subscription, started = await subscribe(infrastructure)
    await confirm(started.confirmation_url or "")
    await payment_reaches(infrastructure, started.payment_id, PaymentState.SUCCEEDED)  # type: ignore[arg-type]
    await feed(
        infrastructure,
        topic,
        consumer,
        await payments_event(started.payment_id, PaymentSucceeded.event_type),  # type: ignore[arg-type]
    )
    first_method = (await read(infrastructure, subscription.id)).saved_method_id

    stranger = await client.post(
        f"{PREFIX}/{subscription.id}/payment-method", headers=auth(uuid.uuid4())
    )
    assert stranger.status_code == 404, stranger.text
    assert stranger.json()["errors"][0]["code"] == "SUBSCRIPTION_NOT_FOUND"

    answer = await client.post(
        f"{PREFIX}/{subscription.id}/payment-method",
        headers=auth(subscription.user_id),
        json={"data": {"type": "paymentMethodBinding", "attributes": {"return_url": RETURN_URL}}},
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    confirmation_url = body["meta"]["confirmation_url"]
    check = body["data"]["attributes"]
    assert check["kind"] == "card_check" and check["status"] == "pending"
    assert check["amount"] == {"amount_minor": 100, "currency": "RUB"}
    payment_id = uuid.UUID(check["payment_id"])

    await confirm(confirmation_url)
    # payment releases the 1.00 RUB itself once the card is saved: the payment ends cancelled
    released = await payment_reaches(infrastructure, payment_id, PaymentState.CANCELLED)
    assert released.saved_method_id and released.decline_code == "cancelled_by_platform"
    await feed(
        infrastructure,
        topic,
        consumer,
        await payments_event(payment_id, PaymentCancelled.event_type),
    )
    bound = await read(infrastructure, subscription.id)
    assert bound.saved_method_id == released.saved_method_id
    assert bound.status.value == S_ACTIVE
    assert first_method  # the first payment had saved one too; the new card replaced it

    history = await client.get(
        f"{PREFIX}/{subscription.id}/charges", headers=auth(subscription.user_id)
    )
    assert history.status_code == 200, history.text
    kinds = [(c["attributes"]["kind"], c["attributes"]["status"]) for c in history.json()["data"]]
    assert kinds == [("card_check", "refunded"), ("first", "succeeded")]
    hidden = await client.get(f"{PREFIX}/{subscription.id}/charges", headers=auth(uuid.uuid4()))
    assert hidden.status_code == 404
    admin = await client.get(
        f"{PREFIX}/{subscription.id}/charges", headers=auth(uuid.uuid4(), ["admin"])
    )
    assert admin.status_code == 200 and len(admin.json()["data"]) == 2


async def test_a_lost_event_is_made_up_for_by_asking_payment(
    infrastructure: Infrastructure,
) -> None:
    """No event fed at all: asking payment (GetPayment) settles the charge the same way."""
    subscription, started = await subscribe(infrastructure)
    assert started.payment_id and started.confirmation_url
    async with subscription_unit_of_work(infrastructure) as uow:
        result = await reconcile_pending(
            uow, payment_client(infrastructure), started.charge_id, infrastructure.clock.now()
        )
    assert result == "still pending"
    await confirm(started.confirmation_url)
    paid = await payment_reaches(infrastructure, started.payment_id, PaymentState.SUCCEEDED)
    async with subscription_unit_of_work(infrastructure) as uow:
        await reconcile_pending(
            uow, payment_client(infrastructure), started.charge_id, infrastructure.clock.now()
        )
        await uow.commit()
    active = await read(infrastructure, subscription.id)
    assert active.status.value == S_ACTIVE and active.current_period_start == paid.succeeded_at
    assert (await charge(infrastructure, started.charge_id)).status is ChargeStatus.SUCCEEDED
