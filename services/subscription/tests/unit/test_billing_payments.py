"""billing's money side, unit level: charges (domain), the first payment, card binding, the
history, and payment's gRPC client's translation (receipts, hard declines, payment down)."""

from __future__ import annotations

import sys
import uuid
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

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
from parovoz.common.v1 import money_pb2
from parovoz.payment.v1 import payment_service_pb2 as pb
from parovoz_kit.errors import (
    BusinessRuleViolation,
    NotFound,
    ParovozError,
    Unavailable,
    ValidationFailed,
)
from parovoz_subscription.billing.domain.charges import (
    Charge,
    ChargeKind,
    ChargeStatus,
    PaymentOutcome,
    PaymentPurpose,
    PaymentState,
    charge_id_from_reference,
    charge_reference,
    format_minor,
    is_hard_decline,
)
from parovoz_subscription.billing.domain.periods import period_end
from parovoz_subscription.billing.service.payments import (
    bind_payment_method,
    list_charges,
    start_first_payment,
)
from parovoz_subscription.clients.payment import PaymentClient, outcome_of
from parovoz_subscription.subscriptions.domain import (
    SubscriptionStatus,
    SubscriptionTransitionRefused,
)

S = SubscriptionStatus


def a_charge(**changes: Any) -> Charge:
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "subscription_id": uuid.uuid4(),
        "user_id": uuid.uuid4(),
        "kind": ChargeKind.FIRST,
        "period_start": NOW,
        "period_end": NOW + timedelta(days=31),
        "attempt": 1,
        "amount_minor": 39900,
        "currency": "RUB",
        "status": ChargeStatus.PENDING,
        "idempotency_key": "charge-x",
        "created_at": NOW,
        "payment_id": uuid.uuid4(),
    }
    values.update(changes)
    return Charge(**values)


# --- the charge -------------------------------------------------------------------------------
def test_a_charge_is_matched_only_by_its_own_payment() -> None:
    charge = a_charge()
    assert charge.matches(paid(charge))
    assert not charge.matches(paid(charge, amount_minor=100))
    assert not charge.matches(paid(charge, currency="KZT"))
    assert not charge.matches(paid(charge, user_id=uuid.uuid4()))
    assert not charge.matches(paid(charge, purpose="preorder"))
    assert not charge.matches(paid(charge, payment_id=uuid.uuid4()))


def test_settling_is_final_and_flags_hard_declines() -> None:
    charge = a_charge()
    outcome = PaymentOutcome(
        payment_id=charge.payment_id,
        status=PaymentState.CANCELLED,
        amount_minor=39900,
        currency="RUB",
        decline_code="card_expired",
    )
    assert charge.settle(outcome, NOW)
    assert (charge.status, charge.hard_decline, charge.settled_at) == (
        ChargeStatus.FAILED,
        True,
        NOW,
    )
    assert not charge.settle(paid(charge), NOW), "a failed charge never turns succeeded"
    soft = a_charge()
    soft.settle(replace(outcome, decline_code="insufficient_funds"), NOW)
    assert soft.status is ChargeStatus.FAILED and not soft.hard_decline


@pytest.mark.parametrize(
    ("reason", "hard"),
    [
        ("card_expired", True),
        ("payment_method_unavailable", True),
        ("user_blocked", True),
        ("insufficient_funds", False),
        ("card_declined", False),
        ("provider_error", False),
        (None, False),
    ],
)
def test_hard_declines(reason: str | None, hard: bool) -> None:
    assert is_hard_decline(reason) is hard


def test_refunds_never_exceed_what_was_paid() -> None:
    charge = a_charge(status=ChargeStatus.SUCCEEDED)
    charge.ask_refund(10000)
    assert charge.refundable_minor == 29900
    with pytest.raises(BusinessRuleViolation) as refused:
        charge.ask_refund(29901)
    assert refused.value.code == "REFUND_EXCEEDS_PAID"
    assert "299.00 RUB" in (refused.value.detail_ru or "")
    charge.ask_refund(29900)
    assert charge.refundable_minor == 0
    assert charge.refund_settled(True, NOW) and charge.status is ChargeStatus.REFUNDED
    assert a_charge().refundable_minor == 0, "nothing of an unpaid charge is refundable"


def test_references_round_trip_and_strangers_are_not_ours() -> None:
    charge_id = uuid.uuid4()
    assert charge_id_from_reference(charge_reference(charge_id)) == charge_id
    assert charge_id_from_reference("order:123") is None
    assert charge_id_from_reference("subscription-charge:not-a-uuid") is None
    assert charge_id_from_reference(None) is None
    assert format_minor(100, "RUB") == "1.00 RUB" and format_minor(-5, "RUB") == "-0.05 RUB"


# --- first payment ----------------------------------------------------------------------------
async def test_first_payment_starts_one_pending_charge_and_one_payment() -> None:
    subscription = a_subscription()
    uow, payments = FakeUnitOfWork(subscription), FakePayments()
    started = await start_first_payment(
        uow, payments, subscription, return_url="https://parovoz.example/done"
    )
    (call,) = payments.named("create_payment")
    (charge,) = uow.charges.rows.values()
    assert started.charge_id == charge.id and started.payment_id == charge.payment_id
    assert started.confirmation_url and str(started.payment_id) in started.confirmation_url
    assert (charge.kind, charge.status, charge.attempt) == (
        ChargeKind.FIRST,
        ChargeStatus.PENDING,
        1,
    )
    assert (charge.amount_minor, charge.currency) == (39900, "RUB")
    assert charge.period_end == period_end(NOW, subscription.billing_period, 1, "Europe/Moscow")
    assert call["purpose"] is PaymentPurpose.SUBSCRIPTION and call["save_method"] is True
    assert call["reference"] == charge_reference(charge.id)
    assert call["idempotency_key"] == charge.idempotency_key and len(call["idempotency_key"]) <= 64
    assert (call["amount_minor"], call["user_id"]) == (39900, subscription.user_id)

    again = await start_first_payment(
        uow, payments, subscription, return_url="https://parovoz.example/done"
    )
    assert again.charge_id == charge.id and again.payment_id == charge.payment_id
    assert len(uow.charges.rows) == 1
    keys = {call["idempotency_key"] for call in payments.named("create_payment")}
    assert keys == {charge.idempotency_key}, "a repeat asks payment with the same key"


async def test_first_payment_only_for_an_incomplete_subscription() -> None:
    subscription = a_subscription(S.ACTIVE)
    uow, payments = FakeUnitOfWork(subscription), FakePayments()
    with pytest.raises(SubscriptionTransitionRefused):
        await start_first_payment(uow, payments, subscription, return_url="https://x.example/")
    assert payments.calls == [] and uow.charges.rows == {}


async def test_payment_down_starts_nothing() -> None:
    subscription = a_subscription()
    uow = FakeUnitOfWork(subscription)
    payments = FakePayments(failure=Unavailable("down", code="PAYMENT_UNAVAILABLE"))
    with pytest.raises(Unavailable):
        await start_first_payment(uow, payments, subscription, return_url="https://x.example/")
    assert uow.commits == 0


# --- card binding -----------------------------------------------------------------------------
@pytest.mark.parametrize("status", [S.TRIAL, S.ACTIVE, S.PENDING_PAYMENT, S.SUSPENDED, S.CANCELLED])
async def test_a_card_is_bound_with_a_one_rouble_verification(status: SubscriptionStatus) -> None:
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
    (call,) = payments.named("create_payment")
    assert call["purpose"] is PaymentPurpose.CARD_VERIFICATION and call["save_method"]
    assert (call["amount_minor"], call["currency"]) == (100, "RUB")
    assert call["return_url"] == RULES.payment_return_url
    charge = uow.charges.rows[started.charge_id]
    assert charge.kind is ChargeKind.CARD_CHECK and charge.status is ChargeStatus.PENDING
    assert started.confirmation_url and uow.commits == 1


@pytest.mark.parametrize("status", [S.INCOMPLETE, S.EXPIRED])
async def test_no_card_binding_before_payment_or_after_the_end(status: SubscriptionStatus) -> None:
    subscription = a_subscription(status)
    uow, payments = FakeUnitOfWork(subscription), FakePayments()
    with pytest.raises(BusinessRuleViolation) as refused:
        await bind_payment_method(
            uow,
            payments,
            RULES,
            subscription_id=subscription.id,
            user_id=subscription.user_id,
            return_url=None,
            now=NOW,
        )
    assert refused.value.code == "SUBSCRIPTION_STATUS_CONFLICT" and payments.calls == []


async def test_another_users_subscription_does_not_exist_for_them() -> None:
    subscription = a_subscription(S.ACTIVE)
    uow, payments = FakeUnitOfWork(subscription), FakePayments()
    with pytest.raises(NotFound) as refused:
        await bind_payment_method(
            uow,
            payments,
            RULES,
            subscription_id=subscription.id,
            user_id=uuid.uuid4(),
            return_url=None,
            now=NOW,
        )
    assert refused.value.code == "SUBSCRIPTION_NOT_FOUND"
    with pytest.raises(NotFound):
        await list_charges(uow, subscription.id, uuid.uuid4(), is_admin=False)
    assert await list_charges(uow, subscription.id, uuid.uuid4(), is_admin=True) == []


# --- the gRPC client's translation ------------------------------------------------------------
class _Stub:
    def __init__(self, answer: Any = None, error: Exception | None = None) -> None:
        self.requests: list[Any] = []
        self.answer, self.error = answer, error

    async def _call(self, request: Any) -> Any:
        self.requests.append(request)
        if self.error is not None:
            raise self.error
        return self.answer

    CreatePayment = ChargeSavedMethod = Refund = GetPayment = _call


def client_with(stub: _Stub) -> PaymentClient:
    client = object.__new__(PaymentClient)
    client._stub = stub  # type: ignore[attr-defined]
    return client


def a_payment(**fields: Any) -> pb.Payment:
    values: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "status": pb.PAYMENT_STATUS_PENDING,
        "purpose": pb.PAYMENT_PURPOSE_SUBSCRIPTION,
        "amount": money_pb2.Money(amount_minor=39900, currency="RUB"),
        "user_id": str(uuid.uuid4()),
        "reference": "subscription-charge:x",
        "confirmation_url": "https://sandbox.example/confirm",
    }
    values.update(fields)
    return pb.Payment(**values)


async def test_the_receipt_is_one_service_line_at_vat_22() -> None:
    stub = _Stub(pb.CreatePaymentResponse(payment=a_payment()))
    outcome = await client_with(stub).create_payment(
        purpose=PaymentPurpose.SUBSCRIPTION,
        user_id=uuid.uuid4(),
        amount_minor=39900,
        currency="RUB",
        reference="subscription-charge:x",
        item_name="Подписка",
        region="RU",
        description="Первый период",
        return_url="https://parovoz.example/done",
        save_method=True,
        idempotency_key="charge-1",
    )
    (request,) = stub.requests
    (item,) = request.receipt_items
    assert item.vat_code == pb.VAT_CODE_VAT_22 and item.quantity == 1
    assert item.unit_price.amount_minor == request.amount.amount_minor == 39900
    assert item.payment_subject == pb.PAYMENT_SUBJECT_SERVICE
    assert item.payment_mode == pb.PAYMENT_MODE_FULL_PAYMENT
    assert request.save_method and request.purpose == pb.PAYMENT_PURPOSE_SUBSCRIPTION
    assert outcome.status is PaymentState.PENDING and outcome.confirmation_url


@pytest.mark.parametrize(
    ("reason", "code", "hard"),
    [
        (pb.CANCELLATION_REASON_CARD_EXPIRED, "card_expired", True),
        (pb.CANCELLATION_REASON_PAYMENT_METHOD_UNAVAILABLE, "payment_method_unavailable", True),
        (pb.CANCELLATION_REASON_INSUFFICIENT_FUNDS, "insufficient_funds", False),
    ],
)
def test_cancellation_reasons_map_to_decline_codes(reason: int, code: str, hard: bool) -> None:
    outcome = outcome_of(a_payment(status=pb.PAYMENT_STATUS_CANCELLED, cancellation_reason=reason))
    assert (outcome.status, outcome.decline_code, outcome.hard_decline) == (
        PaymentState.CANCELLED,
        code,
        hard,
    )
    assert outcome.purpose == "subscription"


async def test_a_refused_saved_method_is_a_hard_decline_not_an_error() -> None:
    stub = _Stub(error=NotFound("no such method", code="SAVED_METHOD_NOT_FOUND"))
    outcome = await client_with(stub).charge_saved_method(
        saved_method_id=str(uuid.uuid4()),
        user_id=uuid.uuid4(),
        amount_minor=39900,
        currency="RUB",
        reference="subscription-charge:x",
        item_name="Подписка",
        region="RU",
        description="Продление",
        idempotency_key="renewal-1",
    )
    assert outcome.status is PaymentState.CANCELLED and outcome.hard_decline
    assert outcome.payment_id is None


@pytest.mark.parametrize(
    "error",
    [
        Unavailable("down", code="PEER_UNAVAILABLE"),
        ValidationFailed("bad request", code="INVALID_AMOUNT"),
        ParovozError("boom"),
    ],
)
async def test_payment_down_or_refusing_our_request_is_payment_unavailable(
    error: Exception,
) -> None:
    with pytest.raises(Unavailable) as raised:
        await client_with(_Stub(error=error)).get_payment(uuid.uuid4())
    assert raised.value.code == "PAYMENT_UNAVAILABLE" and raised.value.http_status == 503


async def test_a_business_refusal_of_payment_keeps_its_code() -> None:
    refusal = BusinessRuleViolation("blocked", code="PAYMENT_NOT_REFUNDABLE")
    with pytest.raises(BusinessRuleViolation) as raised:
        await client_with(_Stub(error=refusal)).refund(
            payment_id=uuid.uuid4(),
            amount_minor=100,
            currency="RUB",
            idempotency_key="k",
            requested_by="u",
        )
    assert raised.value.code == "PAYMENT_NOT_REFUNDABLE"
