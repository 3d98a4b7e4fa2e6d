"""Payout methods and payout requests of a developer account (PRODUCT.md, Money and regions:
minimum payout 1,000.00 RUB; payment holds the balance and pays, developer-portal asks).

A payout request lives here while payment does the work; its status follows payment's
``payment.payout.status.changed.v1``: requested → processing → completed | failed. Events may
arrive late or twice, so a status only ever moves forward and a final one never changes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from parovoz_kit.errors import BusinessRuleViolation, ValidationFailed

from parovoz_developer_portal.finance.domain.bank_details import (
    PAYOUT_CURRENCIES,
    BankDetails,
    mask_account,
)

_ATTRIBUTES = "/data/attributes"


@dataclass(frozen=True)
class PayoutMethod:
    id: uuid.UUID
    developer_id: uuid.UUID
    details: BankDetails
    currency: str
    is_default: bool
    created_by_user_id: uuid.UUID
    created_at: datetime
    updated_at: datetime

    @property
    def label(self) -> str:
        """How a payout names where it went: "ПАО Сбербанк •••• 0001"."""
        return f"{self.details.bank_name} {mask_account(self.details.account_number)}"


def new_payout_method(
    developer_id: uuid.UUID,
    details: BankDetails,
    currency: str,
    user_id: uuid.UUID,
    *,
    first_of_account: bool,
    now: datetime,
) -> PayoutMethod:
    """``details`` already validated; the account's first method becomes its default."""
    if currency not in PAYOUT_CURRENCIES:
        raise BusinessRuleViolation(
            "Payouts are made in RUB to a Russian bank account.",
            code="UNSUPPORTED_PAYOUT_CURRENCY",
            pointer=f"{_ATTRIBUTES}/currency",
        )
    return PayoutMethod(
        id=uuid.uuid4(),
        developer_id=developer_id,
        details=details,
        currency=currency,
        is_default=first_of_account,
        created_by_user_id=user_id,
        created_at=now,
        updated_at=now,
    )


class PayoutStatus(StrEnum):
    REQUESTED = "requested"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"

    @property
    def is_open(self) -> bool:
        return self in (PayoutStatus.REQUESTED, PayoutStatus.PROCESSING)


#: How far along each status is; a status change never goes back.
_PROGRESS = {
    PayoutStatus.REQUESTED: 0,
    PayoutStatus.PROCESSING: 1,
    PayoutStatus.COMPLETED: 2,
    PayoutStatus.FAILED: 2,
}
OPEN_STATUSES = tuple(status.value for status in PayoutStatus if status.is_open)


class PayoutTrigger(StrEnum):
    ON_REQUEST = "on_request"
    MONTHLY_AUTOMATIC = "monthly_automatic"


@dataclass(frozen=True)
class PayoutAmount:
    amount_minor: int
    currency: str


@dataclass(frozen=True)
class PayoutRequest:
    id: uuid.UUID
    developer_id: uuid.UUID
    amount: PayoutAmount
    payout_method_id: uuid.UUID
    #: Masked name of the destination, kept as it was when asked ("ПАО Сбербанк •••• 0001").
    payout_method_label: str
    status: PayoutStatus
    trigger: PayoutTrigger
    requested_by_user_id: uuid.UUID | None
    requested_at: datetime
    updated_at: datetime
    payment_transaction_id: uuid.UUID | None = None
    failure_reason_code: str | None = None
    failure_reason_message: str | None = None
    processed_at: datetime | None = None


def request_payout(
    developer_id: uuid.UUID,
    amount: PayoutAmount,
    method: PayoutMethod,
    *,
    minimum_minor: int,
    trigger: PayoutTrigger,
    user_id: uuid.UUID | None,
    now: datetime,
    request_id: uuid.UUID | None = None,
) -> PayoutRequest:
    """``request_id`` is given for an automatic request (derived from its month); a new one
    otherwise."""
    # bool is an int subclass: True kopecks is a bug, not an amount.
    if type(amount.amount_minor) is not int or amount.amount_minor <= 0:
        raise ValidationFailed(
            "amount_minor is a positive integer number of kopecks.",
            code="INVALID_PAYOUT_AMOUNT",
            pointer=f"{_ATTRIBUTES}/amount/amount_minor",
        )
    if amount.currency != method.currency:
        raise BusinessRuleViolation(
            f"The payout method pays in {method.currency}; ask for an amount in it.",
            detail_ru=f"Этот способ выплаты принимает только {method.currency}: укажите сумму в "
            "этой валюте.",
            code="PAYOUT_CURRENCY_MISMATCH",
            pointer=f"{_ATTRIBUTES}/amount/currency",
        )
    if amount.amount_minor < minimum_minor:
        shown = f"{minimum_minor // 100:,}.{minimum_minor % 100:02d}"
        raise BusinessRuleViolation(
            f"The minimum payout is {shown} {amount.currency}.",
            detail_ru=f"Минимальная сумма выплаты — {shown.replace(',', ' ').replace('.', ',')} "
            f"{amount.currency}.",
            code="PAYOUT_BELOW_MINIMUM",
            pointer=f"{_ATTRIBUTES}/amount/amount_minor",
        )
    return PayoutRequest(
        id=request_id or uuid.uuid4(),
        developer_id=developer_id,
        amount=amount,
        payout_method_id=method.id,
        payout_method_label=method.label,
        status=PayoutStatus.REQUESTED,
        trigger=trigger,
        requested_by_user_id=user_id,
        requested_at=now,
        updated_at=now,
    )


@dataclass(frozen=True)
class PayoutStatusReport:
    """What payment said about a payout (``payment.payout.status.changed.v1``)."""

    new_status: PayoutStatus
    payment_transaction_id: uuid.UUID
    processed_at: datetime
    failure_reason_code: str | None = None
    failure_reason_message: str | None = None


def apply_status_report(
    request: PayoutRequest, report: PayoutStatusReport, now: datetime
) -> PayoutRequest | None:
    """The request after ``report``, or None when it changes nothing: a repeat, or a late
    report of an earlier step (``processing`` after ``completed`` never moves it back)."""
    if request.status is report.new_status or not request.status.is_open:
        return None
    if _PROGRESS[report.new_status] < _PROGRESS[request.status]:
        return None
    failed = report.new_status is PayoutStatus.FAILED
    return replace(
        request,
        status=report.new_status,
        payment_transaction_id=report.payment_transaction_id,
        failure_reason_code=report.failure_reason_code if failed else None,
        failure_reason_message=report.failure_reason_message if failed else None,
        processed_at=report.processed_at,
        updated_at=now,
    )
