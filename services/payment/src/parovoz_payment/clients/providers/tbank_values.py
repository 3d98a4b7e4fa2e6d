"""T-Bank acquiring v2 vocabulary → ours: statuses, decline codes, receipt fields.

Sources: T-Bank's "Статусная модель платежа" and "Коды ошибок" pages (acquiring API v2), and the
54-FZ receipt object (``Receipt``: ``Taxation``, ``Items[].Tax``, ``PaymentMethod``,
``PaymentObject``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from parovoz_payment.domain.payment_vocabulary import CancellationReason, PaymentStatus
from parovoz_payment.domain.receipt_rules import PaymentMode, VatRate
from parovoz_payment.domain.receipts import Receipt

_S = PaymentStatus
#: T-Bank ``Status`` → ours. A refunded payment stays ``succeeded`` (the refund is its own
#: record); a partial reversal still holds the rest of the authorization.
STATUSES: Mapping[str, PaymentStatus] = MappingProxyType(
    {
        "NEW": _S.PENDING,
        "FORM_SHOWED": _S.PENDING,
        "AUTHORIZING": _S.PENDING,
        "3DS_CHECKING": _S.PENDING,
        "3DS_CHECKED": _S.PENDING,
        "AUTHORIZED": _S.WAITING_FOR_CAPTURE,
        "PARTIAL_REVERSED": _S.WAITING_FOR_CAPTURE,
        "CONFIRMING": _S.WAITING_FOR_CAPTURE,
        "CONFIRMED": _S.SUCCEEDED,
        "REFUNDING": _S.SUCCEEDED,
        "PARTIAL_REFUNDED": _S.SUCCEEDED,
        "REFUNDED": _S.SUCCEEDED,
        "REJECTED": _S.CANCELLED,
        "AUTH_FAIL": _S.CANCELLED,
        "CANCELED": _S.CANCELLED,
        "REVERSING": _S.CANCELLED,
        "REVERSED": _S.CANCELLED,
        "DEADLINE_EXPIRED": _S.CANCELLED,
    }
)
#: Statuses whose reason is the decline ``ErrorCode`` (asked of ``CheckOrder``).
DECLINED_STATUSES = frozenset({"REJECTED", "AUTH_FAIL"})
#: Cancelled without a decline: we cancelled or reversed it, or the buyer never paid.
FIXED_REASONS: Mapping[str, CancellationReason] = MappingProxyType(
    {
        "CANCELED": CancellationReason.CANCELLED_BY_PLATFORM,
        "REVERSING": CancellationReason.CANCELLED_BY_PLATFORM,
        "REVERSED": CancellationReason.CANCELLED_BY_PLATFORM,
        "DEADLINE_EXPIRED": CancellationReason.EXPIRED_ON_CONFIRMATION,
    }
)

_R = CancellationReason
#: Decline ``ErrorCode`` → our reason; any other code → provider_error.
DECLINE_CODES: Mapping[str, CancellationReason] = MappingProxyType(
    {
        "1051": _R.INSUFFICIENT_FUNDS,
        "1054": _R.CARD_EXPIRED,
        "1004": _R.FRAUD_SUSPECTED,
        "1059": _R.FRAUD_SUSPECTED,
        "101": _R.THREE_D_SECURE_FAILED,
        "1005": _R.CARD_DECLINED,
        "1001": _R.CARD_DECLINED,
        "1014": _R.CARD_DECLINED,
        "1082": _R.CARD_DECLINED,
        "1013": _R.PAYMENT_METHOD_UNAVAILABLE,
        "1061": _R.PAYMENT_METHOD_UNAVAILABLE,
        "104": _R.PAYMENT_METHOD_UNAVAILABLE,
        "1071": _R.EXPIRED_ON_CONFIRMATION,
    }
)
#: ``ErrorCode`` meaning our terminal or Token is wrong: a configuration fault, not the payer's.
AUTH_ERROR_CODES = frozenset({"202", "204", "501"})
NOT_FOUND_CODES = frozenset({"255", "335"})
#: Internal errors at T-Bank: try again later.
UNAVAILABLE_CODES = frozenset({"9999", "99"})

#: ``Type`` of a fiscalisation notification: a sale's receipt, or a refund's.
RECEIPT_TYPES = frozenset({"Income", "IncomeReturn"})

TAX: Mapping[VatRate, str] = MappingProxyType(
    {
        VatRate.NO_VAT: "none",
        VatRate.VAT_0: "vat0",
        VatRate.VAT_10: "vat10",
        VatRate.VAT_20: "vat20",
        VatRate.VAT_22: "vat22",
    }
)
TAXATION: Mapping[int, str] = MappingProxyType(
    {1: "osn", 2: "usn_income", 3: "usn_income_outcome", 4: "envd", 5: "esn", 6: "patent"}
)
PAYMENT_METHODS: Mapping[PaymentMode, str] = MappingProxyType(
    {
        PaymentMode.FULL_PAYMENT: "full_payment",
        PaymentMode.FULL_PREPAYMENT: "full_prepayment",
        PaymentMode.PARTIAL_PREPAYMENT: "prepayment",
        PaymentMode.ADVANCE: "advance",
    }
)


def decline_reason(error_code: Any) -> CancellationReason:
    return DECLINE_CODES.get(str(error_code), CancellationReason.PROVIDER_ERROR)


def receipt_json(receipt: Receipt, electronic_minor: int) -> dict[str, Any]:
    """T-Bank's ``Receipt``. ``electronic_minor`` is what this operation moves by card; the
    rest of the receipt's total was paid earlier (wallet, gift card: an advance), which T-Bank
    wants told in ``Payments`` so that the lines still add up."""
    body: dict[str, Any] = {"Taxation": TAXATION[receipt.tax_system_code]}
    if receipt.customer.email:
        body["Email"] = receipt.customer.email
    if receipt.customer.phone:
        body["Phone"] = receipt.customer.phone
    body["Items"] = [
        {
            "Name": item.name,
            "Price": item.unit_price.amount_minor,
            "Quantity": item.quantity,
            "Amount": item.amount.amount_minor,
            "Tax": TAX[item.vat],
            "PaymentMethod": PAYMENT_METHODS[item.payment_mode],
            "PaymentObject": item.payment_subject.value,
        }
        for item in receipt.items
    ]
    advance = receipt.total.amount_minor - electronic_minor
    if advance:
        body["Payments"] = {"Electronic": electronic_minor, "AdvancePayment": advance}
    return body
