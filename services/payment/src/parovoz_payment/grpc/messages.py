"""Payment's domain values <-> `parovoz.payment.v1` messages.

Enums map by name: our ``game_purchase`` is ``PAYMENT_PURPOSE_GAME_PURCHASE`` on the wire, so
a value added on both sides needs no code here.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from google.protobuf.timestamp_pb2 import Timestamp
from parovoz.common.v1 import money_pb2
from parovoz.payment.v1 import payment_service_pb2 as pb
from parovoz_kit.errors import ValidationFailed

from parovoz_payment.domain.methods import MethodChoice, PaymentMethod
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_purposes import Origin
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose
from parovoz_payment.domain.refunds import Refund, RefundDestination, RefundReason
from parovoz_payment.use_cases.payment_flow import PaymentOrder, PaymentView
from parovoz_payment.use_cases.refunds import RefundOrder

E = TypeVar("E", bound=StrEnum)


def parse_uuid(value: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ValidationFailed(
            f"{field} must be a UUID.", code="INVALID_ID", pointer=f"/{field}"
        ) from None


def optional_uuid(value: str, field: str) -> uuid.UUID | None:
    return parse_uuid(value, field) if value else None


def timestamp(moment: datetime | None) -> Timestamp | None:
    if moment is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def money_message(money: Money) -> money_pb2.Money:
    return money_pb2.Money(amount_minor=money.amount_minor, currency=money.currency)


def money_from(message: money_pb2.Money, present: bool, field: str) -> Money:
    if not present:
        raise ValidationFailed(f"{field} is required.", code="AMOUNT_REQUIRED", pointer=f"/{field}")
    return Money(message.amount_minor, message.currency)


def _to_wire(enum_type: Any, prefix: str, value: StrEnum | None) -> int:
    if value is None:
        return 0  # *_UNSPECIFIED
    return int(enum_type.Value(f"{prefix}_{value.value.upper()}"))


def _from_wire(enum_type: Any, prefix: str, number: int, domain: type[E], field: str) -> E:
    try:
        name = enum_type.Name(number)
        return domain(name.removeprefix(f"{prefix}_").lower())
    except ValueError:
        raise ValidationFailed(
            f"{field} must be one of the defined values.",
            code="INVALID_ENUM_VALUE",
            pointer=f"/{field}",
        ) from None


def purpose_from(number: int) -> PaymentPurpose:
    return _from_wire(pb.PaymentPurpose, "PAYMENT_PURPOSE", number, PaymentPurpose, "purpose")


def method_choice_from(method_type: int, saved_method_id: str) -> MethodChoice:
    """A saved method wins over the method type (the contract says the type is then ignored)."""
    if saved_method_id:
        return MethodChoice(saved_method_id=parse_uuid(saved_method_id, "saved_method_id"))
    if method_type == pb.PAYMENT_METHOD_TYPE_UNSPECIFIED:
        return MethodChoice()
    method = _from_wire(
        pb.PaymentMethodType, "PAYMENT_METHOD_TYPE", method_type, PaymentMethod, "method_type"
    )
    return MethodChoice(method=method)


def payment_order(request: pb.CreatePaymentRequest, caller: str) -> PaymentOrder:
    """The order the REST API would build from the same request, started by ``caller`` (the
    verified token's subject: only the service owning the purpose may start it)."""
    return PaymentOrder(
        origin=Origin.grpc(caller),
        user_id=parse_uuid(request.user_id, "user_id"),
        purpose=purpose_from(request.purpose),
        amount=money_from(request.amount, request.HasField("amount"), "amount"),
        region=request.region,
        choice=method_choice_from(request.method_type, request.saved_method_id),
        return_url=request.return_url or None,
        use_wallet=request.use_wallet,
        save_method=request.save_method,
        reference=request.reference or None,
        game_id=optional_uuid(request.game_id, "game_id"),
        metadata=dict(request.metadata),
        customer_email=request.customer.email or None,
    )


def charge_order(request: pb.ChargeSavedMethodRequest, caller: str) -> PaymentOrder:
    """An off-session charge: the order CreatePayment would build with the saved method."""
    if not request.saved_method_id:
        raise ValidationFailed(
            "saved_method_id is required.", code="SAVED_METHOD_REQUIRED", pointer="/saved_method_id"
        )
    return PaymentOrder(
        origin=Origin.grpc(caller),
        user_id=parse_uuid(request.user_id, "user_id"),
        purpose=purpose_from(request.purpose),
        amount=money_from(request.amount, request.HasField("amount"), "amount"),
        region=request.region or "RU",
        choice=MethodChoice(saved_method_id=parse_uuid(request.saved_method_id, "saved_method_id")),
        return_url=None,  # nobody is there to come back
        reference=request.reference or None,
        metadata=dict(request.metadata),
        customer_email=request.customer.email or None,
    )


def refund_order(request: pb.RefundRequest, caller: str) -> RefundOrder:
    """A service's refund: it may refund any payment (no viewer); the audit names who asked."""
    reason = _from_wire(pb.RefundReason, "REFUND_REASON", request.reason, RefundReason, "reason")
    destination = RefundDestination.ORIGINAL_METHOD
    if request.destination != pb.REFUND_DESTINATION_UNSPECIFIED:
        destination = _from_wire(
            pb.RefundDestination,
            "REFUND_DESTINATION",
            request.destination,
            RefundDestination,
            "destination",
        )
    amount = None
    if request.HasField("amount"):
        amount = Money(request.amount.amount_minor, request.amount.currency)
    return RefundOrder(
        payment_id=parse_uuid(request.payment_id, "payment_id"),
        viewer=None,
        actor=request.requested_by or caller,
        amount=amount,
        reason=reason,
        destination=destination,
        comment=request.comment or None,
    )


def refund_message(refund: Refund) -> pb.Refund:
    return pb.Refund(
        id=str(refund.id),
        payment_id=str(refund.payment_id),
        status=_to_wire(pb.RefundStatus, "REFUND_STATUS", refund.status),
        amount=money_message(refund.amount),
        reason=_to_wire(pb.RefundReason, "REFUND_REASON", refund.reason),
        destination=_to_wire(pb.RefundDestination, "REFUND_DESTINATION", refund.destination),
        failure_reason=refund.failure_reason or "",
        created_at=timestamp(refund.created_at),
        updated_at=timestamp(refund.updated_at),
        succeeded_at=timestamp(refund.succeeded_at),
    )


def payment_message(view: PaymentView) -> pb.Payment:
    payment = view.payment
    return pb.Payment(
        id=str(payment.id),
        status=_to_wire(pb.PaymentStatus, "PAYMENT_STATUS", payment.status),
        cancellation_reason=_to_wire(
            pb.CancellationReason, "CANCELLATION_REASON", payment.cancellation_reason
        ),
        purpose=_to_wire(pb.PaymentPurpose, "PAYMENT_PURPOSE", payment.purpose),
        amount=money_message(payment.amount),
        # Coupons and gift cards are not built yet: no discount on any payment.
        discount_amount=money_message(Money.zero(payment.currency)),
        wallet_amount=money_message(payment.wallet_amount),
        refunded_amount=money_message(payment.refunded_amount),
        user_id=str(payment.user_id),
        reference=payment.reference or "",
        method_type=_to_wire(pb.PaymentMethodType, "PAYMENT_METHOD_TYPE", payment.method),
        confirmation_url=view.confirmation_url or "",
        saved_method_id=str(payment.saved_method_id) if payment.saved_method_id else "",
        region=payment.region,
        game_id=str(payment.game_id) if payment.game_id else "",
        metadata=dict(payment.metadata),
        created_at=timestamp(payment.created_at),
        updated_at=timestamp(payment.updated_at),
        expires_at=timestamp(payment.expires_at),
        succeeded_at=timestamp(payment.succeeded_at),
    )
