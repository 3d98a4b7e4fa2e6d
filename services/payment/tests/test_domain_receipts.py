"""54-FZ receipts: VAT codes, names, contacts, exact totals, proportional refund receipts."""

from __future__ import annotations

import unicodedata
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from parovoz_kit.errors import BusinessRuleViolation, ValidationFailed
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose
from parovoz_payment.domain.receipt_rules import (
    YOOKASSA_VAT_CODES,
    PaymentMode,
    PaymentSubject,
    ReceiptRules,
    VatRate,
    fit_name,
    terms_for_purpose,
)
from parovoz_payment.domain.receipts import (
    Customer,
    Receipt,
    ReceiptItem,
    ReceiptType,
    build_payment_receipt,
    build_refund_receipt,
    receipt_item,
)

PAYMENT_ID = uuid.uuid4()
CUSTOMER = Customer.of(email="player@example.ru")


def rub(minor: int) -> Money:
    return Money(minor, "RUB")


def line(price: int, quantity: int = 1, name: str = "Игра «Параход»") -> ReceiptItem:
    return receipt_item(name, rub(price), PaymentPurpose.GAME_PURCHASE, quantity=quantity)


def receipt_of(*items: ReceiptItem) -> Receipt:
    total = sum(item.amount.amount_minor for item in items)
    return build_payment_receipt(PAYMENT_ID, rub(total), items, CUSTOMER)


# --- vocabulary --------------------------------------------------------------------------------
def test_yookassa_vat_codes() -> None:
    assert dict(YOOKASSA_VAT_CODES) == {
        VatRate.NO_VAT: 1,
        VatRate.VAT_0: 2,
        VatRate.VAT_10: 3,
        VatRate.VAT_20: 4,
        VatRate.VAT_22: 11,  # new from 2026-01-01 (12 is the calculated 22/122 rate)
    }


def test_default_vat_is_22_percent_and_configurable_per_row() -> None:
    assert line(100).vat is VatRate.VAT_22
    assert line(100).yookassa_vat_code == 11
    books = receipt_item("Артбук", rub(100), PaymentPurpose.GAME_PURCHASE, vat=VatRate.VAT_10)
    assert books.yookassa_vat_code == 3
    assert receipt_item("X", rub(1), PaymentPurpose.DONATION, vat=VatRate.NO_VAT).vat is (
        VatRate.NO_VAT
    )


@pytest.mark.parametrize(
    ("purpose", "subject", "mode"),
    [
        (PaymentPurpose.GAME_PURCHASE, PaymentSubject.SERVICE, PaymentMode.FULL_PAYMENT),
        (PaymentPurpose.SUBSCRIPTION, PaymentSubject.SERVICE, PaymentMode.FULL_PAYMENT),
        (PaymentPurpose.GREENLIGHT_FEE, PaymentSubject.SERVICE, PaymentMode.FULL_PAYMENT),
        (PaymentPurpose.PREORDER, PaymentSubject.SERVICE, PaymentMode.FULL_PREPAYMENT),
        (PaymentPurpose.WALLET_TOP_UP, PaymentSubject.PAYMENT, PaymentMode.ADVANCE),
        (PaymentPurpose.GIFT_CARD, PaymentSubject.PAYMENT, PaymentMode.ADVANCE),
        (PaymentPurpose.DONATION, PaymentSubject.PAYMENT, PaymentMode.ADVANCE),
    ],
)
def test_subject_and_mode_by_purpose(
    purpose: PaymentPurpose, subject: PaymentSubject, mode: PaymentMode
) -> None:
    assert terms_for_purpose(purpose) == (subject, mode)
    item = receipt_item("x", rub(1), purpose)
    assert (item.payment_subject, item.payment_mode) == (subject, mode)


def test_card_verification_has_no_receipt() -> None:
    with pytest.raises(BusinessRuleViolation) as error:
        terms_for_purpose(PaymentPurpose.CARD_VERIFICATION)
    assert error.value.code == "NO_RECEIPT_FOR_PURPOSE"


def test_tax_system_code_is_a_rule_within_1_to_6() -> None:
    assert receipt_of(line(100)).tax_system_code == 1
    with pytest.raises(ValueError):
        ReceiptRules(tax_system_code=7)


# --- names -------------------------------------------------------------------------------------
def test_names_up_to_128_characters_are_kept() -> None:
    assert fit_name("я" * 128) == "я" * 128


def test_longer_names_are_cut_to_128_with_an_ellipsis() -> None:
    name = fit_name("Ж" * 129)
    assert len(name) == 128 and name.endswith("…")


def test_whitespace_is_collapsed_and_text_normalized() -> None:
    assert fit_name("  Игра\n\t «Й»  ") == "Игра «Й»"
    assert fit_name("И\u0306") == "Й"  # decomposed й becomes one character


def test_a_cut_never_separates_a_letter_from_its_accent() -> None:
    # "ẹ́" stays two code points after NFC (ẹ + combining acute): the cut must not fall between.
    raw = "a" * 126 + "e\u0323\u0301" + "b" * 10
    name = fit_name(raw)
    assert len(name) <= 128
    assert not unicodedata.combining(name[-2])
    assert name == "a" * 126 + "…"


def test_a_cut_never_breaks_an_emoji_sequence_or_a_flag() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # 5 code points, one emoji
    name = fit_name("a" * 125 + family + "tail")
    assert name == "a" * 125 + "…"
    flag = "\U0001f1f7\U0001f1fa"  # RU
    name = fit_name("a" * 126 + flag + "tail")
    assert name == "a" * 126 + "…"
    assert fit_name("a" * 125 + flag + "tail") == "a" * 125 + flag + "…"


def test_an_empty_name_is_refused() -> None:
    with pytest.raises(ValidationFailed) as error:
        receipt_of(line(100, name=" \n "))
    assert error.value.pointer == "/data/attributes/receipt_items/0/name"


# --- customer --------------------------------------------------------------------------------
def test_customer_needs_an_email_or_a_phone() -> None:
    with pytest.raises(ValidationFailed) as error:
        Customer.of(email="  ", phone="")
    assert error.value.code == "CUSTOMER_CONTACT_REQUIRED"
    assert Customer.of(phone="+7 (900) 123-45-67") == Customer(phone="+79001234567")
    assert Customer.of(phone="79001234567").phone == "+79001234567"


@pytest.mark.parametrize(
    ("email", "phone", "pointer"),
    [
        ("not-an-email", None, "/data/attributes/customer/email"),
        (None, "+7900", "/data/attributes/customer/phone"),
        (None, "call me", "/data/attributes/customer/phone"),
    ],
)
def test_bad_contacts_are_refused(email: str | None, phone: str | None, pointer: str) -> None:
    with pytest.raises(ValidationFailed) as error:
        Customer.of(email=email, phone=phone)
    assert error.value.pointer == pointer


# --- payment receipts ------------------------------------------------------------------------
def test_items_must_sum_to_the_payment_exactly() -> None:
    items = [line(50_000), line(24_950, quantity=2)]
    receipt = build_payment_receipt(PAYMENT_ID, rub(99_900), items, CUSTOMER)
    assert receipt.total == rub(99_900)
    assert receipt.type is ReceiptType.PAYMENT
    assert [item.line_no for item in receipt.items] == [0, 1]
    for off_by_one in (99_899, 99_901):
        with pytest.raises(BusinessRuleViolation) as error:
            build_payment_receipt(PAYMENT_ID, rub(off_by_one), items, CUSTOMER)
        assert (error.value.code, error.value.pointer) == (
            "RECEIPT_TOTAL_MISMATCH",
            "/data/attributes/receipt_items",
        )


@pytest.mark.parametrize(
    ("item", "field"),
    [
        (line(100, quantity=0), "quantity"),
        (line(100, quantity=True), "quantity"),
        (line(0), "unit_price"),
        (receipt_item("x", Money(100, "USD"), PaymentPurpose.DONATION), "unit_price"),
    ],
)
def test_bad_items_are_refused_with_a_pointer(item: ReceiptItem, field: str) -> None:
    with pytest.raises(ValidationFailed) as error:
        build_payment_receipt(PAYMENT_ID, rub(100), [line(100), item], CUSTOMER)
    assert error.value.pointer == f"/data/attributes/receipt_items/1/{field}"


def test_item_count_is_limited() -> None:
    with pytest.raises(ValidationFailed):
        build_payment_receipt(PAYMENT_ID, rub(0), [], CUSTOMER)
    many = [line(1)] * 101
    with pytest.raises(ValidationFailed):
        build_payment_receipt(PAYMENT_ID, rub(101), many, CUSTOMER)
    assert len(build_payment_receipt(PAYMENT_ID, rub(100), many[:100], CUSTOMER).items) == 100


# --- refund receipts -------------------------------------------------------------------------
def test_a_full_refund_mirrors_the_payment_receipt() -> None:
    paid = receipt_of(line(50_000), line(24_950, quantity=2))
    refund = build_refund_receipt(paid, uuid.uuid4(), rub(99_900))
    assert refund.type is ReceiptType.REFUND
    assert [(i.name, i.quantity, i.unit_price, i.vat) for i in refund.items] == [
        (i.name, i.quantity, i.unit_price, i.vat) for i in paid.items
    ]


def test_a_partial_refund_is_proportional_and_exact() -> None:
    paid = receipt_of(line(100), line(200))
    refund = build_refund_receipt(paid, uuid.uuid4(), rub(150))
    assert [item.amount for item in refund.items] == [rub(50), rub(100)]


def test_leftover_kopecks_go_by_largest_remainder_and_empty_lines_are_dropped() -> None:
    paid = receipt_of(line(1), line(1), line(1))
    refund = build_refund_receipt(paid, uuid.uuid4(), rub(2))
    assert [(i.line_no, i.amount) for i in refund.items] == [(0, rub(1)), (1, rub(1))]
    last = build_refund_receipt(paid, uuid.uuid4(), rub(1), previous_refunds=[refund])
    assert [(i.line_no, i.amount) for i in last.items] == [(2, rub(1))]


def test_an_uneven_share_of_a_multi_unit_line_becomes_one_unit() -> None:
    paid = receipt_of(line(100, quantity=3))
    refund = build_refund_receipt(paid, uuid.uuid4(), rub(101))
    assert [(i.quantity, i.unit_price) for i in refund.items] == [(1, rub(101))]


def test_refunding_more_than_the_receipt_has_left_is_refused() -> None:
    paid = receipt_of(line(100))
    first = build_refund_receipt(paid, uuid.uuid4(), rub(60))
    with pytest.raises(BusinessRuleViolation) as error:
        build_refund_receipt(paid, uuid.uuid4(), rub(41), previous_refunds=[first])
    assert error.value.code == "REFUND_EXCEEDS_CAPTURED"


@settings(derandomize=True, max_examples=200, deadline=None)
@given(
    lines=st.lists(
        st.tuples(st.integers(1, 10_000_000), st.integers(1, 5)), min_size=1, max_size=12
    ),
    cuts=st.lists(st.integers(1, 100), min_size=1, max_size=6),
)
def test_refund_receipts_are_exact_and_never_refund_a_line_twice(
    lines: list[tuple[int, int]], cuts: list[int]
) -> None:
    paid = receipt_of(*(line(price, quantity) for price, quantity in lines))
    refunds: list[Receipt] = []
    left = paid.total.amount_minor
    for cut in [*cuts, 100]:  # finish with everything that is left
        if left == 0:
            break
        amount = left if cut == 100 else max(1, left * cut // 100)
        refund = build_refund_receipt(paid, uuid.uuid4(), rub(amount), refunds)
        assert refund.total == rub(amount)
        assert all(i.amount.is_positive and i.quantity >= 1 for i in refund.items)
        refunds.append(refund)
        left -= amount
    per_line = [0] * len(paid.items)
    for refund in refunds:
        for item in refund.items:
            per_line[item.line_no] += item.amount.amount_minor
    assert per_line == [item.amount.amount_minor for item in paid.items]
