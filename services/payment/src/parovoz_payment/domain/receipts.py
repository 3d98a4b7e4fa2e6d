"""54-FZ receipts (PRODUCT.md "54-FZ receipts"), in YooKassa's vocabulary.

A receipt lists the items paid for (name ≤ 128 characters, quantity, VAT-inclusive unit
price, VAT rate, what is sold, how it is settled), the customer's e-mail or phone and the tax
system. The items sum to the payment exactly. A refund receipt mirrors the payment's receipt:
a partial refund is spread over the lines in proportion to what each has left (largest
remainder), so no kopeck is lost and no line is refunded twice.

VAT codes: YooKassa's ``vat_code`` (https://yookassa.ru/developers/54fz/parameters-values)
is 1 = no VAT, 2 = 0 %, 3 = 10 %, 4 = 20 %, …, and from 2026-01-01 "new codes 11, 12" for the
22 % rate and the 22/122 calculated rate. We sell at the plain rate, so 22 % → 11.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from parovoz_kit.errors import BusinessRuleViolation, ValidationFailed

from parovoz_payment.domain.methods import Provider
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payments import PaymentPurpose

ITEMS_POINTER = "/data/attributes/receipt_items"
CUSTOMER_POINTER = "/data/attributes/customer"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[1-9]\d{6,14}$")
_ZERO_WIDTH_JOINER = "\u200d"
_ELLIPSIS = "…"


class VatRate(StrEnum):
    NO_VAT = "no_vat"
    VAT_0 = "vat_0"
    VAT_10 = "vat_10"
    #: Sales before 2026-01-01 (their refunds still carry it).
    VAT_20 = "vat_20"
    VAT_22 = "vat_22"


YOOKASSA_VAT_CODES: Mapping[VatRate, int] = MappingProxyType(
    {VatRate.NO_VAT: 1, VatRate.VAT_0: 2, VatRate.VAT_10: 3, VatRate.VAT_20: 4, VatRate.VAT_22: 11}
)


class PaymentSubject(StrEnum):
    """54-FZ признак предмета расчёта, YooKassa's ``payment_subject``."""

    SERVICE = "service"
    COMMODITY = "commodity"
    INTELLECTUAL_ACTIVITY = "intellectual_activity"
    PAYMENT = "payment"
    AGENT_COMMISSION = "agent_commission"
    ANOTHER = "another"


class PaymentMode(StrEnum):
    """54-FZ признак способа расчёта, YooKassa's ``payment_mode``."""

    FULL_PAYMENT = "full_payment"
    FULL_PREPAYMENT = "full_prepayment"
    PARTIAL_PREPAYMENT = "partial_prepayment"
    ADVANCE = "advance"


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
class ReceiptRules:
    name_max_length: int = 128
    #: PRODUCT.md: VAT 22 % by default (Russia from 2026-01-01), configurable per row.
    default_vat: VatRate = VatRate.VAT_22
    #: YooKassa ``tax_system_code`` 1..6; 1 = general system (ОСН), the one that charges VAT.
    tax_system_code: int = 1
    max_items: int = 100

    def __post_init__(self) -> None:
        if not 1 <= self.tax_system_code <= 6:
            raise ValueError("tax_system_code is 1..6")


_TERMS: Mapping[PaymentPurpose, tuple[PaymentSubject, PaymentMode]] = MappingProxyType(
    {
        PaymentPurpose.GAME_PURCHASE: (PaymentSubject.SERVICE, PaymentMode.FULL_PAYMENT),
        PaymentPurpose.SUBSCRIPTION: (PaymentSubject.SERVICE, PaymentMode.FULL_PAYMENT),
        PaymentPurpose.GREENLIGHT_FEE: (PaymentSubject.SERVICE, PaymentMode.FULL_PAYMENT),
        PaymentPurpose.PREORDER: (PaymentSubject.SERVICE, PaymentMode.FULL_PREPAYMENT),
        # Not a sale yet: money received in advance of whatever it will buy.
        PaymentPurpose.WALLET_TOP_UP: (PaymentSubject.PAYMENT, PaymentMode.ADVANCE),
        PaymentPurpose.GIFT_CARD: (PaymentSubject.PAYMENT, PaymentMode.ADVANCE),
        PaymentPurpose.DONATION: (PaymentSubject.PAYMENT, PaymentMode.ADVANCE),
    }
)


def terms_for_purpose(purpose: PaymentPurpose) -> tuple[PaymentSubject, PaymentMode]:
    """``payment_subject`` and ``payment_mode`` for what a payment is for."""
    try:
        return _TERMS[purpose]
    except KeyError:
        raise BusinessRuleViolation(
            f"A {purpose.value} payment has no receipt.", code="NO_RECEIPT_FOR_PURPOSE"
        ) from None


def _continues_cluster(text: str, index: int) -> bool:
    """Whether cutting ``text`` before ``index`` would split a user-perceived character."""
    char, previous = text[index], text[index - 1]
    if unicodedata.category(char) in ("Mn", "Mc", "Me") or char == _ZERO_WIDTH_JOINER:
        return True
    if previous == _ZERO_WIDTH_JOINER or 0xFE00 <= ord(char) <= 0xFE0F:  # variation selectors
        return True
    if 0x1F3FB <= ord(char) <= 0x1F3FF:  # skin-tone modifiers
        return True
    if _is_regional_indicator(char) and _is_regional_indicator(previous):
        run = 0  # flags are pairs of regional indicators: never cut inside a pair
        while index - run - 1 >= 0 and _is_regional_indicator(text[index - run - 1]):
            run += 1
        return run % 2 == 1
    return False


def _is_regional_indicator(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def fit_name(raw: str, max_length: int = 128, pointer: str = f"{ITEMS_POINTER}/0/name") -> str:
    """The name as printed: whitespace collapsed, NFC, at most ``max_length`` characters; a
    longer one is cut before a whole character (never inside a letter with its accent, an
    emoji sequence or a flag) and ends with "…"."""
    name = unicodedata.normalize("NFC", " ".join(raw.split()))
    if not name:
        raise ValidationFailed("A receipt item needs a name.", code="INVALID_ITEM", pointer=pointer)
    if len(name) <= max_length:
        return name
    cut = max_length - len(_ELLIPSIS)
    while cut > 0 and _continues_cluster(name, cut):
        cut -= 1
    return name[:cut].rstrip() + _ELLIPSIS


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
        raise ValidationFailed(
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
