"""Bank details and payout rules, pure domain: real-world check digits, one code per wrong
field, masking, and the payout status machine."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from parovoz_developer_portal.finance.domain.bank_details import (
    BankDetails,
    is_valid_bik,
    is_valid_correspondent_account,
    is_valid_settlement_account,
    mask_account,
    mask_inn,
    masked,
    validate_bank_details,
)
from parovoz_developer_portal.finance.domain.payouts import (
    PayoutAmount,
    PayoutStatus,
    PayoutStatusReport,
    PayoutTrigger,
    apply_status_report,
    new_payout_method,
    request_payout,
)
from parovoz_kit.errors import BusinessRuleViolation, ValidationFailed

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
SBERBANK = BankDetails(
    recipient_name="ООО «Студия»",
    inn="7707083893",  # ПАО Сбербанк's own ИНН
    kpp="773601001",
    bik="044525225",
    account_number="40702810938000000001",
    correspondent_account="30101810400000000225",
    bank_name="ПАО Сбербанк",
)
SOLE_PROPRIETOR = replace(SBERBANK, recipient_name="ИП Иванов И. И.", inn="500100732259", kpp=None)


@pytest.mark.parametrize(
    ("bik", "correspondent"),
    [
        ("044525225", "30101810400000000225"),  # Сбербанк, Москва
        ("044525974", "30101810145250000974"),  # Т-Банк
        ("044525593", "30101810200000000593"),  # Альфа-Банк
        ("044030653", "30101810500000000653"),  # Северо-Западный банк Сбербанка
    ],
)
def test_real_banks_correspondent_accounts_match_their_bik(bik: str, correspondent: str) -> None:
    assert is_valid_bik(bik)
    assert is_valid_correspondent_account(correspondent, bik)
    # One digit off breaks the control key.
    broken = correspondent[:-1] + str((int(correspondent[-1]) + 1) % 10)
    assert not is_valid_correspondent_account(broken, bik)
    # Another bank's correspondent account does not fit this БИК.
    assert not is_valid_correspondent_account("30101810400000000225", "044525974")


def test_settlement_account_control_key_depends_on_the_bik() -> None:
    assert is_valid_settlement_account("40702810938000000001", "044525225")
    assert not is_valid_settlement_account("40702810938000000002", "044525225")
    assert not is_valid_settlement_account("40702810938000000001", "044525974")
    assert not is_valid_settlement_account("4070281093800000001", "044525225")  # 19 digits


@pytest.mark.parametrize("bik", ["044525", "144525225", "04452522A", "0445252250"])
def test_a_bik_is_nine_digits_starting_with_04(bik: str) -> None:
    assert not is_valid_bik(bik)


def test_valid_details_are_normalised() -> None:
    pasted = replace(
        SBERBANK,
        account_number="4070 2810 9380 0000 0001",
        recipient_name="  ООО «Студия» ",
    )
    checked = validate_bank_details(pasted)
    assert checked.account_number == "40702810938000000001"
    assert checked.recipient_name == "ООО «Студия»"
    assert validate_bank_details(SOLE_PROPRIETOR).kpp is None


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"inn": "7707083894"}, "INVALID_INN", "inn"),
        ({"inn": "500100732258", "kpp": None}, "INVALID_INN", "inn"),
        ({"kpp": None}, "KPP_REQUIRED", "kpp"),
        ({"kpp": "77360100"}, "INVALID_KPP", "kpp"),
        ({"bik": "144525225"}, "INVALID_BIK", "bik"),
        ({"account_number": "40702810938000000002"}, "INVALID_ACCOUNT_NUMBER", "account_number"),
        (
            {"correspondent_account": "30101810400000000226"},
            "INVALID_CORRESPONDENT_ACCOUNT",
            "correspondent_account",
        ),
        ({"recipient_name": "  "}, "RECIPIENT_NAME_REQUIRED", "recipient_name"),
        ({"bank_name": ""}, "BANK_NAME_REQUIRED", "bank_name"),
    ],
)
def test_each_wrong_field_has_its_code_and_pointer(changes: dict, code: str, field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        validate_bank_details(replace(SBERBANK, **changes))
    assert caught.value.code == code
    assert caught.value.pointer == f"/data/attributes/{field}"
    # The error names the field, never its value.
    assert "40702810938000000001" not in caught.value.detail
    assert "7707083893" not in caught.value.detail


def test_an_individual_has_no_kpp() -> None:
    with pytest.raises(ValidationFailed) as caught:
        validate_bank_details(replace(SOLE_PROPRIETOR, kpp="773601001"))
    assert caught.value.code == "KPP_NOT_ALLOWED"


def test_masking_keeps_only_what_identifies_the_account() -> None:
    assert mask_account("40702810938000000001") == "•••• 0001"
    assert mask_inn("7707083893") == "77••••••93"
    assert mask_inn("500100732259") == "50••••••••59"
    shown = masked(SBERBANK)
    assert shown.account_number == "•••• 0001" and shown.inn == "77••••••93"
    assert "40702810938000000001" not in repr(SBERBANK)
    assert "7707083893" not in repr(SBERBANK)


def _method(**changes: object):
    return new_payout_method(
        uuid.uuid4(), SBERBANK, "RUB", uuid.uuid4(), first_of_account=True, now=NOW, **changes
    )


def test_payouts_are_in_rubles() -> None:
    with pytest.raises(BusinessRuleViolation) as caught:
        new_payout_method(
            uuid.uuid4(), SBERBANK, "USD", uuid.uuid4(), first_of_account=True, now=NOW
        )
    assert caught.value.code == "UNSUPPORTED_PAYOUT_CURRENCY"


@pytest.mark.parametrize(
    ("amount", "code", "pointer"),
    [
        (PayoutAmount(99_999, "RUB"), "PAYOUT_BELOW_MINIMUM", "amount/amount_minor"),
        (PayoutAmount(0, "RUB"), "INVALID_PAYOUT_AMOUNT", "amount/amount_minor"),
        (PayoutAmount(200_000, "KZT"), "PAYOUT_CURRENCY_MISMATCH", "amount/currency"),
    ],
)
def test_a_payout_request_needs_the_minimum_in_the_methods_currency(
    amount: PayoutAmount, code: str, pointer: str
) -> None:
    # A non-positive amount is malformed (400); below the minimum or in another currency than
    # the method's, a well-formed request the rules refuse (422).
    kind = ValidationFailed if code == "INVALID_PAYOUT_AMOUNT" else BusinessRuleViolation
    with pytest.raises(kind) as caught:
        request_payout(
            uuid.uuid4(),
            amount,
            _method(),
            minimum_minor=100_000,
            trigger=PayoutTrigger.ON_REQUEST,
            user_id=uuid.uuid4(),
            now=NOW,
        )
    assert (caught.value.code, caught.value.pointer) == (code, f"/data/attributes/{pointer}")


def test_exactly_the_minimum_is_accepted_and_labelled_masked() -> None:
    method = _method()
    request = request_payout(
        method.developer_id,
        PayoutAmount(100_000, "RUB"),
        method,
        minimum_minor=100_000,
        trigger=PayoutTrigger.ON_REQUEST,
        user_id=uuid.uuid4(),
        now=NOW,
    )
    assert request.status is PayoutStatus.REQUESTED
    assert request.payout_method_label == "ПАО Сбербанк •••• 0001"


def _report(status: PayoutStatus, minutes: int = 0, **changes: object) -> PayoutStatusReport:
    return PayoutStatusReport(
        new_status=status,
        payment_transaction_id=uuid.UUID(int=7),
        processed_at=NOW + timedelta(minutes=minutes),
        **changes,  # type: ignore[arg-type]
    )


def test_status_moves_forward_only_and_final_states_stay() -> None:
    method = _method()
    requested = request_payout(
        method.developer_id,
        PayoutAmount(150_000, "RUB"),
        method,
        minimum_minor=100_000,
        trigger=PayoutTrigger.ON_REQUEST,
        user_id=uuid.uuid4(),
        now=NOW,
    )
    processing = apply_status_report(requested, _report(PayoutStatus.PROCESSING), NOW)
    assert processing is not None and processing.status is PayoutStatus.PROCESSING
    assert apply_status_report(processing, _report(PayoutStatus.PROCESSING), NOW) is None
    completed = apply_status_report(processing, _report(PayoutStatus.COMPLETED, 5), NOW)
    assert completed is not None and completed.status is PayoutStatus.COMPLETED
    # A late "processing" (or anything) after a final status changes nothing.
    assert apply_status_report(completed, _report(PayoutStatus.PROCESSING), NOW) is None
    assert (
        apply_status_report(
            completed, _report(PayoutStatus.FAILED, failure_reason_code="provider_error"), NOW
        )
        is None
    )
    # A failure may come straight from "requested" (payment refused it before holding money).
    failed = apply_status_report(
        requested,
        _report(
            PayoutStatus.FAILED,
            failure_reason_code="insufficient_balance",
            failure_reason_message="Not enough available.",
        ),
        NOW,
    )
    assert failed is not None and failed.status is PayoutStatus.FAILED
    assert failed.failure_reason_code == "insufficient_balance"
