"""What payment's outcomes do (billing.service.settlements), unit level: a first payment
activates with its period from the payment; a forged or foreign payment never does; a cancelled
one expires the subscription; a card check stores the card; late payments are given back."""

from __future__ import annotations

import sys
import uuid
from dataclasses import replace
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
    cancelled,
    paid,
)
from parovoz_events.subscription import SubscriptionActivated, SubscriptionExpired
from parovoz_subscription.billing.domain.charges import (
    Charge,
    ChargeKind,
    ChargeStatus,
    PaymentState,
)
from parovoz_subscription.billing.domain.periods import period_end
from parovoz_subscription.billing.service import settlements
from parovoz_subscription.billing.service.payments import (
    bind_payment_method,
    start_first_payment,
)
from parovoz_subscription.billing.service.settlements import (
    payment_settled,
    reconcile_pending,
    refund_settled,
)
from parovoz_subscription.subscriptions.domain import Subscription, SubscriptionStatus

S = SubscriptionStatus
PAID_AT = NOW + timedelta(minutes=3)
METHOD = "7d5c2b1e-6a0f-4e51-8a7d-3c9b1e2f4a60"


async def first_charge(
    status: SubscriptionStatus = S.INCOMPLETE,
) -> tuple[FakeUnitOfWork, FakePayments, Subscription, Charge]:
    subscription = a_subscription(status=S.INCOMPLETE)
    uow, payments = FakeUnitOfWork(subscription), FakePayments()
    started = await start_first_payment(uow, payments, subscription, return_url="https://x.ru/")
    if status is not S.INCOMPLETE:
        stored = uow.subscriptions.rows[subscription.id]
        stored.status = status
    return uow, payments, subscription, uow.charges.rows[started.charge_id]


async def test_the_first_payment_activates_with_its_period_from_the_payment() -> None:
    uow, payments, subscription, charge = await first_charge()
    result = await payment_settled(uow, payments, paid(charge, at=PAID_AT), NOW)
    active = uow.subscriptions.rows[subscription.id]
    end = period_end(PAID_AT, active.billing_period, 1, active.time_zone)
    assert active.status is S.ACTIVE and "active" in result
    assert (active.anchor_at, active.current_period_start, active.current_period_end) == (
        PAID_AT,
        PAID_AT,
        end,
    )
    assert active.saved_method_id == METHOD and active.auto_renew
    settled = uow.charges.rows[charge.id]
    assert settled.status is ChargeStatus.SUCCEEDED
    assert (settled.period_start, settled.period_end) == (PAID_AT, end)
    (event,) = uow.events
    assert isinstance(event, SubscriptionActivated)
    assert (event.status, event.payment_id, event.price.amount_minor) == (
        "active",
        charge.payment_id,
        39900,
    )
    assert event.current_period_end == end
    assert uow.changed_users == {subscription.user_id}


async def test_the_same_payment_reported_twice_activates_once() -> None:
    uow, payments, _, charge = await first_charge()
    await payment_settled(uow, payments, paid(charge), NOW)
    again = await payment_settled(uow, payments, paid(charge), NOW + timedelta(seconds=5))
    assert "already settled" in again
    assert uow.event_types() == [SubscriptionActivated.event_type]


@pytest.mark.parametrize(
    "forged",
    [
        {"amount_minor": 100},  # a 399.00 RUB period "paid" with 1.00 RUB
        {"currency": "KZT"},
        {"user_id": uuid.uuid4()},  # someone else's payment
        {"purpose": "game_purchase"},
        {"payment_id": uuid.uuid4()},  # another payment naming our charge
    ],
)
async def test_a_payment_that_does_not_match_its_charge_activates_nothing(forged: dict) -> None:
    uow, payments, subscription, charge = await first_charge()
    result = await payment_settled(uow, payments, paid(charge, **forged), NOW)
    assert result == "ignored: mismatch"
    assert uow.subscriptions.rows[subscription.id].status is S.INCOMPLETE
    assert uow.charges.rows[charge.id].status is ChargeStatus.PENDING
    assert uow.events == [] and payments.named("refund") == []


async def test_a_payment_of_no_charge_of_ours_is_ignored() -> None:
    uow, payments, subscription, charge = await first_charge()
    for reference in ("order:1", f"subscription-charge:{uuid.uuid4()}", None):
        result = await payment_settled(uow, payments, paid(charge, reference=reference), NOW)
        assert result.startswith("ignored")
    assert uow.subscriptions.rows[subscription.id].status is S.INCOMPLETE


async def test_a_cancelled_first_payment_expires_the_subscription() -> None:
    uow, payments, subscription, charge = await first_charge()
    await payment_settled(uow, payments, cancelled(charge, "expired_on_confirmation"), NOW)
    expired = uow.subscriptions.rows[subscription.id]
    assert expired.status is S.EXPIRED and expired.ended_at == NOW
    failed = uow.charges.rows[charge.id]
    assert (failed.status, failed.decline_code) == (ChargeStatus.FAILED, "expired_on_confirmation")
    (event,) = uow.events
    assert isinstance(event, SubscriptionExpired) and event.previous_status == "incomplete"
    assert uow.changed_users == {subscription.user_id}


async def test_a_payment_arriving_after_the_subscription_ended_is_given_back() -> None:
    uow, payments, subscription, charge = await first_charge(status=S.EXPIRED)
    await payment_settled(uow, payments, paid(charge), NOW)
    (refund,) = payments.named("refund")
    assert (refund["payment_id"], refund["amount_minor"]) == (charge.payment_id, 39900)
    assert uow.subscriptions.rows[subscription.id].status is S.EXPIRED
    assert uow.charges.rows[charge.id].refundable_minor == 0
    assert uow.events == []


async def card_check(status: SubscriptionStatus) -> tuple[FakeUnitOfWork, FakePayments, Charge]:
    subscription = a_subscription(status)
    uow, payments = FakeUnitOfWork(subscription), FakePayments()
    started = await bind_payment_method(
        uow,
        payments,
        RULES,
        subscription_id=subscription.id,
        user_id=subscription.user_id,
        return_url=None,
        now=NOW,
    )
    return uow, payments, uow.charges.rows[started.charge_id]


async def test_a_released_card_verification_binds_the_card() -> None:
    uow, payments, charge = await card_check(S.TRIAL)
    # payment cancels the authorization itself once the card is saved: nothing was charged.
    outcome = cancelled(charge, "cancelled_by_platform", saved_method_id=METHOD)
    assert await payment_settled(uow, payments, outcome, NOW) == "card bound"
    (subscription,) = uow.subscriptions.rows.values()
    assert subscription.saved_method_id == METHOD and subscription.status is S.TRIAL
    stored = uow.charges.rows[charge.id]
    assert stored.status is ChargeStatus.REFUNDED and stored.refundable_minor == 0
    assert payments.named("refund") == [] and uow.events == []


async def test_a_captured_card_verification_is_refunded() -> None:
    uow, payments, charge = await card_check(S.ACTIVE)
    await payment_settled(uow, payments, paid(charge, saved_method_id=METHOD), NOW)
    (refund,) = payments.named("refund")
    assert (refund["amount_minor"], refund["currency"]) == (100, "RUB")
    (subscription,) = uow.subscriptions.rows.values()
    assert subscription.saved_method_id == METHOD


async def test_a_failed_card_verification_keeps_the_old_card() -> None:
    uow, payments, charge = await card_check(S.ACTIVE)
    (subscription,) = uow.subscriptions.rows.values()
    subscription.saved_method_id = "old"
    await payment_settled(uow, payments, cancelled(charge, "three_d_secure_failed"), NOW)
    assert uow.subscriptions.rows[subscription.id].saved_method_id == "old"
    assert uow.charges.rows[charge.id].status is ChargeStatus.FAILED


async def test_a_late_renewal_outcome_goes_to_renewals(monkeypatch: pytest.MonkeyPatch) -> None:
    subscription = a_subscription(S.PENDING_PAYMENT)
    uow, payments = FakeUnitOfWork(subscription), FakePayments()
    charge = Charge(
        id=uuid.uuid4(),
        subscription_id=subscription.id,
        user_id=subscription.user_id,
        kind=ChargeKind.RENEWAL,
        period_start=NOW,
        period_end=NOW + timedelta(days=30),
        attempt=2,
        amount_minor=39900,
        currency="RUB",
        status=ChargeStatus.PENDING,
        idempotency_key="renewal-x",
        created_at=NOW,
        payment_id=uuid.uuid4(),
    )
    await uow.charges.add(charge)
    handed: list[tuple[Charge, PaymentState]] = []

    async def charge_settled(uow_: object, charge_: Charge, outcome: object) -> None:
        handed.append((charge_, outcome.status))  # type: ignore[attr-defined]

    monkeypatch.setattr(settlements, "_renewals_hook", lambda: charge_settled)
    await payment_settled(uow, payments, paid(charge), NOW)
    assert [(c.id, status) for c, status in handed] == [(charge.id, PaymentState.SUCCEEDED)]

    monkeypatch.setattr(settlements, "_renewals_hook", lambda: None)
    await payment_settled(uow, payments, paid(charge), NOW)
    assert uow.charges.rows[charge.id].status is ChargeStatus.SUCCEEDED


async def test_refund_outcomes_settle_the_charge() -> None:
    uow, payments, _, charge = await first_charge()
    await payment_settled(uow, payments, paid(charge), NOW)
    stored = uow.charges.rows[charge.id]
    stored.ask_refund(39900)
    assert stored.payment_id is not None
    failed = await refund_settled(
        uow,
        payment_id=stored.payment_id,
        reference=stored.reference,
        amount_minor=39900,
        succeeded=False,
        fully_refunded=False,
        now=NOW,
    )
    assert "failed" in failed and uow.charges.rows[charge.id].refundable_minor == 39900
    other = await refund_settled(
        uow,
        payment_id=uuid.uuid4(),
        reference=stored.reference,
        amount_minor=39900,
        succeeded=True,
        fully_refunded=True,
        now=NOW,
    )
    assert other == "ignored: mismatch"
    assert uow.charges.rows[charge.id].status is ChargeStatus.SUCCEEDED
    await refund_settled(
        uow,
        payment_id=stored.payment_id,
        reference=stored.reference,
        amount_minor=39900,
        succeeded=True,
        fully_refunded=True,
        now=NOW,
    )
    assert uow.charges.rows[charge.id].status is ChargeStatus.REFUNDED


async def test_a_lost_event_is_made_up_for_by_asking_payment() -> None:
    uow, payments, subscription, charge = await first_charge()
    assert charge.payment_id is not None
    payments.payments[charge.payment_id] = replace(
        paid(charge, at=PAID_AT), status=PaymentState.PENDING, succeeded_at=None
    )
    assert await reconcile_pending(uow, payments, charge.id, NOW) == "still pending"
    assert uow.subscriptions.rows[subscription.id].status is S.INCOMPLETE

    payments.payments[charge.payment_id] = paid(charge, at=PAID_AT)
    await reconcile_pending(uow, payments, charge.id, NOW)
    active = uow.subscriptions.rows[subscription.id]
    assert active.status is S.ACTIVE and active.current_period_start == PAID_AT
    assert uow.event_types() == [SubscriptionActivated.event_type]
    # once settled, neither a late event nor another reconciliation changes anything
    assert await reconcile_pending(uow, payments, charge.id, NOW) == "ignored: nothing pending"
    await payment_settled(uow, payments, paid(charge, at=PAID_AT), NOW)
    assert uow.event_types() == [SubscriptionActivated.event_type]


async def test_reconciliation_keeps_the_checks_of_an_event() -> None:
    uow, payments, subscription, charge = await first_charge()
    assert charge.payment_id is not None
    payments.payments[charge.payment_id] = paid(charge, amount_minor=100)
    assert await reconcile_pending(uow, payments, charge.id, NOW) == "ignored: mismatch"
    assert uow.subscriptions.rows[subscription.id].status is S.INCOMPLETE
