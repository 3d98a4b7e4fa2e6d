"""payment over gRPC: a submission fee through ``CreatePayment`` (purpose GREENLIGHT_FEE) and
its refund through ``Refund`` (reason SUBMISSION_WITHDRAWN: payment refunds a greenlight fee
at once, without review, when greenlight itself asks with that reason). Service token,
deadline and circuit breaker come from the kit's peer client.

Every call carries an idempotency key (payment keeps it 24 hours and answers a repeat with the
first response), so the kit retries them safely. The receipt is one 54-FZ line: a service paid
in full, VAT-inclusive price.

payment down or its breaker open: ``Unavailable`` ``PAYMENT_UNAVAILABLE`` (503); payment's
business refusals (422/409/404) keep their code.
"""

from __future__ import annotations

import logging
import uuid

from parovoz.common.v1 import money_pb2
from parovoz.payment.v1 import payment_service_pb2 as pb
from parovoz.payment.v1.payment_service_pb2_grpc import PaymentServiceStub
from parovoz_kit.errors import BusinessRuleViolation, Conflict, NotFound, ParovozError, Unavailable
from parovoz_kit.infrastructure import Infrastructure

from parovoz_greenlight.fees.rules import FeeRules
from parovoz_greenlight.fees.service import FeePayment, FeeRefund

log = logging.getLogger(__name__)

#: Every method is keyed: a retry after a timeout returns the first answer.
IDEMPOTENT_METHODS = frozenset({"CreatePayment", "Refund"})
_MAX_TEXT = 128


def _money(amount_minor: int, currency: str) -> money_pb2.Money:
    return money_pb2.Money(amount_minor=amount_minor, currency=currency)


def payment_unavailable() -> Unavailable:
    return Unavailable(
        "Payments are taken by the payment service, which cannot be reached; try again shortly.",
        code="PAYMENT_UNAVAILABLE",
    )


def _translated(error: ParovozError, method: str) -> ParovozError:
    """payment's refusal for our caller: a business rule, a lost race or a missing payment
    keeps payment's code; anything else (payment down, or refusing a request we built: our
    fault, never the developer's) is 503 PAYMENT_UNAVAILABLE."""
    if isinstance(error, BusinessRuleViolation | Conflict | NotFound):
        return error
    if not isinstance(error, Unavailable):
        log.error("payment refused %s: %s %s", method, error.code, error.detail)
    return payment_unavailable()


class PaymentClient:
    """fees' ``Payments`` port, answered by payment's PaymentService."""

    def __init__(self, infrastructure: Infrastructure) -> None:
        target = infrastructure.settings.payment_grpc_target  # type: ignore[attr-defined]
        peer = infrastructure.peer("payment", target, IDEMPOTENT_METHODS)
        self._stub = peer.stub(PaymentServiceStub)
        self.fee_rules: FeeRules = infrastructure.settings.fee_rules()  # type: ignore[attr-defined]

    async def create_fee_payment(
        self,
        *,
        user_id: uuid.UUID,
        amount_minor: int,
        currency: str,
        vat_code: str,
        region: str,
        reference: str,
        item_name: str,
        description: str,
        return_url: str,
        idempotency_key: str,
        metadata: dict[str, str],
    ) -> FeePayment:
        item = pb.ReceiptItem(
            name=item_name[:_MAX_TEXT],
            quantity=1,
            unit_price=_money(amount_minor, currency),
            vat_code=pb.VatCode.Value(f"VAT_CODE_{vat_code.upper()}"),
            payment_subject=pb.PAYMENT_SUBJECT_SERVICE,
            payment_mode=pb.PAYMENT_MODE_FULL_PAYMENT,
        )
        request = pb.CreatePaymentRequest(
            idempotency_key=idempotency_key,
            purpose=pb.PAYMENT_PURPOSE_GREENLIGHT_FEE,
            amount=_money(amount_minor, currency),
            user_id=str(user_id),
            reference=reference,
            receipt_items=[item],
            return_url=return_url,
            region=region,
            description=description[:_MAX_TEXT],
            metadata=metadata,
        )
        try:
            reply = await self._stub.CreatePayment(request)
        except ParovozError as error:
            raise _translated(error, "CreatePayment") from None
        payment = reply.payment
        return FeePayment(
            payment_id=uuid.UUID(payment.id), confirmation_url=payment.confirmation_url or None
        )

    async def refund_fee_payment(
        self,
        *,
        payment_id: uuid.UUID,
        idempotency_key: str,
        requested_by: str,
        comment: str,
    ) -> FeeRefund:
        request = pb.RefundRequest(
            idempotency_key=idempotency_key,
            payment_id=str(payment_id),
            reason=pb.REFUND_REASON_SUBMISSION_WITHDRAWN,
            comment=comment[:500],
            destination=pb.REFUND_DESTINATION_ORIGINAL_METHOD,
            requested_by=requested_by,
        )
        try:
            reply = await self._stub.Refund(request)
        except ParovozError as error:
            raise _translated(error, "Refund") from None
        refund = reply.refund
        status = pb.RefundStatus.Name(refund.status).removeprefix("REFUND_STATUS_").lower()
        return FeeRefund(refund_id=uuid.UUID(refund.id), status=status)


def payment_client(infrastructure: Infrastructure) -> PaymentClient:
    """The process's one client of payment."""
    return infrastructure.shared("payment-client", lambda: PaymentClient(infrastructure))


__all__ = ["IDEMPOTENT_METHODS", "PaymentClient", "payment_client", "payment_unavailable"]
