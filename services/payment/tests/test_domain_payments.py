"""Payment state machine, the 1-hour expiry, providers' vocabulary, and starting a payment."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import get_args

import pytest
from parovoz_events import payment as events
from parovoz_kit.errors import BusinessRuleViolation, ValidationFailed
from parovoz_payment.domain.methods import MethodChoice, PaymentMethod, Provider
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_creation import PaymentRules, start_payment
from parovoz_payment.domain.payment_vocabulary import (
    CancellationReason,
    PaymentPurpose,
    PaymentStatus,
    cancellation_reason_from_provider,
    status_from_provider,
)
from parovoz_payment.domain.payments import Payment
from parovoz_payment.domain.refunds import RefundReason

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=5)
S = PaymentStatus


def rub(minor: int) -> Money:
    return Money(minor, "RUB")


def a_payment(status: PaymentStatus = S.PENDING, **changes: object) -> Payment:
    payment = start_payment(
        user_id=uuid.uuid4(),
        purpose=PaymentPurpose.SUBSCRIPTION,
        amount=rub(39_900),
        region="RU",
        now=NOW,
        choice=MethodChoice(method=PaymentMethod.BANK_CARD),
        reference="subscription:1:period:1",
    )
    return replace(payment, status=status, **changes)


# PRODUCT.md "Payment states", written out here rather than read from the module under test.
EXPECTED = {
    S.PENDING: {S.WAITING_FOR_CAPTURE, S.SUCCEEDED, S.CANCELLED, S.ON_HOLD},
    S.WAITING_FOR_CAPTURE: {S.SUCCEEDED, S.CANCELLED},
    S.ON_HOLD: {S.PENDING, S.SUCCEEDED, S.CANCELLED},
    S.SUCCEEDED: set(),
    S.CANCELLED: set(),
}
PAIRS = list(itertools.product(PaymentStatus, PaymentStatus))


@pytest.mark.parametrize(("source", "target"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_transition_table(source: PaymentStatus, target: PaymentStatus) -> None:
    payment = a_payment(source)
    reason = CancellationReason.PROVIDER_ERROR
    if source is target:
        assert payment.transition_to(target, LATER, reason=reason) is payment
    elif target in EXPECTED[source]:
        moved = payment.transition_to(target, LATER, reason=reason)
        assert moved.status is target
        assert moved.updated_at == LATER
        assert payment.status is source  # the original is untouched
    else:
        with pytest.raises(BusinessRuleViolation) as error:
            payment.transition_to(target, LATER, reason=reason)
        assert error.value.code == "ILLEGAL_PAYMENT_TRANSITION"


def test_succeeded_then_cancelled_is_refused_but_a_repeated_success_is_a_no_op() -> None:
    paid = a_payment().succeed(LATER)
    assert paid.succeed(LATER + timedelta(seconds=1)) is paid
    with pytest.raises(BusinessRuleViolation) as error:
        paid.cancel(CancellationReason.PROVIDER_ERROR, LATER)
    assert error.value.code == "ILLEGAL_PAYMENT_TRANSITION"


def test_a_repeated_cancellation_keeps_the_first_reason() -> None:
    cancelled = a_payment().cancel(CancellationReason.INSUFFICIENT_FUNDS, LATER)
    again = cancelled.cancel(CancellationReason.PROVIDER_ERROR, LATER)
    assert again is cancelled
    assert again.cancellation_reason is CancellationReason.INSUFFICIENT_FUNDS


def test_cancelling_needs_a_reason() -> None:
    with pytest.raises(ValueError, match="reason"):
        a_payment().transition_to(S.CANCELLED, LATER)


def test_success_captures_the_whole_amount_by_default() -> None:
    paid = a_payment().succeed(LATER)
    assert paid.captured_amount == rub(39_900)
    assert paid.succeeded_at == LATER
    assert paid.refundable_amount == rub(39_900)


def test_a_two_step_payment_may_capture_part_of_the_amount() -> None:
    paid = a_payment().authorize(LATER).succeed(LATER, captured=rub(10_000))
    assert paid.captured_amount == rub(10_000)


@pytest.mark.parametrize("captured", [0, -1, 39_901])
def test_capture_outside_zero_to_amount_is_refused(captured: int) -> None:
    with pytest.raises(BusinessRuleViolation) as error:
        a_payment().succeed(LATER, captured=rub(captured))
    assert error.value.code == "INVALID_CAPTURE_AMOUNT"


def test_capture_at_exactly_the_amount_is_accepted() -> None:
    assert a_payment().succeed(LATER, captured=rub(39_900)).captured_amount == rub(39_900)


def test_hold_and_release() -> None:
    held = a_payment().hold(LATER)
    assert held.status is S.ON_HOLD
    assert held.release_hold(LATER).status is S.PENDING
    with pytest.raises(BusinessRuleViolation):
        a_payment().release_hold(LATER)


# --- the 1-hour rule --------------------------------------------------------------------------
def test_pending_payment_expires_exactly_one_hour_after_creation() -> None:
    payment = a_payment()
    assert payment.expires_at == NOW + timedelta(hours=1)
    just_before = NOW + timedelta(hours=1) - timedelta(microseconds=1)
    assert payment.expire_if_due(just_before) is payment
    expired = payment.expire_if_due(NOW + timedelta(hours=1))
    assert expired.status is S.CANCELLED
    assert expired.cancellation_reason is CancellationReason.EXPIRED_ON_CONFIRMATION


@pytest.mark.parametrize("status", [S.ON_HOLD, S.WAITING_FOR_CAPTURE, S.SUCCEEDED, S.CANCELLED])
def test_only_pending_payments_expire(status: PaymentStatus) -> None:
    payment = a_payment(status)
    assert payment.expire_if_due(NOW + timedelta(days=3)) is payment


def test_confirmation_timeout_is_a_rule() -> None:
    payment = start_payment(
        user_id=uuid.uuid4(),
        purpose=PaymentPurpose.DONATION,
        amount=rub(5_000),
        region="RU",
        now=NOW,
        rules=PaymentRules(confirmation_timeout=timedelta(minutes=15)),
    )
    assert payment.expires_at == NOW + timedelta(minutes=15)


# --- providers' words --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("canceled", S.CANCELLED),
        ("CANCELED", S.CANCELLED),
        ("cancelled", S.CANCELLED),
        ("pending", S.PENDING),
        ("waiting_for_capture", S.WAITING_FOR_CAPTURE),
        ("succeeded", S.SUCCEEDED),
    ],
)
def test_provider_status_spelling(raw: str, status: PaymentStatus) -> None:
    assert status_from_provider(raw) is status


@pytest.mark.parametrize("raw", ["refunded", "on_hold", ""])
def test_unknown_provider_status_is_refused(raw: str) -> None:
    with pytest.raises(ValidationFailed) as error:
        status_from_provider(raw)
    assert error.value.code == "UNKNOWN_PROVIDER_STATUS"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("3d_secure_failed", CancellationReason.THREE_D_SECURE_FAILED),
        ("call_issuer", CancellationReason.CARD_DECLINED),
        ("canceled_by_merchant", CancellationReason.CANCELLED_BY_PLATFORM),
        ("card_expired", CancellationReason.CARD_EXPIRED),
        ("insufficient_funds", CancellationReason.INSUFFICIENT_FUNDS),
        ("fraud_suspected", CancellationReason.FRAUD_SUSPECTED),
        ("expired_on_confirmation", CancellationReason.EXPIRED_ON_CONFIRMATION),
        ("payment_method_restricted", CancellationReason.PAYMENT_METHOD_UNAVAILABLE),
        ("permission_revoked", CancellationReason.PAYMENT_METHOD_UNAVAILABLE),
        ("issuer_unavailable", CancellationReason.PROVIDER_ERROR),
        ("cancelled_by_user", CancellationReason.CANCELLED_BY_USER),
        ("something_new", CancellationReason.PROVIDER_ERROR),
        (None, CancellationReason.PROVIDER_ERROR),
    ],
)
def test_provider_cancellation_reasons(raw: str | None, reason: CancellationReason) -> None:
    assert cancellation_reason_from_provider(raw) is reason


def test_provider_report_maps_spelling_and_reason() -> None:
    cancelled = a_payment().apply_provider_status("canceled", LATER, reason="call_issuer")
    assert cancelled.status is S.CANCELLED
    assert cancelled.cancellation_reason is CancellationReason.CARD_DECLINED


def test_duplicate_and_stale_provider_reports_change_nothing() -> None:
    paid = a_payment().apply_provider_status("succeeded", LATER)
    assert paid.apply_provider_status("succeeded", LATER) is paid
    assert paid.apply_provider_status("pending", LATER) is paid
    assert paid.apply_provider_status("waiting_for_capture", LATER) is paid
    with pytest.raises(BusinessRuleViolation) as error:
        paid.apply_provider_status("canceled", LATER, reason="general_decline")
    assert error.value.code == "ILLEGAL_PAYMENT_TRANSITION"


def test_a_held_payment_waits_for_a_decision_not_for_a_pending_report() -> None:
    held = a_payment().hold(LATER)
    assert held.apply_provider_status("pending", LATER) is held
    assert held.apply_provider_status("succeeded", LATER).status is S.SUCCEEDED


def test_out_of_order_authorization_after_capture_is_ignored() -> None:
    authorized = a_payment().apply_provider_status("waiting_for_capture", LATER)
    paid = authorized.apply_provider_status(S.SUCCEEDED, LATER)
    assert paid.apply_provider_status("waiting_for_capture", LATER) is paid


# --- facts learned on the way ------------------------------------------------------------------
def test_provider_is_assigned_once() -> None:
    at_yookassa = a_payment().assign_provider(Provider.YOOKASSA, "2f1a-yk", LATER)
    assert at_yookassa.assign_provider(Provider.YOOKASSA, "2f1a-yk", LATER) is at_yookassa
    with pytest.raises(BusinessRuleViolation) as error:
        at_yookassa.assign_provider(Provider.TBANK, "991", LATER)
    assert error.value.code == "PROVIDER_ALREADY_ASSIGNED"


def test_wallet_only_payment_never_goes_to_a_provider() -> None:
    payment = a_payment(wallet_amount=rub(39_900), method=PaymentMethod.WALLET)
    with pytest.raises(BusinessRuleViolation) as error:
        payment.assign_provider(Provider.YOOKASSA, "x", LATER)
    assert error.value.code == "WALLET_NEEDS_NO_PROVIDER"


def test_method_chosen_at_the_provider_is_learned_once() -> None:
    unchosen = a_payment(method=None)
    chosen = unchosen.learn_method(PaymentMethod.SBP, LATER)
    assert chosen.method is PaymentMethod.SBP
    assert chosen.learn_method(PaymentMethod.BANK_CARD, LATER) is chosen


def test_refunds_accumulate_up_to_the_captured_amount() -> None:
    paid = a_payment().succeed(LATER)
    once = paid.record_refund(rub(39_000), LATER)
    twice = once.record_refund(rub(900), LATER)
    assert twice.refunded_amount == rub(39_900)
    assert twice.refundable_amount == rub(0)
    with pytest.raises(BusinessRuleViolation) as error:
        once.record_refund(rub(901), LATER)
    assert error.value.code == "REFUND_EXCEEDS_CAPTURED"


def test_an_unpaid_payment_records_no_refund() -> None:
    with pytest.raises(BusinessRuleViolation) as error:
        a_payment().record_refund(rub(1), LATER)
    assert error.value.code == "PAYMENT_NOT_REFUNDABLE"


def test_payment_refuses_inconsistent_amounts() -> None:
    with pytest.raises(ValueError, match="currency"):
        a_payment(wallet_amount=Money(0, "USD"))
    with pytest.raises(ValueError, match="order"):
        a_payment(wallet_amount=rub(39_901))


def test_vocabularies_match_the_event_schemas() -> None:
    # The events are the published contract; the domain's enums must speak exactly its words.
    assert {p.value for p in PaymentPurpose} == set(get_args(events.PaymentPurpose))
    assert {r.value for r in CancellationReason} == set(get_args(events.CancellationReason))
    assert {m.value for m in PaymentMethod} == set(get_args(events.PaymentMethodType))
    assert {r.value for r in RefundReason} == set(get_args(events.RefundReason))
