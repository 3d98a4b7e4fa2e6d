"""Refunds (billing.service.payments.refund_subscription), unit level: the owner's whole first
payment within 14 days (the subscription ends), an admin's any charge and amount, the keys."""

from __future__ import annotations

import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from billing_payments_support import (
    NOW,
    RULES,
    FakePayments,
    FakeUnitOfWork,
    a_subscription,
    paid,
)
from parovoz_events.subscription import SubscriptionExpired
from parovoz_kit.errors import BusinessRuleViolation, NotFound, Unavailable
from parovoz_subscription.billing.domain.charges import Charge, ChargeKind, ChargeStatus
from parovoz_subscription.billing.service.payments import (
    refund_key,
    refund_subscription,
    start_first_payment,
)
from parovoz_subscription.billing.service.settlements import payment_settled
from parovoz_subscription.subscriptions.domain import Subscription, SubscriptionStatus

S = SubscriptionStatus


async def paid_subscription() -> tuple[FakeUnitOfWork, FakePayments, Subscription, Charge]:
    subscription = a_subscription()
    uow, payments = FakeUnitOfWork(subscription), FakePayments()
    started = await start_first_payment(uow, payments, subscription, return_url="https://x.ru/")
    charge = uow.charges.rows[started.charge_id]
    await payment_settled(uow, payments, paid(charge, at=NOW), NOW)
    uow.events.clear()
    uow.changed_users.clear()
    return uow, payments, uow.subscriptions.rows[subscription.id], uow.charges.rows[charge.id]


async def refund(
    uow: FakeUnitOfWork,
    payments: FakePayments,
    subscription: Subscription,
    *,
    after: timedelta,
    actor: uuid.UUID | None = None,
    is_admin: bool = False,
    key: str = "request-1",
    **options: object,
):
    return await refund_subscription(
        uow,
        payments,
        RULES,
        subscription_id=subscription.id,
        actor_id=actor or subscription.user_id,
        is_admin=is_admin,
        request_key=key,
        now=NOW + after,
        **options,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("after", [timedelta(minutes=1), timedelta(days=14)])
async def test_the_owner_gets_the_whole_first_payment_back_and_the_subscription_ends(
    after: timedelta,
) -> None:
    uow, payments, subscription, charge = await paid_subscription()
    done = await refund(uow, payments, subscription, after=after)
    (call,) = payments.named("refund")
    assert (call["payment_id"], call["amount_minor"], call["currency"]) == (
        charge.payment_id,
        39900,
        "RUB",
    )
    assert call["idempotency_key"] == refund_key(charge.id, "request-1")
    assert call["requested_by"] == str(subscription.user_id)
    ended = uow.subscriptions.rows[subscription.id]
    assert ended.status is S.EXPIRED and ended.ended_at == NOW + after
    assert not ended.grants_access_at(NOW + after)
    (event,) = uow.events
    assert isinstance(event, SubscriptionExpired) and event.previous_status == "active"
    assert uow.changed_users == {subscription.user_id}
    assert done.subscription.status is S.EXPIRED and done.refund.amount_minor == 39900
    assert uow.charges.rows[charge.id].refundable_minor == 0


async def test_after_14_days_the_owner_gets_nothing_back() -> None:
    uow, payments, subscription, _ = await paid_subscription()
    with pytest.raises(BusinessRuleViolation) as refused:
        await refund(uow, payments, subscription, after=timedelta(days=14, seconds=1))
    assert refused.value.code == "REFUND_WINDOW_CLOSED"
    assert payments.calls[-1][0] == "create_payment", "payment was never asked"
    assert uow.subscriptions.rows[subscription.id].status is S.ACTIVE and uow.events == []


async def test_nothing_paid_nothing_refunded_and_twice_is_refused() -> None:
    subscription = a_subscription(S.TRIAL)
    uow, payments = FakeUnitOfWork(subscription), FakePayments()
    with pytest.raises(BusinessRuleViolation) as refused:
        await refund(uow, payments, subscription, after=timedelta(days=1))
    assert refused.value.code == "NOTHING_TO_REFUND"

    uow, payments, subscription, _ = await paid_subscription()
    await refund(uow, payments, subscription, after=timedelta(days=1))
    with pytest.raises(BusinessRuleViolation) as again:
        await refund(uow, payments, subscription, after=timedelta(days=1), key="request-2")
    assert again.value.code == "NOTHING_TO_REFUND"
    assert len(payments.named("refund")) == 1


async def test_a_stranger_sees_no_subscription() -> None:
    uow, payments, subscription, _ = await paid_subscription()
    with pytest.raises(NotFound):
        await refund(uow, payments, subscription, after=timedelta(days=1), actor=uuid.uuid4())
    assert payments.named("refund") == []


async def test_an_admin_refunds_part_of_a_charge_and_keeps_the_subscription() -> None:
    uow, payments, subscription, charge = await paid_subscription()
    admin = uuid.uuid4()
    # long after the owner's window: an admin is not bound by it
    late = timedelta(days=20)
    done = await refund(
        uow, payments, subscription, after=late, actor=admin, is_admin=True, amount_minor=10000
    )
    assert done.subscription.status is S.ACTIVE and uow.events == []
    assert payments.named("refund")[-1]["amount_minor"] == 10000
    with pytest.raises(BusinessRuleViolation) as refused:
        await refund(
            uow,
            payments,
            subscription,
            after=late,
            actor=admin,
            is_admin=True,
            key="request-2",
            charge_id=charge.id,
            amount_minor=29901,
        )
    assert refused.value.code == "REFUND_EXCEEDS_PAID"
    done = await refund(
        uow,
        payments,
        subscription,
        after=late,
        actor=admin,
        is_admin=True,
        key="request-3",
        end_subscription=True,
    )
    assert payments.named("refund")[-1]["amount_minor"] == 29900, "the rest by default"
    assert done.subscription.status is S.EXPIRED
    assert [type(event) for event in uow.events] == [SubscriptionExpired]


async def test_an_admin_names_a_charge_of_this_subscription_only() -> None:
    uow, payments, subscription, _ = await paid_subscription()
    with pytest.raises(NotFound) as missing:
        await refund(
            uow,
            payments,
            subscription,
            after=timedelta(days=1),
            actor=uuid.uuid4(),
            is_admin=True,
            charge_id=uuid.uuid4(),
        )
    assert missing.value.code == "CHARGE_NOT_FOUND"


async def test_payment_down_refunds_nothing_and_changes_nothing() -> None:
    uow, payments, subscription, charge = await paid_subscription()
    payments.failure = Unavailable("down", code="PAYMENT_UNAVAILABLE")
    with pytest.raises(Unavailable):
        await refund(uow, payments, subscription, after=timedelta(days=1))
    assert uow.charges.rows[charge.id].refundable_minor == 39900
    assert uow.subscriptions.rows[subscription.id].status is S.ACTIVE


def test_refund_keys_are_per_charge_and_request() -> None:
    charge_id = uuid.uuid4()
    key = refund_key(charge_id, "abc")
    assert key == refund_key(charge_id, "abc") and len(key) <= 64
    assert key != refund_key(charge_id, "abd") and key != refund_key(uuid.uuid4(), "abc")


async def test_a_converted_trial_is_refunded_like_a_first_payment() -> None:
    """A trial converts with a renewal charge (the renewals job's): that is its first payment."""
    subscription = a_subscription(S.ACTIVE)
    uow, payments = FakeUnitOfWork(subscription), FakePayments()
    conversion = Charge(
        id=uuid.uuid4(),
        subscription_id=subscription.id,
        user_id=subscription.user_id,
        kind=ChargeKind.RENEWAL,
        period_start=NOW,
        period_end=NOW + timedelta(days=31),
        attempt=1,
        amount_minor=39900,
        currency="RUB",
        status=ChargeStatus.SUCCEEDED,
        idempotency_key="renewal-1",
        created_at=NOW,
        payment_id=uuid.uuid4(),
        settled_at=NOW,
    )
    await uow.charges.add(conversion)
    with pytest.raises(BusinessRuleViolation) as closed:
        await refund(uow, payments, subscription, after=timedelta(days=15))
    assert closed.value.code == "REFUND_WINDOW_CLOSED"
    done = await refund(uow, payments, subscription, after=timedelta(days=3))
    assert done.charge.id == conversion.id and done.subscription.status is S.EXPIRED
    assert payments.named("refund")[-1]["payment_id"] == conversion.payment_id
