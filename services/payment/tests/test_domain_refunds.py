"""Refunds: amounts, automatic vs review, destinations and the wallet cap, the state machine."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from parovoz_kit.errors import BusinessRuleViolation, ValidationFailed
from parovoz_payment.domain.methods import PaymentMethod
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose, PaymentStatus
from parovoz_payment.domain.payments import Payment
from parovoz_payment.domain.refunds import (
    Refund,
    RefundDestination,
    RefundReason,
    RefundRules,
    RefundStatus,
    ReviewDecision,
    plan_refund,
)
from parovoz_payment.domain.wallet import Wallet, WalletRules

PAID_AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
NOW = PAID_AT + timedelta(days=2)
USER = uuid.uuid4()
ORIGINAL, WALLET = RefundDestination.ORIGINAL_METHOD, RefundDestination.WALLET


def rub(minor: int) -> Money:
    return Money(minor, "RUB")


def paid(
    amount: int = 100_000,
    wallet_part: int = 0,
    purpose: PaymentPurpose = PaymentPurpose.GAME_PURCHASE,
    refunded: int = 0,
    status: PaymentStatus = PaymentStatus.SUCCEEDED,
) -> Payment:
    return Payment(
        id=uuid.uuid4(),
        user_id=USER,
        purpose=purpose,
        reference=None,
        amount=rub(amount),
        wallet_amount=rub(wallet_part),
        method=PaymentMethod.BANK_CARD,
        status=status,
        region="RU",
        created_at=PAID_AT - timedelta(minutes=1),
        updated_at=PAID_AT,
        expires_at=PAID_AT + timedelta(hours=1),
        captured_amount=rub(amount if status is PaymentStatus.SUCCEEDED else 0),
        refunded_amount=rub(refunded),
        game_id=uuid.uuid4() if purpose is PaymentPurpose.GAME_PURCHASE else None,
        succeeded_at=PAID_AT if status is PaymentStatus.SUCCEEDED else None,
    )


def purse(balance: int = 0) -> Wallet:
    rules = WalletRules(
        min_top_up=10_000, max_top_up=1_500_000, balance_cap=6_000_000, currency="RUB"
    )
    return Wallet(USER, rub(balance), rules)


def plan(payment: Payment, amount: int | None = None, **options: object) -> Refund:
    options.setdefault("reason", RefundReason.CUSTOMER_REQUEST)
    options.setdefault("wallet", purse())
    return plan_refund(payment, None if amount is None else rub(amount), NOW, **options)  # type: ignore[arg-type]


# --- amounts -----------------------------------------------------------------------------------
def test_full_refund_by_default() -> None:
    refund = plan(paid(refunded=30_000))
    assert refund.amount == rub(70_000)
    assert (refund.to_method, refund.to_wallet) == (rub(70_000), rub(0))


def test_several_partials_up_to_the_captured_amount() -> None:
    payment = paid()
    first = plan(payment, 60_000)
    payment = payment.record_refund(first.amount, NOW)
    second = plan(payment, 40_000)
    payment = payment.record_refund(second.amount, NOW)
    assert payment.refunded_amount == rub(100_000)
    for amount in (1, None):
        with pytest.raises(BusinessRuleViolation) as error:
            plan(payment, amount)
        assert error.value.code == "REFUND_EXCEEDS_CAPTURED"


def test_one_kopeck_over_what_is_left_is_refused() -> None:
    assert plan(paid(refunded=99_999), 1).amount == rub(1)
    with pytest.raises(BusinessRuleViolation) as error:
        plan(paid(refunded=99_999), 2)
    assert (error.value.code, error.value.pointer) == (
        "REFUND_EXCEEDS_CAPTURED",
        "/data/attributes/amount",
    )


def test_refunds_still_in_flight_count_against_what_is_left() -> None:
    with pytest.raises(BusinessRuleViolation) as error:
        plan(paid(), 50_001, in_flight=rub(50_000))
    assert error.value.code == "REFUND_EXCEEDS_CAPTURED"
    assert plan(paid(), None, in_flight=rub(50_000)).amount == rub(50_000)


@pytest.mark.parametrize("status", [s for s in PaymentStatus if s is not PaymentStatus.SUCCEEDED])
def test_only_succeeded_payments_are_refunded(status: PaymentStatus) -> None:
    with pytest.raises(BusinessRuleViolation) as error:
        plan(paid(status=status), 1)
    assert error.value.code == "PAYMENT_NOT_REFUNDABLE"


def test_bad_amounts_are_validation_errors() -> None:
    with pytest.raises(ValidationFailed) as error:
        plan(paid(), 0)
    assert error.value.code == "INVALID_AMOUNT"
    with pytest.raises(BusinessRuleViolation) as error:  # 422: a well-formed mismatch
        plan_refund(paid(), Money(1, "USD"), NOW, reason=RefundReason.OTHER, wallet=purse())
    assert (error.value.code, error.value.pointer) == (
        "CURRENCY_MISMATCH",
        "/data/attributes/currency",
    )


# --- automatic or review -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("purpose", "age", "expected"),
    [
        (PaymentPurpose.GAME_PURCHASE, timedelta(days=14), RefundStatus.PENDING),
        (PaymentPurpose.GAME_PURCHASE, timedelta(days=14, seconds=1), RefundStatus.REQUIRES_REVIEW),
        (PaymentPurpose.GAME_PURCHASE, timedelta(0), RefundStatus.PENDING),
        (PaymentPurpose.SUBSCRIPTION, timedelta(days=1), RefundStatus.REQUIRES_REVIEW),
        (PaymentPurpose.DONATION, timedelta(days=1), RefundStatus.REQUIRES_REVIEW),
        (PaymentPurpose.GIFT_CARD, timedelta(days=1), RefundStatus.REQUIRES_REVIEW),
        (PaymentPurpose.WALLET_TOP_UP, timedelta(days=1), RefundStatus.REQUIRES_REVIEW),
        (PaymentPurpose.GREENLIGHT_FEE, timedelta(days=1), RefundStatus.REQUIRES_REVIEW),
    ],
)
def test_automatic_within_14_days_for_games_review_otherwise(
    purpose: PaymentPurpose, age: timedelta, expected: RefundStatus
) -> None:
    payment = paid(purpose=purpose)
    refund = plan_refund(
        payment, None, PAID_AT + age, reason=RefundReason.CUSTOMER_REQUEST, wallet=purse()
    )
    assert refund.status is expected


def test_purchase_time_may_be_given_explicitly() -> None:
    payment = paid()
    late = plan(payment, purchased_at=NOW - timedelta(days=20))
    assert late.status is RefundStatus.REQUIRES_REVIEW


def test_the_window_is_a_rule() -> None:
    rules = RefundRules(automatic_window=timedelta(days=1))
    assert plan(paid(), rules=rules).status is RefundStatus.REQUIRES_REVIEW


def test_greenlight_fee_is_automatic_when_withdrawn_before_voting() -> None:
    fee = paid(purpose=PaymentPurpose.GREENLIGHT_FEE)
    refund = plan(
        fee, reason=RefundReason.SUBMISSION_WITHDRAWN, submission_withdrawn_before_voting=True
    )
    assert refund.status is RefundStatus.PENDING
    assert plan(fee).status is RefundStatus.REQUIRES_REVIEW


def test_an_admin_asking_needs_no_review() -> None:
    old = paid(purpose=PaymentPurpose.SUBSCRIPTION)
    assert plan(old, approved_by_admin=True, requested_by="admin:1").status is RefundStatus.PENDING


# --- where the money goes ----------------------------------------------------------------------
def test_refund_to_the_wallet_when_it_fits_under_the_cap() -> None:
    refund = plan(paid(), destination=WALLET, wallet=purse(5_900_000))
    assert (refund.destination, refund.to_wallet, refund.to_method) == (
        WALLET,
        rub(100_000),
        rub(0),
    )
    assert not refund.fell_back_to_original_method


def test_refund_that_would_pass_the_wallet_cap_goes_to_the_original_method() -> None:
    refund = plan(paid(), destination=WALLET, wallet=purse(5_900_001))
    assert (refund.destination, refund.requested_destination) == (ORIGINAL, WALLET)
    assert (refund.to_method, refund.to_wallet) == (rub(100_000), rub(0))
    assert refund.fell_back_to_original_method


def test_split_payment_returns_the_card_part_first_then_the_wallet_part() -> None:
    payment = paid(amount=100_000, wallet_part=60_000)
    first = plan(payment, 50_000)
    assert (first.to_method, first.to_wallet) == (rub(40_000), rub(10_000))
    payment = payment.record_refund(first.amount, NOW)
    second = plan(payment)
    assert (second.to_method, second.to_wallet) == (rub(0), rub(50_000))


def test_wallet_part_that_cannot_fit_under_the_cap_is_refused() -> None:
    payment = paid(amount=100_000, wallet_part=100_000)
    with pytest.raises(BusinessRuleViolation) as error:
        plan(payment, wallet=purse(5_950_000))
    assert error.value.code == "REFUND_WOULD_EXCEED_WALLET_CAP"
    assert plan(payment, wallet=purse(5_900_000)).to_wallet == rub(100_000)


def test_a_top_up_is_never_refunded_into_the_wallet() -> None:
    top_up = paid(purpose=PaymentPurpose.WALLET_TOP_UP)
    refund = plan(top_up, destination=WALLET)
    assert (refund.destination, refund.to_method) == (ORIGINAL, rub(100_000))


@settings(derandomize=True, max_examples=200, deadline=None)
@given(
    amount=st.integers(min_value=1, max_value=10**9),
    wallet_share=st.integers(min_value=0, max_value=100),
    cuts=st.lists(st.integers(min_value=1, max_value=100), min_size=1, max_size=8),
)
def test_partials_never_exceed_captured_and_never_send_the_card_more_than_it_paid(
    amount: int, wallet_share: int, cuts: list[int]
) -> None:
    # A wallet never holds more than the cap, so neither can a payment's wallet part.
    payment = paid(amount=amount, wallet_part=min(amount * wallet_share // 100, 6_000_000))
    card_paid = payment.card_amount.amount_minor
    to_card = to_wallet = 0
    for cut in cuts:
        left = payment.refundable_amount.amount_minor
        if left == 0:
            break
        refund = plan(payment, max(1, left * cut // 100), wallet=purse(0))
        assert refund.to_method + refund.to_wallet == refund.amount
        to_card += refund.to_method.amount_minor
        to_wallet += refund.to_wallet.amount_minor
        payment = payment.record_refund(refund.amount, NOW)
    assert payment.refunded_amount.amount_minor == to_card + to_wallet <= amount
    assert to_card <= card_paid
    assert to_wallet <= payment.wallet_amount.amount_minor


# --- the refund's own states ---------------------------------------------------------------------
R = RefundStatus
EXPECTED = {
    R.REQUIRES_REVIEW: {R.PENDING, R.FAILED},
    R.PENDING: {R.SUCCEEDED, R.FAILED},
    R.SUCCEEDED: set(),
    R.FAILED: set(),
}


def refund_in(status: RefundStatus) -> Refund:
    return replace(plan(paid()), status=status)


def move(refund: Refund, target: RefundStatus) -> Refund:
    if target is R.PENDING:
        return refund.approve("admin:1", NOW)
    if target is R.SUCCEEDED:
        return refund.succeed(NOW)
    if target is R.FAILED:
        if refund.status is R.REQUIRES_REVIEW:
            return refund.reject("admin:1", NOW, "bought on purpose")
        return refund.fail("card closed", NOW)
    return replace(refund, status=target)


PAIRS = [
    (a, b) for a, b in itertools.product(RefundStatus, RefundStatus) if b is not R.REQUIRES_REVIEW
]


@pytest.mark.parametrize(("source", "target"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_refund_transition_table(source: RefundStatus, target: RefundStatus) -> None:
    refund = refund_in(source)
    if target in EXPECTED[source]:
        assert move(refund, target).status is target
    elif source is target and target is not R.PENDING:
        assert move(refund, target) is refund  # a duplicate outcome is a no-op
    else:
        with pytest.raises(BusinessRuleViolation) as error:
            move(refund, target)
        assert error.value.code == "ILLEGAL_REFUND_TRANSITION"


def test_admin_approval_and_rejection() -> None:
    waiting = refund_in(R.REQUIRES_REVIEW)
    approved = waiting.decide(ReviewDecision.APPROVE, "admin:7", NOW)
    assert (approved.status, approved.decided_by) == (R.PENDING, "admin:7")
    assert approved.decide(ReviewDecision.APPROVE, "admin:7", NOW) is approved
    with pytest.raises(BusinessRuleViolation):
        approved.decide(ReviewDecision.REJECT, "admin:8", NOW)
    rejected = waiting.reject("admin:7", NOW, "played 40 hours")
    assert rejected.status is R.FAILED
    assert rejected.failure_reason == "Rejected by an admin: played 40 hours"
    assert rejected.reject("admin:7", NOW) is rejected


def test_success_is_stamped_and_final() -> None:
    done = refund_in(R.PENDING).succeed(NOW)
    assert done.succeeded_at == NOW and done.is_final
    with pytest.raises(BusinessRuleViolation):
        done.fail("late failure", NOW)


def test_a_refund_in_review_is_rejected_not_failed() -> None:
    with pytest.raises(BusinessRuleViolation) as error:
        refund_in(R.REQUIRES_REVIEW).fail("provider said no", NOW)
    assert error.value.code == "ILLEGAL_REFUND_TRANSITION"
