"""The port to payment providers (YooKassa-, T-Bank-shaped): what the use cases ask of them.

Adapters in ``clients/providers/`` implement :class:`PaymentProvider` over HTTP; use cases
only see these types, in our vocabulary (our statuses and reasons, integer minor units).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from parovoz_payment.domain.chargebacks import DisputeNotice
from parovoz_payment.domain.methods import PaymentMethod, Provider
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_vocabulary import CancellationReason, PaymentStatus
from parovoz_payment.domain.receipts import Receipt


@dataclass(frozen=True)
class ProviderPaymentRequest:
    payment_id: uuid.UUID  # ours: sent as metadata / OrderId, so notifications lead back
    amount: Money  # the part the provider charges (the card part of a split)
    description: str
    return_url: str | None
    method: PaymentMethod | None = None
    #: The provider's token of a saved method: an off-session charge, no confirmation.
    saved_method_token: str | None = None
    save_method: bool = False
    #: Two-step payments (card binding, preorder holds) authorize now and capture later.
    capture: bool = True
    receipt: Receipt | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ProviderPayment:
    provider: Provider
    provider_payment_id: str
    status: PaymentStatus  # pending | waiting_for_capture | succeeded | cancelled
    amount: Money
    confirmation_url: str | None = None
    cancellation_reason: CancellationReason | None = None
    #: Set when the provider saved the method: the token for later off-session charges.
    saved_method_token: str | None = None
    method_title: str | None = None  # e.g. "MIR *4444": never a full card number
    #: The card's identity (hash of first6, last4, expiry) when the provider names the card:
    #: what the fraud rules count failures and distinct cards by.
    card_fingerprint: str | None = None
    #: Our payment's id as the provider echoes it back (YooKassa's ``metadata.payment_id``,
    #: T-Bank's ``OrderId``): proves the provider's payment is ours before its id is stored.
    order_id: uuid.UUID | None = None


class ProviderRefundStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@dataclass(frozen=True)
class ProviderRefund:
    provider: Provider
    provider_refund_id: str
    provider_payment_id: str
    status: ProviderRefundStatus
    amount: Money


class NotificationSubject(StrEnum):
    PAYMENT = "payment"
    REFUND = "refund"
    CHARGEBACK = "chargeback"
    PAYOUT = "payout"
    #: A fiscal data operator's answer about a 54-FZ receipt (T-Bank's ``RECEIPT``).
    RECEIPT = "receipt"


@dataclass(frozen=True)
class FiscalNotice:
    """What a receipt notification says: which kind of receipt (for a payment or a refund),
    for how much, and whether the fiscal data operator registered it."""

    refund: bool
    amount_minor: int
    registered: bool
    #: The fiscal document's identity (fiscal drive number + document number) when registered.
    document_id: str | None = None


@dataclass(frozen=True)
class ProviderNotification:
    """A verified notification. It says what changed, not how: the use case asks the
    provider for the current state (``get_payment``) before any money moves."""

    provider: Provider
    subject: NotificationSubject
    provider_object_id: str  # the payment (or refund, payout) id at the provider
    #: Our payment id, when the provider echoes it (YooKassa metadata, T-Bank OrderId).
    payment_id: uuid.UUID | None
    event: str  # the provider's own name, for the audit log
    #: A method saved by this payment, when only the notification tells it (T-Bank's
    #: ``RebillId`` is in no GET answer). YooKassa's comes from ``get_payment`` instead.
    saved_method_token: str | None = None
    #: The card's identity when only the notification names the card (T-Bank's Pan/ExpDate).
    card_fingerprint: str | None = None
    #: Set for a receipt notification (subject ``RECEIPT``).
    fiscal: FiscalNotice | None = None
    #: Set for a chargeback notification (subject ``CHARGEBACK``).
    dispute: DisputeNotice | None = None


class PaymentProvider(Protocol):
    name: Provider

    async def create_payment(
        self, request: ProviderPaymentRequest, idempotency_key: str
    ) -> ProviderPayment: ...

    async def get_payment(self, provider_payment_id: str) -> ProviderPayment: ...

    async def capture(
        self, provider_payment_id: str, amount: Money, idempotency_key: str
    ) -> ProviderPayment: ...

    async def cancel(self, provider_payment_id: str, idempotency_key: str) -> ProviderPayment: ...

    async def refund(
        self,
        provider_payment_id: str,
        amount: Money,
        receipt: Receipt | None,
        idempotency_key: str,
    ) -> ProviderRefund: ...

    async def get_refund(self, provider_refund_id: str) -> ProviderRefund:
        """The refund's current state at the provider (for one left pending)."""
        ...

    def verify_notification(
        self, headers: Mapping[str, str], body: bytes
    ) -> ProviderNotification: ...
