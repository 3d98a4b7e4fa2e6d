"""Payout rules without I/O: refusals, transitions, provider reasons, masked bank details."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from parovoz_kit.errors import BusinessRuleViolation
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payouts import (
    BankDetails,
    Payout,
    PayoutFailure,
    PayoutRequest,
    PayoutStatus,
    failure_from_provider,
    refusal,
)

NOW = datetime(2026, 5, 1, tzinfo=UTC)
MINIMUM = Money(100_000, "RUB")


def request(minor: int, currency: str = "RUB") -> PayoutRequest:
    return PayoutRequest(
        uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), Money(minor, currency), "monthly_automatic",
        NOW, None,
    )  # fmt: skip


def test_the_minimum_is_inclusive_and_roubles_only() -> None:
    assert refusal(request(100_000), MINIMUM) is None
    code, message = refusal(request(99_999), MINIMUM)  # type: ignore[misc]
    assert code is PayoutFailure.BELOW_MINIMUM and "1000.00 RUB" in message
    assert refusal(request(500_000, "USD"), MINIMUM)[0] is PayoutFailure.PROVIDER_REJECTED  # type: ignore[index]


def test_a_payout_finishes_once() -> None:
    payout = Payout.accept(uuid.uuid4(), request(150_000), NOW)
    sent = payout.sent("yookassa", "po-1", None, NOW)
    done = sent.complete(NOW)

    assert done.status is PayoutStatus.COMPLETED and done.provider_payout_id == "po-1"
    with pytest.raises(BusinessRuleViolation):
        done.fail(PayoutFailure.PROVIDER_ERROR, None, NOW)
    failed = payout.fail(PayoutFailure.PAYOUT_METHOD_UNAVAILABLE, "gone", NOW)
    with pytest.raises(BusinessRuleViolation):
        failed.complete(NOW)


@pytest.mark.parametrize(
    ("reason", "failure"),
    [
        ("recipient_not_found", PayoutFailure.PAYOUT_METHOD_UNAVAILABLE),
        ("insufficient_funds", PayoutFailure.PROVIDER_ERROR),
        ("fraud_suspected", PayoutFailure.PROVIDER_REJECTED),
        (None, PayoutFailure.PROVIDER_REJECTED),
    ],
)
def test_provider_reasons_map_to_failure_codes(reason, failure) -> None:
    assert failure_from_provider(reason) is failure


def test_bank_details_never_show_in_a_repr_and_mask_to_four_digits() -> None:
    details = BankDetails("ООО Студия", "7707083893", None, "044525225",
                          "40702810900000000042", "ПАО Сбербанк", "RUB")  # fmt: skip

    assert "40702810900000000042" not in repr(details) and "7707083893" not in repr(details)
    assert details.masked().as_json() == {
        "type": "bank_account", "bank_name": "ПАО Сбербанк", "bik": "044525225",
        "account_last4": "0042",
    }  # fmt: skip
