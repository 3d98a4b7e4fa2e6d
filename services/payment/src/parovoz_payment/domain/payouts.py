"""Developer payouts: a developer asks (``developer.payout.requested.v1``), we hold the money,
pay it to their bank account through the provider, and report ``processing`` → ``completed`` |
``failed`` (seed 001, PRODUCT.md "Money and regions").

The payout's id is payment's ``payment_service_transaction_id`` and the provider's
``Idempotence-Key``: whoever sends it, however often, the provider pays it once. Bank details are
looked up at sending time and never kept here beyond :class:`MaskedDestination`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from parovoz_kit.errors import BusinessRuleViolation

from parovoz_payment.domain.money import Money

#: Payouts go to Russian bank accounts in roubles (the provider's payouts are RUB only).
PAYOUT_CURRENCY = "RUB"


class PayoutStatus(StrEnum):
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"


class PayoutProgress:
    """What a payout on its way out — a developer's or a streamer's — says of itself: it is
    ``processing`` until the provider (or a refusal) decides it, then final."""

    status: PayoutStatus
    provider_payout_id: str | None

    @property
    def is_final(self) -> bool:
        return self.status is not PayoutStatus.PROCESSING

    def moved_on_by(self, confirmed: ProviderPayout) -> bool:
        """Whether the provider's answer changes anything: not once final (a duplicate, a poll
        crossing a notification), nor a pending answer about a payout already sent."""
        pending = confirmed.status is ProviderPayoutStatus.PENDING
        return not self.is_final and not (pending and self.provider_payout_id)


class PayoutFailure(StrEnum):
    """``PayoutFailureCode`` of ``payment.payout.status.changed.v1``."""

    INSUFFICIENT_BALANCE = "insufficient_balance"
    BELOW_MINIMUM = "below_minimum"
    DEVELOPER_NOT_ACTIVE = "developer_not_active"
    PAYOUT_METHOD_UNAVAILABLE = "payout_method_unavailable"
    PROVIDER_REJECTED = "provider_rejected"
    PROVIDER_ERROR = "provider_error"


class ProviderPayoutStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    CANCELED = "canceled"


# YooKassa's payout cancellation reasons: the recipient's details are wrong or refused → the
# developer must fix the payout method; our payout balance or the provider failing → our error;
# anything else (limits, fraud screening, a plain decline) → the provider said no.
_REASONS = {
    "recipient_not_found": PayoutFailure.PAYOUT_METHOD_UNAVAILABLE,
    "recipient_check_failed": PayoutFailure.PAYOUT_METHOD_UNAVAILABLE,
    "rejected_by_payee": PayoutFailure.PAYOUT_METHOD_UNAVAILABLE,
    "identification_required": PayoutFailure.PAYOUT_METHOD_UNAVAILABLE,
    "insufficient_funds": PayoutFailure.PROVIDER_ERROR,
    "issuer_unavailable": PayoutFailure.PROVIDER_ERROR,
}


def failure_from_provider(reason: str | None) -> PayoutFailure:
    return _REASONS.get(reason or "", PayoutFailure.PROVIDER_REJECTED)


def cancellation(confirmed: ProviderPayout) -> tuple[PayoutFailure, str]:
    """Why a payout the provider cancelled failed, and the message to keep."""
    reason = confirmed.cancellation_reason
    return failure_from_provider(reason), f"The provider cancelled it: {reason}."


@dataclass(frozen=True)
class PayoutTiming:
    """How the payout jobs pace the provider (developer and streamer payouts alike)."""

    #: How long a claimed payout is the claimer's alone (longer than a provider call).
    lease: timedelta = timedelta(minutes=5)
    #: A sent payout without an outcome is asked about again after this long.
    poll_after: timedelta = timedelta(minutes=10)
    batch: int = 50


DEFAULT_TIMING = PayoutTiming()


@dataclass(frozen=True)
class BankDetails:
    """Where the money goes (developer-portal's ``GetPayoutMethod``). Held in memory for one
    provider call only; ``repr`` shows nothing, so a log line or traceback cannot leak it."""

    recipient_name: str = field(repr=False)
    inn: str = field(repr=False)
    kpp: str | None = field(repr=False)
    bik: str = field(repr=False)
    account_number: str = field(repr=False)
    bank_name: str = field(repr=False)
    currency: str = field(repr=False)

    def masked(self) -> MaskedDestination:
        return MaskedDestination(
            bank_name=self.bank_name[:128], bik=self.bik, account_last4=self.account_number[-4:]
        )


@dataclass(frozen=True)
class MaskedDestination:
    """What the payout remembers of the bank details: enough for support, nothing to misuse
    (the BIK names a bank publicly; four digits of an account identify nothing)."""

    bank_name: str
    bik: str
    account_last4: str

    def as_json(self) -> dict[str, str]:
        return {
            "type": "bank_account",
            "bank_name": self.bank_name,
            "bik": self.bik,
            "account_last4": self.account_last4,
        }


@dataclass(frozen=True)
class ProviderPayout:
    provider_payout_id: str
    status: ProviderPayoutStatus
    amount: Money
    #: Our payout id, as the provider echoes it in the metadata.
    payout_id: uuid.UUID | None
    cancellation_reason: str | None = None


@dataclass(frozen=True)
class PayoutRequest:
    payout_request_id: uuid.UUID
    developer_id: uuid.UUID
    payout_method_id: uuid.UUID
    amount: Money
    trigger: str
    requested_at: datetime
    requested_by_user_id: uuid.UUID | None


def refusal(request: PayoutRequest, minimum: Money) -> tuple[PayoutFailure, str] | None:
    """Why a request cannot be paid before touching any balance, or None."""
    if request.amount.currency != PAYOUT_CURRENCY:
        return (
            PayoutFailure.PROVIDER_REJECTED,
            f"Payouts are made in {PAYOUT_CURRENCY} only, not {request.amount.currency}.",
        )
    if request.amount.amount_minor < minimum.amount_minor:
        return (
            PayoutFailure.BELOW_MINIMUM,
            f"The minimum payout is {minimum.amount_minor // 100}.{minimum.amount_minor % 100:02d}"
            f" {minimum.currency}.",
        )
    return None


@dataclass(frozen=True)
class Payout(PayoutProgress):
    id: uuid.UUID
    request: PayoutRequest
    status: PayoutStatus
    created_at: datetime
    updated_at: datetime
    failure: PayoutFailure | None = None
    failure_message: str | None = None
    provider: str | None = None
    provider_payout_id: str | None = None
    destination: MaskedDestination | None = None
    sent_at: datetime | None = None
    finished_at: datetime | None = None

    @classmethod
    def accept(cls, payout_id: uuid.UUID, request: PayoutRequest, now: datetime) -> Payout:
        return cls(payout_id, request, PayoutStatus.PROCESSING, now, now)

    @property
    def developer_id(self) -> uuid.UUID:
        return self.request.developer_id

    @property
    def amount(self) -> Money:
        return self.request.amount

    def _processing(self, action: str) -> None:
        if self.is_final:
            raise BusinessRuleViolation(
                f"A {self.status.value} payout cannot be {action}.", code="PAYOUT_ALREADY_FINAL"
            )

    def sent(
        self, provider: str, provider_payout_id: str, destination: MaskedDestination | None,
        now: datetime,
    ) -> Payout:  # fmt: skip
        """The provider took it (its id recorded); the outcome comes later."""
        self._processing("sent")
        return replace(
            self,
            provider=provider,
            provider_payout_id=provider_payout_id,
            destination=destination or self.destination,
            sent_at=self.sent_at or now,
            updated_at=now,
        )

    def complete(self, now: datetime) -> Payout:
        self._processing("completed")
        return replace(self, status=PayoutStatus.COMPLETED, updated_at=now, finished_at=now)

    def fail(self, failure: PayoutFailure, message: str | None, now: datetime) -> Payout:
        self._processing("failed")
        return replace(
            self,
            status=PayoutStatus.FAILED,
            failure=failure,
            failure_message=(message or None) and message[:500],
            updated_at=now,
            finished_at=now,
        )
