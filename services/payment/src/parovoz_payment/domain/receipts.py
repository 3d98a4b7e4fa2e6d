"""54-FZ receipts (PRODUCT.md "54-FZ receipts"), in YooKassa's vocabulary.

A receipt lists the items paid for (name ≤ 128 characters, quantity, VAT-inclusive unit
price, VAT rate, what is sold, how it is settled), the customer's e-mail or phone and the tax
system. The items sum to the payment exactly. A refund receipt mirrors the payment's receipt:
a partial refund is spread over the lines in proportion to what each has left (largest
remainder), so no kopeck is lost and no line is refunded twice. The rates, terms and name
rules the items follow are in ``receipt_rules``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from parovoz_kit.errors import BusinessRuleViolation, ValidationFailed

from parovoz_payment.domain.methods import Provider
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose
from parovoz_payment.domain.receipt_rules import (
    ITEMS_POINTER,
    YOOKASSA_VAT_CODES,
    PaymentMode,
    PaymentSubject,
    ReceiptRules,
    VatRate,
    fit_name,
    terms_for_purpose,
)

CUSTOMER_POINTER = "/data/attributes/customer"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[1-9]\d{6,14}$")


#: Providers whose receipt travels with the operation itself (T-Bank's ``Receipt`` in Init and
#: Cancel); the others register receipts separately after the fact (YooKassa's /v3/receipts).
RECEIPT_WITH_OPERATION = frozenset({Provider.TBANK})


class ReceiptType(StrEnum):
    PAYMENT = "payment"
    REFUND = "refund"


class ReceiptStatus(StrEnum):
    """The provider's status of the receipt (YooKassa's ``canceled`` spelled our way)."""

    PENDING = "pending"
    SUCCEEDED = "succeeded"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class ReceiptItem:
    name: str
    quantity: int
    #: Price of one unit, VAT included.
    unit_price: Money
    vat: VatRate
    payment_subject: PaymentSubject
    payment_mode: PaymentMode
    #: Position of the line in the payment's receipt; a refund's lines point back to it.
    line_no: int = 0

    @property
    def amount(self) -> Money:
        return Money(self.unit_price.amount_minor * self.quantity, self.unit_price.currency)

    @property
    def yookassa_vat_code(self) -> int:
        return YOOKASSA_VAT_CODES[self.vat]


def receipt_item(
    name: str,
    unit_price: Money,
    purpose: PaymentPurpose,
    *,
    quantity: int = 1,
    vat: VatRate | None = None,
    rules: ReceiptRules | None = None,
    mode: PaymentMode | None = None,
) -> ReceiptItem:
    """A line with the defaults for ``purpose``: subject, mode (unless given: a preorder's
    depends on its part) and the default VAT rate."""
    rules = rules or ReceiptRules()
    subject, default_mode = terms_for_purpose(purpose)
    mode = mode or default_mode
    return ReceiptItem(
        name=fit_name(name, rules.name_max_length),
        quantity=quantity,
        unit_price=unit_price,
        vat=vat or rules.default_vat,
        payment_subject=subject,
        payment_mode=mode,
    )


@dataclass(frozen=True)
class Customer:
    """Where the receipt goes: an e-mail or a phone (E.164), at least one (54-FZ)."""

    email: str | None = None
    phone: str | None = None

    @classmethod
    def of(cls, email: str | None = None, phone: str | None = None) -> Customer:
        email = (email or "").strip() or None
        phone = re.sub(r"[\s()-]", "", phone or "") or None
        if email is None and phone is None:
            raise ValidationFailed(
                "A receipt needs the customer's e-mail or phone.",
                code="CUSTOMER_CONTACT_REQUIRED",
                pointer=CUSTOMER_POINTER,
            )
        if email is not None and (len(email) > 254 or not _EMAIL.match(email)):
            raise ValidationFailed(
                "Not an e-mail address.", code="INVALID_EMAIL", pointer=f"{CUSTOMER_POINTER}/email"
            )
        if phone is not None and not _PHONE.match(phone):
            raise ValidationFailed(
                "A phone is in E.164 form, like +79001234567.",
                code="INVALID_PHONE",
                pointer=f"{CUSTOMER_POINTER}/phone",
            )
        return cls(email=email, phone=None if phone is None else "+" + phone.lstrip("+"))


@dataclass(frozen=True)
class Receipt:
    type: ReceiptType
    payment_id: uuid.UUID
    customer: Customer
    items: tuple[ReceiptItem, ...]
    tax_system_code: int
    refund_id: uuid.UUID | None = None
    status: ReceiptStatus = ReceiptStatus.PENDING
    provider_receipt_id: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)

    @property
    def total(self) -> Money:
        return Money.total((item.amount for item in self.items), self.items[0].unit_price.currency)


def build_payment_receipt(
    payment_id: uuid.UUID,
    amount: Money,
    items: Sequence[ReceiptItem],
    customer: Customer,
    rules: ReceiptRules | None = None,
) -> Receipt:
    """The receipt of a payment; refused unless the items add up to ``amount`` exactly."""
    rules = rules or ReceiptRules()
    if not items or len(items) > rules.max_items:
        raise ValidationFailed(
            f"A receipt has 1..{rules.max_items} items.", code="INVALID_ITEM", pointer=ITEMS_POINTER
        )
    checked = tuple(_checked_item(item, index, amount, rules) for index, item in enumerate(items))
    total = Money.total((item.amount for item in checked), amount.currency)
    if total != amount:
        raise BusinessRuleViolation(
            f"The items add up to {total.amount_minor} minor units, the payment is "
            f"{amount.amount_minor}.",
            code="RECEIPT_TOTAL_MISMATCH",
            pointer=ITEMS_POINTER,
        )
    return Receipt(ReceiptType.PAYMENT, payment_id, customer, checked, rules.tax_system_code)


def _checked_item(item: ReceiptItem, index: int, amount: Money, rules: ReceiptRules) -> ReceiptItem:
    pointer = f"{ITEMS_POINTER}/{index}"
    if type(item.quantity) is not int or item.quantity < 1:
        raise ValidationFailed(
            "The quantity is a whole number, at least 1.",
            code="INVALID_ITEM",
            pointer=f"{pointer}/quantity",
        )
    if item.unit_price.currency != amount.currency or not item.unit_price.is_positive:
        raise ValidationFailed(
            f"The unit price is positive, in {amount.currency}.",
            code="INVALID_ITEM",
            pointer=f"{pointer}/unit_price",
        )
    name = fit_name(item.name, rules.name_max_length, f"{pointer}/name")
    return ReceiptItem(
        name,
        item.quantity,
        item.unit_price,
        item.vat,
        item.payment_subject,
        item.payment_mode,
        index,
    )


def build_refund_receipt(
    payment_receipt: Receipt,
    refund_id: uuid.UUID,
    amount: Money,
    previous_refunds: Sequence[Receipt] = (),
) -> Receipt:
    """The refund receipt: the payment's lines, each refunded in proportion to what it has left
    after ``previous_refunds`` (largest remainder); lines that get nothing are left out."""
    lines = payment_receipt.items
    refunded = [0] * len(lines)
    for receipt in previous_refunds:
        for item in receipt.items:
            refunded[item.line_no] += item.amount.amount_minor
    left = [line.amount.amount_minor - done for line, done in zip(lines, refunded, strict=True)]
    if amount.currency != payment_receipt.total.currency or not amount.is_positive:
        raise ValueError("a refund receipt is for a positive amount in the payment's currency")
    if amount.amount_minor > sum(left):
        raise BusinessRuleViolation(
            "The refund is larger than what the payment's receipt has left.",
            code="REFUND_EXCEEDS_CAPTURED",
        )
    shares = amount.allocate(left)
    items = tuple(
        _refund_line(line, share)
        for line, share in zip(lines, shares, strict=True)
        if share.is_positive
    )
    return Receipt(
        ReceiptType.REFUND,
        payment_receipt.payment_id,
        payment_receipt.customer,
        items,
        payment_receipt.tax_system_code,
        refund_id=refund_id,
    )


def _refund_line(line: ReceiptItem, share: Money) -> ReceiptItem:
    # Keep the quantity when the share divides evenly (a whole refund of the line), else one
    # unit at the refunded price: 54-FZ lines need an exact quantity × price.
    quantity = line.quantity if share.amount_minor % line.quantity == 0 else 1
    unit = Money(share.amount_minor // quantity, share.currency)
    return ReceiptItem(
        line.name, quantity, unit, line.vat, line.payment_subject, line.payment_mode, line.line_no
    )
