"""T-Bank acquiring API v2 adapter (https://www.tbank.ru/kassa/dev/payments/): Init, GetState,
CheckOrder, Confirm, Cancel, Charge and notifications, in our vocabulary.

Every request is a JSON POST signed with ``Token`` (see ``signatures.py``); T-Bank answers
HTTP 200 even for errors, with ``Success: false`` and an ``ErrorCode``. Amounts are integer
kopecks and the terminal takes roubles only.

Saved cards: a payment with ``Recurrent=Y`` + ``CustomerKey`` yields a ``RebillId`` — told only
in the notifications (``ProviderNotification.saved_method_token``), not by ``GetState``. An
off-session charge is ``Init`` (never shown to anyone) followed by ``Charge`` with the
``RebillId``; ``create_payment`` does both. ``Init`` has no idempotency at T-Bank (each call is
a new payment even with the same ``OrderId``): the use case must store the provider's id before
it retries, or cancel the orphan.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

import httpx
from parovoz_kit.errors import BusinessRuleViolation, Unauthenticated, ValidationFailed

from parovoz_payment.clients.providers import tbank_values as values
from parovoz_payment.clients.providers import transport
from parovoz_payment.clients.providers.config import ProviderConfig
from parovoz_payment.clients.providers.disputes import TBANK_STATUSES as TBANK_DISPUTE_STATUSES
from parovoz_payment.clients.providers.disputes import tbank_dispute
from parovoz_payment.clients.providers.signatures import (
    SIGNATURE_HEADER,
    body_signature_valid,
    header,
    tbank_token,
    tbank_token_valid,
)
from parovoz_payment.domain.fraud import card_fingerprint
from parovoz_payment.domain.methods import PaymentMethod, Provider
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_vocabulary import CancellationReason, PaymentStatus
from parovoz_payment.domain.providers import (
    FiscalNotice,
    NotificationSubject,
    ProviderNotification,
    ProviderPayment,
    ProviderPaymentRequest,
    ProviderRefund,
    ProviderRefundStatus,
)
from parovoz_payment.domain.receipts import Receipt

NAME = "T-Bank"
CURRENCY = "RUB"
#: Metadata key whose value becomes ``CustomerKey`` of a card-saving payment.
CUSTOMER_KEY_METADATA = "user_id"


class TBankProvider:
    name = Provider.TBANK

    def __init__(self, config: ProviderConfig, client: httpx.AsyncClient | None = None) -> None:
        self._terminal_key = config.tbank_terminal_key
        self._password = config.tbank_password.get_secret_value()
        self._notification_url = config.tbank_notification_url
        self._webhook_secret = config.webhook_secret.get_secret_value()
        self._client = client or httpx.AsyncClient(
            base_url=config.tbank_base_url.rstrip("/") + "/v2", timeout=config.timeout()
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _call(
        self, operation: str, params: Mapping[str, Any], *, declines_allowed: bool = False
    ) -> dict[str, Any]:
        signed = {"TerminalKey": self._terminal_key, **params}
        signed["Token"] = tbank_token(signed, self._password)
        response = await transport.send(self._client, NAME, "POST", f"/{operation}", json=signed)
        if response.status_code >= 400:
            transport.log.warning("%s %s answered HTTP %d", NAME, operation, response.status_code)
            raise transport.ProviderRejected(
                f"{NAME} refused the request (HTTP {response.status_code})."
            )
        body = transport.json_object(response, NAME)
        if body.get("Success") is True:
            return body
        code = transport.safe(body.get("ErrorCode")) or "unknown"
        transport.log.warning("%s %s refused: ErrorCode=%s", NAME, operation, code)
        if code in values.AUTH_ERROR_CODES:
            raise transport.provider_unavailable(
                NAME, "credentials refused", "PROVIDER_AUTH_FAILED"
            )
        if code in values.UNAVAILABLE_CODES:
            raise transport.provider_unavailable(NAME, f"ErrorCode {code}")
        if code in values.NOT_FOUND_CODES:
            raise transport.not_found(NAME)
        if declines_allowed and code in values.DECLINE_CODES:
            return body
        raise transport.ProviderRejected(f"{NAME} refused the request (ErrorCode {code}).")

    # -- payments ------------------------------------------------------------------------
    async def create_payment(
        self, request: ProviderPaymentRequest, idempotency_key: str
    ) -> ProviderPayment:
        if request.amount.currency != CURRENCY:
            raise BusinessRuleViolation(
                f"{NAME} takes payments in {CURRENCY} only.",
                code="CURRENCY_NOT_SUPPORTED_BY_PROVIDER",
            )
        if request.method not in (None, PaymentMethod.BANK_CARD):
            raise BusinessRuleViolation(
                f"{request.method.value} is not paid through {NAME}.",
                code="METHOD_NOT_SUPPORTED_BY_PROVIDER",
            )
        params: dict[str, Any] = {
            "Amount": request.amount.amount_minor,
            "OrderId": str(request.payment_id),
            "Description": request.description[:140],
            "PayType": "O" if request.capture else "T",
        }
        if self._notification_url:
            params["NotificationURL"] = self._notification_url
        if request.return_url:
            params |= {"SuccessURL": request.return_url, "FailURL": request.return_url}
        if request.save_method and not request.saved_method_token:
            customer = request.metadata.get(CUSTOMER_KEY_METADATA) or str(request.payment_id)
            params |= {"Recurrent": "Y", "CustomerKey": customer}
        if request.receipt is not None:
            params["Receipt"] = values.receipt_json(
                request.receipt, electronic_minor=request.amount.amount_minor
            )
        init = await self._call("Init", params)
        payment_id = str(transport.field(init, "PaymentId", str | int, NAME))
        if request.saved_method_token:
            return await self._charge(payment_id, request.saved_method_token, request.amount)
        return ProviderPayment(
            provider=self.name,
            provider_payment_id=payment_id,
            status=values.STATUSES.get(str(init.get("Status")), PaymentStatus.PENDING),
            amount=request.amount,
            confirmation_url=init.get("PaymentURL")
            if isinstance(init.get("PaymentURL"), str)
            else None,
        )

    async def _charge(self, payment_id: str, rebill_id: str, amount: Money) -> ProviderPayment:
        answer = await self._call(
            "Charge", {"PaymentId": payment_id, "RebillId": rebill_id}, declines_allowed=True
        )
        if answer.get("Success") is True:
            return self._payment(answer, amount_minor=answer.get("Amount", amount.amount_minor))
        reason = values.decline_reason(answer.get("ErrorCode"))
        if answer.get("Status") != "REJECTED":
            # Refused before any card operation (e.g. the RebillId is gone): close the Init.
            await self._call("Cancel", {"PaymentId": payment_id})
        return ProviderPayment(self.name, payment_id, PaymentStatus.CANCELLED, amount, None, reason)

    async def get_payment(self, provider_payment_id: str) -> ProviderPayment:
        state = await self._call("GetState", {"PaymentId": provider_payment_id})
        reason = None
        if str(state.get("Status")) in values.DECLINED_STATUSES:
            reason = await self._decline_reason(provider_payment_id, state.get("OrderId"))
        return self._payment(state, reason=reason)

    async def _decline_reason(self, payment_id: str, order_id: Any) -> CancellationReason:
        # GetState does not say why a payment was declined; CheckOrder lists each attempt's code.
        if not isinstance(order_id, str):
            return CancellationReason.PROVIDER_ERROR
        order = await self._call("CheckOrder", {"OrderId": order_id})
        for attempt in order.get("Payments") or ():
            if isinstance(attempt, dict) and str(attempt.get("PaymentId")) == payment_id:
                return values.decline_reason(attempt.get("ErrorCode"))
        return CancellationReason.PROVIDER_ERROR

    async def capture(
        self, provider_payment_id: str, amount: Money, idempotency_key: str
    ) -> ProviderPayment:
        await self._call(
            "Confirm", {"PaymentId": provider_payment_id, "Amount": amount.amount_minor}
        )
        return await self.get_payment(provider_payment_id)

    async def cancel(self, provider_payment_id: str, idempotency_key: str) -> ProviderPayment:
        await self._call(
            "Cancel", {"PaymentId": provider_payment_id, "ExternalRequestId": idempotency_key}
        )
        return await self.get_payment(provider_payment_id)

    async def refund(
        self,
        provider_payment_id: str,
        amount: Money,
        receipt: Receipt | None,
        idempotency_key: str,
    ) -> ProviderRefund:
        params: dict[str, Any] = {
            "PaymentId": provider_payment_id,
            "Amount": amount.amount_minor,
            # T-Bank answers a repeated ExternalRequestId with the first operation's result.
            "ExternalRequestId": idempotency_key,
        }
        if receipt is not None:
            params["Receipt"] = values.receipt_json(receipt, electronic_minor=amount.amount_minor)
        answer = await self._call("Cancel", params, declines_allowed=True)
        status = ProviderRefundStatus.SUCCEEDED
        if answer.get("Success") is not True:
            status = ProviderRefundStatus.FAILED
        elif answer.get("Status") not in ("REFUNDED", "PARTIAL_REFUNDED"):
            status = ProviderRefundStatus.PENDING
        return ProviderRefund(
            provider=self.name,
            # T-Bank has no refund object: the operation is named by our key on its payment.
            provider_refund_id=f"{provider_payment_id}:{idempotency_key}",
            provider_payment_id=provider_payment_id,
            status=status,
            amount=amount,
        )

    async def send_closing_receipt(self, provider_payment_id: str, receipt: Receipt) -> None:
        """54-FZ's closing receipt (``SendClosingReceipt``): goods handed over against an
        advance T-Bank took in ``provider_payment_id`` (a wallet top-up). The fiscal data
        operator's answer comes later as a ``RECEIPT`` notification."""
        await self._call(
            "SendClosingReceipt",
            {
                "PaymentId": provider_payment_id,
                "Receipt": values.receipt_json(receipt, electronic_minor=0),
            },
        )

    async def get_refund(self, provider_refund_id: str) -> ProviderRefund:
        """T-Bank has no refund object: a refund left in progress is followed on its payment's
        state. Refunded (fully or partly) means done; still refunding means pending; back to
        confirmed means the bank gave up on it."""
        provider_payment_id = provider_refund_id.split(":", 1)[0]
        state = await self._call("GetState", {"PaymentId": provider_payment_id})
        raw = str(state.get("Status"))
        status = ProviderRefundStatus.PENDING
        if raw in ("REFUNDED", "PARTIAL_REFUNDED"):
            status = ProviderRefundStatus.SUCCEEDED
        elif raw == "CONFIRMED":
            status = ProviderRefundStatus.FAILED
        return ProviderRefund(
            provider=self.name,
            provider_refund_id=provider_refund_id,
            provider_payment_id=provider_payment_id,
            status=status,
            amount=Money(int(state.get("Amount") or 0), CURRENCY),
        )

    def _payment(
        self,
        body: Mapping[str, Any],
        *,
        reason: CancellationReason | None = None,
        amount_minor: Any = None,
    ) -> ProviderPayment:
        raw_status = str(body.get("Status"))
        status = values.STATUSES.get(raw_status)
        if status is None:
            raise transport.provider_unavailable(NAME, "unknown status", "PROVIDER_BAD_RESPONSE")
        if status is PaymentStatus.CANCELLED and reason is None:
            reason = values.FIXED_REASONS.get(raw_status, CancellationReason.PROVIDER_ERROR)
        amount = body.get("Amount") if amount_minor is None else amount_minor
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise transport.provider_unavailable(NAME, "unreadable amount", "PROVIDER_BAD_RESPONSE")
        return ProviderPayment(
            provider=self.name,
            provider_payment_id=str(transport.field(body, "PaymentId", str | int, NAME)),
            status=status,
            amount=Money(amount, CURRENCY),
            cancellation_reason=reason if status is PaymentStatus.CANCELLED else None,
            order_id=_uuid_or_none(body.get("OrderId")),
        )

    # -- notifications -------------------------------------------------------------------
    def verify_notification(self, headers: Mapping[str, str], body: bytes) -> ProviderNotification:
        signature = header(headers, SIGNATURE_HEADER)
        if signature is not None and not body_signature_valid(
            signature, body, self._webhook_secret
        ):
            raise _signature_invalid()
        try:
            params = json.loads(body)
        except ValueError:
            raise _signature_invalid() from None
        if not isinstance(params, dict) or not tbank_token_valid(params, self._password):
            raise _signature_invalid()
        if str(params.get("TerminalKey")) != self._terminal_key:
            raise _signature_invalid()
        status, payment_id = params.get("Status"), params.get("PaymentId")
        # Ids are looked up in our tables (String(64)): a list, an object or a long text is
        # not one of ours (400, never a driver's error).
        if (
            not isinstance(status, str)
            or not isinstance(payment_id, str | int)
            or isinstance(payment_id, bool)
            or not transport.safe(payment_id)
            or not isinstance(params.get("ChargebackId"), str | int | None)
            or (params.get("ChargebackId") and not transport.safe(params.get("ChargebackId")))
            or not isinstance(params.get("RebillId"), str | int | None)
            or len(str(params.get("RebillId") or "")) > 255
        ):
            raise ValidationFailed(
                "The notification is not one we understand.", code="WEBHOOK_BODY_INVALID"
            )
        subject, object_id = NotificationSubject.PAYMENT, str(payment_id)
        fiscal, dispute = None, None
        if status == "RECEIPT":
            subject, fiscal = NotificationSubject.RECEIPT, _fiscal_notice(params)
        elif status in TBANK_DISPUTE_STATUSES:
            subject = NotificationSubject.CHARGEBACK
            object_id = str(params.get("ChargebackId") or payment_id)
            dispute = tbank_dispute(status, params, CURRENCY)
        rebill_id = params.get("RebillId")
        return ProviderNotification(
            provider=self.name,
            subject=subject,
            provider_object_id=object_id,
            payment_id=_uuid_or_none(params.get("OrderId")),
            event=status,
            saved_method_token=None if rebill_id in (None, "") else str(rebill_id),
            card_fingerprint=_card_fingerprint(params.get("Pan"), params.get("ExpDate")),
            fiscal=fiscal,
            dispute=dispute,
        )


def _fiscal_notice(params: Mapping[str, Any]) -> FiscalNotice:
    """T-Bank's fiscalisation notification: ``Type`` Income (a payment's receipt, a closing
    one too) or IncomeReturn (a refund's), ``Amount`` the receipt's total."""
    amount, kind = params.get("Amount"), params.get("Type")
    if isinstance(amount, bool) or not isinstance(amount, int) or kind not in values.RECEIPT_TYPES:
        raise ValidationFailed(
            "The receipt notification is not one we understand.", code="WEBHOOK_BODY_INVALID"
        )
    drive, document = params.get("FnNumber"), params.get("FiscalDocumentNumber")
    registered = params.get("Success") is True and str(params.get("ErrorCode", "0")) == "0"
    if registered and drive and document:
        # The fiscal drive (16 digits) and document number name the receipt (String(64)).
        if not all(isinstance(v, str | int) and transport.safe(v) for v in (drive, document)):
            raise ValidationFailed(
                "The receipt notification is not one we understand.",
                code="WEBHOOK_BODY_INVALID",
            )
        if len(f"{drive}:{document}") > 64:
            raise ValidationFailed(
                "The receipt notification is not one we understand.",
                code="WEBHOOK_BODY_INVALID",
            )
    return FiscalNotice(
        refund=kind == "IncomeReturn",
        amount_minor=amount,
        registered=registered,
        document_id=f"{drive}:{document}" if registered and drive and document else None,
    )


def _card_fingerprint(pan: Any, expiry: Any) -> str | None:
    """A notification's masked ``Pan`` ("220220******1234") and ``ExpDate`` ("MMYY") as the
    fraud rules' card identity (the same one YooKassa's first6/last4/expiry give)."""
    if not isinstance(pan, str) or not isinstance(expiry, str) or len(pan) < 10:
        return None
    if len(expiry) != 4:
        return None
    return card_fingerprint(pan[:6], pan[-4:], expiry[:2], expiry[2:])


def _signature_invalid() -> Unauthenticated:
    return Unauthenticated(
        "The notification's signature is missing or wrong.", code="WEBHOOK_SIGNATURE_INVALID"
    )


def _uuid_or_none(raw: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw)) if raw else None
    except ValueError:
        return None
