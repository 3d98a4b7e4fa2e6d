"""YooKassa API v3 adapter (https://yookassa.ru/developers/api): payments, capture, cancel,
refunds and notifications, in our vocabulary.

HTTP Basic ``shopId:secretKey``; an ``Idempotence-Key`` on every POST (YooKassa answers a
repeated key with the first answer, so a retry never creates a second payment).

Notifications: YooKassa itself signs nothing. In production it is recognised by its published
source IP ranges (https://yookassa.ru/developers/using-api/webhooks#ip), checked at the edge, and
— because an IP check is weak — the use case must re-fetch the payment (``get_payment``) before
any money moves: a notification only says *what* changed. Locally the sandbox adds
``X-Sandbox-Signature`` (HMAC-SHA256 of the raw body) and we require it, so a forged
notification is refused before it reaches a use case.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

import httpx
from parovoz_kit.errors import BusinessRuleViolation, Unauthenticated, ValidationFailed

from parovoz_payment.clients.providers import transport
from parovoz_payment.clients.providers.amounts import decimal_to_minor, minor_to_decimal
from parovoz_payment.clients.providers.config import ProviderConfig
from parovoz_payment.clients.providers.disputes import yookassa_dispute
from parovoz_payment.clients.providers.signatures import (
    SIGNATURE_HEADER,
    body_signature_valid,
    header,
)
from parovoz_payment.clients.providers.yookassa_http import yookassa_call, yookassa_http_client
from parovoz_payment.domain.fraud import card_fingerprint
from parovoz_payment.domain.methods import PaymentMethod, Provider
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_vocabulary import (
    PaymentStatus,
    cancellation_reason_from_provider,
    status_from_provider,
)
from parovoz_payment.domain.providers import (
    NotificationSubject,
    ProviderNotification,
    ProviderPayment,
    ProviderPaymentRequest,
    ProviderRefund,
    ProviderRefundStatus,
)
from parovoz_payment.domain.receipts import Receipt

NAME = "YooKassa"
METADATA_PAYMENT_ID = "payment_id"
#: YooKassa's ``payment_method_data.type`` for our method types.
METHOD_TYPES: Mapping[PaymentMethod, str] = {
    PaymentMethod.BANK_CARD: "bank_card",
    PaymentMethod.SBP: "sbp",
    PaymentMethod.SBERPAY: "sberbank",
    PaymentMethod.YOOMONEY: "yoo_money",
}
REFUND_STATUSES: Mapping[str, ProviderRefundStatus] = {
    "pending": ProviderRefundStatus.PENDING,
    "succeeded": ProviderRefundStatus.SUCCEEDED,
    "canceled": ProviderRefundStatus.FAILED,
}
SUBJECTS: Mapping[str, NotificationSubject] = {
    "payment": NotificationSubject.PAYMENT,
    "refund": NotificationSubject.REFUND,
    "chargeback": NotificationSubject.CHARGEBACK,
    "payout": NotificationSubject.PAYOUT,
}


def webhook_signature_invalid() -> Unauthenticated:
    return Unauthenticated(
        "The notification's signature is missing or wrong.", code="WEBHOOK_SIGNATURE_INVALID"
    )


def amount_json(money: Money) -> dict[str, str]:
    return {"value": minor_to_decimal(money.amount_minor), "currency": money.currency}


def amount_from_json(raw: Any) -> Money:
    body = raw if isinstance(raw, dict) else {}
    currency = transport.field(body, "currency", str, NAME)
    return Money(decimal_to_minor(transport.field(body, "value", str, NAME)), currency)


def receipt_json(receipt: Receipt) -> dict[str, Any]:
    customer = {
        key: value
        for key, value in (("email", receipt.customer.email), ("phone", receipt.customer.phone))
        if value
    }
    items = [
        {
            "description": item.name,
            "quantity": str(item.quantity),
            "amount": amount_json(item.unit_price),
            "vat_code": item.yookassa_vat_code,
            "payment_mode": item.payment_mode.value,
            "payment_subject": item.payment_subject.value,
        }
        for item in receipt.items
    ]
    return {"customer": customer, "items": items, "tax_system_code": receipt.tax_system_code}


class YooKassaProvider:
    name = Provider.YOOKASSA

    def __init__(self, config: ProviderConfig, client: httpx.AsyncClient | None = None) -> None:
        self._webhook_secret = config.webhook_secret.get_secret_value()
        self._client = client or yookassa_http_client(config)

    async def aclose(self) -> None:
        await self._client.aclose()

    # -- calls ---------------------------------------------------------------------------
    async def _call(
        self, method: str, path: str, body: Mapping[str, Any] | None = None, key: str | None = None
    ) -> dict[str, Any]:
        return await yookassa_call(self._client, NAME, method, path, body, key)

    async def create_payment(
        self, request: ProviderPaymentRequest, idempotency_key: str
    ) -> ProviderPayment:
        body: dict[str, Any] = {
            "amount": amount_json(request.amount),
            "capture": request.capture,
            "description": request.description[:128],
            "metadata": {**request.metadata, METADATA_PAYMENT_ID: str(request.payment_id)},
        }
        if request.saved_method_token:
            body["payment_method_id"] = request.saved_method_token
        else:
            confirmation: dict[str, Any] = {"type": "redirect"}
            if request.return_url:
                confirmation["return_url"] = request.return_url
            body["confirmation"] = confirmation
            if request.method is not None:
                body["payment_method_data"] = {"type": _method_type(request.method)}
            if request.save_method:
                body["save_payment_method"] = True
        if request.receipt is not None:
            body["receipt"] = receipt_json(request.receipt)
        return _payment(await self._call("POST", "/payments", body, idempotency_key))

    async def get_payment(self, provider_payment_id: str) -> ProviderPayment:
        return _payment(await self._call("GET", f"/payments/{_path_id(provider_payment_id)}"))

    async def capture(
        self, provider_payment_id: str, amount: Money, idempotency_key: str
    ) -> ProviderPayment:
        path = f"/payments/{_path_id(provider_payment_id)}/capture"
        return _payment(
            await self._call("POST", path, {"amount": amount_json(amount)}, idempotency_key)
        )

    async def cancel(self, provider_payment_id: str, idempotency_key: str) -> ProviderPayment:
        path = f"/payments/{_path_id(provider_payment_id)}/cancel"
        return _payment(await self._call("POST", path, {}, idempotency_key))

    async def refund(
        self,
        provider_payment_id: str,
        amount: Money,
        receipt: Receipt | None,
        idempotency_key: str,
    ) -> ProviderRefund:
        body: dict[str, Any] = {"payment_id": provider_payment_id, "amount": amount_json(amount)}
        if receipt is not None:
            body["receipt"] = receipt_json(receipt)
        return self._refund(await self._call("POST", "/refunds", body, idempotency_key))

    async def get_refund(self, provider_refund_id: str) -> ProviderRefund:
        return self._refund(await self._call("GET", f"/refunds/{_path_id(provider_refund_id)}"))

    def _refund(self, answer: dict[str, Any]) -> ProviderRefund:
        status = REFUND_STATUSES.get(str(answer.get("status")))
        if status is None:
            raise transport.provider_unavailable(
                NAME, "unknown refund status", "PROVIDER_BAD_RESPONSE"
            )
        return ProviderRefund(
            provider=self.name,
            provider_refund_id=transport.field(answer, "id", str, NAME),
            provider_payment_id=transport.field(answer, "payment_id", str, NAME),
            status=status,
            amount=amount_from_json(answer.get("amount")),
        )

    # -- notifications -------------------------------------------------------------------
    def verify_notification(self, headers: Mapping[str, str], body: bytes) -> ProviderNotification:
        if not body_signature_valid(header(headers, SIGNATURE_HEADER), body, self._webhook_secret):
            raise webhook_signature_invalid()
        try:
            notification = json.loads(body)
        except ValueError:
            notification = None
        if not isinstance(notification, dict) or notification.get("type") != "notification":
            raise _bad_notification()
        event, subject_object = notification.get("event"), notification.get("object")
        if not isinstance(event, str) or not isinstance(subject_object, dict):
            raise _bad_notification()
        subject = SUBJECTS.get(event.split(".", 1)[0])
        object_id = subject_object.get("id")
        # An id is looked up in our tables (String(64)): anything else is not one of ours.
        if subject is None or not isinstance(object_id, str) or not transport.safe(object_id):
            raise _bad_notification()
        payment_id = None
        if subject is NotificationSubject.PAYMENT:
            metadata = subject_object.get("metadata")
            raw_id = metadata.get(METADATA_PAYMENT_ID) if isinstance(metadata, dict) else None
            payment_id = _uuid_or_none(raw_id)
        dispute = None
        if subject is NotificationSubject.CHARGEBACK:
            dispute = yookassa_dispute(event, subject_object)
        return ProviderNotification(
            self.name, subject, object_id, payment_id, event, dispute=dispute
        )


def _payment(body: dict[str, Any]) -> ProviderPayment:
    status = status_from_provider(transport.field(body, "status", str, NAME))
    reason = None
    if status is PaymentStatus.CANCELLED:
        details = body.get("cancellation_details")
        raw_reason = details.get("reason") if isinstance(details, dict) else None
        reason = cancellation_reason_from_provider(
            raw_reason if isinstance(raw_reason, str) else None
        )
    method = body.get("payment_method") if isinstance(body.get("payment_method"), dict) else {}
    confirmation = body.get("confirmation") if isinstance(body.get("confirmation"), dict) else {}
    method_id = method.get("id")
    metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
    return ProviderPayment(
        provider=Provider.YOOKASSA,
        provider_payment_id=transport.field(body, "id", str, NAME),
        status=status,
        amount=amount_from_json(body.get("amount")),
        confirmation_url=confirmation.get("confirmation_url")
        if status is PaymentStatus.PENDING
        else None,
        cancellation_reason=reason,
        saved_method_token=method_id
        if method.get("saved") is True and isinstance(method_id, str)
        else None,
        method_title=method.get("title") if isinstance(method.get("title"), str) else None,
        card_fingerprint=_card_fingerprint(method.get("card")),
        order_id=_uuid_or_none(metadata.get(METADATA_PAYMENT_ID)),
    )


def _card_fingerprint(card: Any) -> str | None:
    """``payment_method.card`` (first6, last4, expiry) as the fraud rules' card identity."""
    if not isinstance(card, dict):
        return None
    parts = [card.get(name) for name in ("first6", "last4", "expiry_month", "expiry_year")]
    if not all(isinstance(part, str) for part in parts):
        return None
    return card_fingerprint(*parts)


def _method_type(method: PaymentMethod) -> str:
    try:
        return METHOD_TYPES[method]
    except KeyError:
        raise BusinessRuleViolation(
            f"{method.value} is not paid through YooKassa.", code="METHOD_NOT_SUPPORTED_BY_PROVIDER"
        ) from None


def _path_id(provider_payment_id: str) -> str:
    # YooKassa ids are UUID-like; refusing anything else keeps the URL path ours.
    if not transport.safe(provider_payment_id):
        raise transport.not_found(NAME)
    return provider_payment_id


def _uuid_or_none(raw: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw)) if raw else None
    except ValueError:
        return None


def _bad_notification() -> ValidationFailed:
    return ValidationFailed(
        "The notification is not one we understand.", code="WEBHOOK_BODY_INVALID"
    )
