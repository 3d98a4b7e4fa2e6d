"""payment over gRPC: the first payment of a subscription (and the 1.00 RUB card verification)
through ``CreatePayment``, renewals through ``ChargeSavedMethod``, ``Refund`` and
``GetPayment`` (service token, deadline and circuit breaker from the kit's PeerClient).

Every call carries an idempotency key (payment keeps it 24 hours and answers a repeat with the
first response), so every call is retried safely by the kit. Receipts follow 54-FZ: one line,
VAT-inclusive price, VAT 22 %, a service paid in full.

payment down or its breaker open: ``Unavailable`` with code ``PAYMENT_UNAVAILABLE`` (503).
A saved method payment no longer accepts (revoked, unknown, user blocked) is answered by
``charge_saved_method`` as a hard-declined outcome, not an error: the renewal job records it.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC

from parovoz.common.v1 import money_pb2
from parovoz.payment.v1 import payment_service_pb2 as pb
from parovoz.payment.v1.payment_service_pb2_grpc import PaymentServiceStub
from parovoz_kit.errors import (
    BusinessRuleViolation,
    Conflict,
    NotFound,
    ParovozError,
    PermissionDenied,
    Unavailable,
)
from parovoz_kit.infrastructure import Infrastructure

from parovoz_subscription.billing.domain.charges import (
    PaymentOutcome,
    PaymentPurpose,
    PaymentState,
    RefundOutcome,
    RefundState,
    is_hard_decline,
)

log = logging.getLogger(__name__)

#: Every method is keyed (or a read): a retry after a timeout returns the first answer.
IDEMPOTENT_METHODS = frozenset({"CreatePayment", "ChargeSavedMethod", "Refund", "GetPayment"})

_MAX_TEXT = 128
_STATES = {
    pb.PAYMENT_STATUS_SUCCEEDED: PaymentState.SUCCEEDED,
    pb.PAYMENT_STATUS_CANCELLED: PaymentState.CANCELLED,
}
_PURPOSES = {
    PaymentPurpose.SUBSCRIPTION: pb.PAYMENT_PURPOSE_SUBSCRIPTION,
    PaymentPurpose.CARD_VERIFICATION: pb.PAYMENT_PURPOSE_CARD_VERIFICATION,
}
#: Refusals of a saved-method charge that mean "this method cannot be charged": the subscriber
#: must give a new one (a hard decline), with payment's reason as the decline code.
_METHOD_REFUSALS = {
    "SAVED_METHOD_NOT_FOUND": "payment_method_unavailable",
    "SAVED_METHOD_REVOKED": "payment_method_unavailable",
    "PAYMENT_METHOD_UNAVAILABLE": "payment_method_unavailable",
    "METHOD_NOT_AVAILABLE_FOR_CURRENCY": "payment_method_unavailable",
    "USER_BLOCKED": "user_blocked",
    "PAYMENT_BLOCKED": "user_blocked",
}


def _money(amount_minor: int, currency: str) -> money_pb2.Money:
    return money_pb2.Money(amount_minor=amount_minor, currency=currency)


def _receipt(name: str, amount_minor: int, currency: str) -> list[pb.ReceiptItem]:
    """One 54-FZ line: the subscription period (or verification) as a service, VAT 22 %."""
    return [
        pb.ReceiptItem(
            name=name[:_MAX_TEXT],
            quantity=1,
            unit_price=_money(amount_minor, currency),
            vat_code=pb.VAT_CODE_VAT_22,
            payment_subject=pb.PAYMENT_SUBJECT_SERVICE,
            payment_mode=pb.PAYMENT_MODE_FULL_PAYMENT,
        )
    ]


def _enum_name(enum_type: object, prefix: str, number: int) -> str | None:
    if number == 0:
        return None
    name: str = enum_type.Name(number)  # type: ignore[attr-defined]
    return name.removeprefix(prefix).lower()


def outcome_of(payment: pb.Payment) -> PaymentOutcome:
    """payment's ``Payment`` message as billing's value object."""
    decline = _enum_name(pb.CancellationReason, "CANCELLATION_REASON_", payment.cancellation_reason)
    state = _STATES.get(payment.status, PaymentState.PENDING)
    return PaymentOutcome(
        payment_id=uuid.UUID(payment.id),
        status=state,
        amount_minor=payment.amount.amount_minor,
        currency=payment.amount.currency,
        confirmation_url=payment.confirmation_url or None,
        saved_method_id=payment.saved_method_id or None,
        decline_code=decline if state is PaymentState.CANCELLED else None,
        hard_decline=state is PaymentState.CANCELLED and is_hard_decline(decline),
        user_id=uuid.UUID(payment.user_id) if payment.user_id else None,
        reference=payment.reference or None,
        purpose=_enum_name(pb.PaymentPurpose, "PAYMENT_PURPOSE_", payment.purpose),
        refunded_minor=payment.refunded_amount.amount_minor,
        succeeded_at=(
            payment.succeeded_at.ToDatetime(tzinfo=UTC)
            if payment.HasField("succeeded_at")
            else None
        ),
    )


def _refund_of(refund: pb.Refund) -> RefundOutcome:
    status = _enum_name(pb.RefundStatus, "REFUND_STATUS_", refund.status)
    return RefundOutcome(
        refund_id=uuid.UUID(refund.id),
        payment_id=uuid.UUID(refund.payment_id),
        status=RefundState(status or RefundState.PENDING.value),
        amount_minor=refund.amount.amount_minor,
        currency=refund.amount.currency,
        failure_reason=refund.failure_reason or None,
    )


def payment_unavailable() -> Unavailable:
    return Unavailable(
        "Payments are taken by the payment service, which cannot be reached; try again shortly.",
        code="PAYMENT_UNAVAILABLE",
    )


def _translated(error: ParovozError, method: str) -> ParovozError:
    """payment's refusal as an error for our caller: a business rule (422) or a lost race
    (409) keeps payment's code; a missing payment is 404; anything else (payment down, or
    refusing a request we built: our fault, never the user's) is 503 PAYMENT_UNAVAILABLE."""
    if isinstance(error, BusinessRuleViolation | Conflict | NotFound):
        return error
    if not isinstance(error, Unavailable):
        log.error("payment refused %s: %s %s", method, error.code, error.detail)
    return payment_unavailable()


class PaymentClient:
    """billing's ``Payments`` port, answered by payment's PaymentService."""

    def __init__(self, infrastructure: Infrastructure) -> None:
        target = infrastructure.settings.payment_grpc_target  # type: ignore[attr-defined]
        peer = infrastructure.peer("payment", target, IDEMPOTENT_METHODS)
        self._stub = peer.stub(PaymentServiceStub)

    async def create_payment(
        self,
        *,
        purpose: PaymentPurpose,
        user_id: uuid.UUID,
        amount_minor: int,
        currency: str,
        reference: str,
        item_name: str,
        region: str,
        description: str,
        return_url: str,
        save_method: bool,
        idempotency_key: str,
        metadata: dict[str, str] | None = None,
    ) -> PaymentOutcome:
        request = pb.CreatePaymentRequest(
            idempotency_key=idempotency_key,
            purpose=_PURPOSES[purpose],
            amount=_money(amount_minor, currency),
            user_id=str(user_id),
            reference=reference,
            receipt_items=_receipt(item_name, amount_minor, currency),
            # A card: the only method payment can save for later charges and verify.
            method_type=pb.PAYMENT_METHOD_TYPE_BANK_CARD,
            save_method=save_method,
            return_url=return_url,
            region=region,
            description=description[:_MAX_TEXT],
            metadata=metadata or {},
        )
        try:
            reply = await self._stub.CreatePayment(request)
        except ParovozError as error:
            raise _translated(error, "CreatePayment") from None
        return outcome_of(reply.payment)

    async def charge_saved_method(
        self,
        *,
        saved_method_id: str,
        user_id: uuid.UUID,
        amount_minor: int,
        currency: str,
        reference: str,
        item_name: str,
        region: str,
        description: str,
        idempotency_key: str,
        metadata: dict[str, str] | None = None,
    ) -> PaymentOutcome:
        request = pb.ChargeSavedMethodRequest(
            idempotency_key=idempotency_key,
            saved_method_id=saved_method_id,
            user_id=str(user_id),
            amount=_money(amount_minor, currency),
            purpose=pb.PAYMENT_PURPOSE_SUBSCRIPTION,
            reference=reference,
            receipt_items=_receipt(item_name, amount_minor, currency),
            region=region,
            description=description[:_MAX_TEXT],
            metadata=metadata or {},
        )
        try:
            reply = await self._stub.ChargeSavedMethod(request)
        except (BusinessRuleViolation, NotFound, PermissionDenied) as error:
            # The method cannot be charged at all: no payment exists, the decline is hard.
            decline = _METHOD_REFUSALS.get(error.code)
            if decline is None and isinstance(error, NotFound):
                decline = "payment_method_unavailable"
            if decline is None:
                raise _translated(error, "ChargeSavedMethod") from None
            log.info("saved method refused by payment: %s", error.code)
            return PaymentOutcome(
                payment_id=None,
                status=PaymentState.CANCELLED,
                amount_minor=amount_minor,
                currency=currency,
                saved_method_id=saved_method_id,
                decline_code=decline,
                hard_decline=True,
                user_id=user_id,
                reference=reference,
                purpose=PaymentPurpose.SUBSCRIPTION.value,
            )
        except ParovozError as error:
            raise _translated(error, "ChargeSavedMethod") from None
        return outcome_of(reply.payment)

    async def refund(
        self,
        *,
        payment_id: uuid.UUID,
        amount_minor: int | None,
        currency: str,
        idempotency_key: str,
        requested_by: str,
        comment: str | None = None,
    ) -> RefundOutcome:
        request = pb.RefundRequest(
            idempotency_key=idempotency_key,
            payment_id=str(payment_id),
            reason=pb.REFUND_REASON_SUBSCRIPTION_ADJUSTMENT,
            comment=(comment or "")[:500],
            destination=pb.REFUND_DESTINATION_ORIGINAL_METHOD,
            requested_by=requested_by,
        )
        if amount_minor is not None:
            request.amount.CopyFrom(_money(amount_minor, currency))
        try:
            reply = await self._stub.Refund(request)
        except ParovozError as error:
            raise _translated(error, "Refund") from None
        return _refund_of(reply.refund)

    async def get_payment(self, payment_id: uuid.UUID) -> PaymentOutcome:
        try:
            reply = await self._stub.GetPayment(pb.GetPaymentRequest(payment_id=str(payment_id)))
        except ParovozError as error:
            raise _translated(error, "GetPayment") from None
        return outcome_of(reply.payment)


def payment_client(infrastructure: Infrastructure) -> PaymentClient:
    """The process's one client of payment."""
    return infrastructure.shared("payment-client", lambda: PaymentClient(infrastructure))


__all__ = ["IDEMPOTENT_METHODS", "PaymentClient", "outcome_of", "payment_client"]
