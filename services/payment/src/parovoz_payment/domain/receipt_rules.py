"""54-FZ receipt rules (PRODUCT.md "54-FZ receipts"), in YooKassa's vocabulary: VAT rates and
their codes, what is sold and how it is settled for each payment purpose, the configurable
rules of a receipt, and how an item's name is fitted to the printed line (≤ 128 characters).

VAT codes: YooKassa's ``vat_code`` (https://yookassa.ru/developers/54fz/parameters-values)
is 1 = no VAT, 2 = 0 %, 3 = 10 %, 4 = 20 %, …, and from 2026-01-01 "new codes 11, 12" for the
22 % rate and the 22/122 calculated rate. We sell at the plain rate, so 22 % → 11.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from parovoz_kit.errors import BusinessRuleViolation, ValidationFailed

from parovoz_payment.domain.payment_vocabulary import PaymentPurpose

ITEMS_POINTER = "/data/attributes/receipt_items"
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
