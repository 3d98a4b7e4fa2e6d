"""YooKassa payments and refunds in memory: states, transitions, the objects the API answers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from standin_provider_sandbox.cards import Card
from standin_provider_sandbox.notifier import Notifier, now_utc
from standin_provider_sandbox.outcomes import Outcome
from standin_provider_sandbox.yookassa_values import (
    format_amount,
    invalid,
    not_found,
    payment_method_details,
)

CAPTURE_WINDOW = timedelta(days=7)


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Chargeback:
    id: str
    payment_id: str
    amount_minor: int
    currency: str
    reason: str
    created_at: datetime
    #: opened, then won (the money comes back to the shop) or lost.
    status: str = "opened"

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "payment_id": self.payment_id,
            "status": self.status,
            "amount": format_amount(self.amount_minor, self.currency),
            "reason": self.reason,
            "created_at": iso(self.created_at),
            "test": True,
        }


@dataclass
class YooPayment:
    id: str
    amount_minor: int
    currency: str
    capture: bool
    description: str | None
    metadata: dict[str, Any]
    method_type: str | None
    save_method: bool
    return_url: str | None
    has_receipt: bool
    off_session: bool
    outcome: Outcome
    created_at: datetime = field(default_factory=now_utc)
    status: str = "pending"
    method: dict[str, Any] | None = None
    cancellation: dict[str, str] | None = None
    captured_at: datetime | None = None
    refunded_minor: int = 0
    user_confirmed: bool = False
    refund_outcome: Outcome | None = None
    duplicates: int | None = None
    chargebacks: list[Chargeback] = field(default_factory=list)

    @property
    def final(self) -> bool:
        return self.status in ("succeeded", "canceled")

    @property
    def paid(self) -> bool:
        return self.status in ("waiting_for_capture", "succeeded")


@dataclass
class YooRefund:
    id: str
    payment_id: str
    amount_minor: int
    currency: str
    description: str | None
    has_receipt: bool
    status: str
    created_at: datetime = field(default_factory=now_utc)
    cancellation: dict[str, str] | None = None

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "payment_id": self.payment_id,
            "status": self.status,
            "created_at": iso(self.created_at),
            "amount": format_amount(self.amount_minor, self.currency),
        }
        if self.description:
            body["description"] = self.description
        if self.has_receipt:
            body["receipt_registration"] = "succeeded" if self.status == "succeeded" else "pending"
        if self.cancellation:
            body["cancellation_details"] = self.cancellation
        return body


class YooKassa:
    def __init__(self, shop_id: str, public_url: str, webhook_url: str, notifier: Notifier) -> None:
        self.shop_id = shop_id
        self.public_url = public_url.rstrip("/")
        self.webhook_url = webhook_url
        self.notifier = notifier
        self.payments: dict[str, YooPayment] = {}
        self.refunds: dict[str, YooRefund] = {}
        # Saved payment methods: id -> the method object (type, card first6/last4, ...).
        self.saved_methods: dict[str, dict[str, Any]] = {}

    # --- payments -------------------------------------------------------------------------

    def add(self, payment: YooPayment, saved_method: dict[str, Any] | None = None) -> YooPayment:
        self.payments[payment.id] = payment
        if saved_method is not None:
            payment.method = dict(saved_method)
        elif payment.method_type:
            payment.method = {"type": payment.method_type, "id": str(uuid.uuid4()), "saved": False}
        if payment.off_session:
            self.confirm(payment)
        return payment

    def payment(self, payment_id: str) -> YooPayment:
        payment = self.payments.get(payment_id)
        if payment is None:
            raise not_found("Payment")
        return payment

    def confirm(
        self, payment: YooPayment, override: Outcome | None = None, card: Card | None = None
    ) -> None:
        """The user paid on the confirmation page (or an off-session charge went through);
        ``card`` is the one the buyer entered there (a card payment's only)."""
        if payment.final or payment.status == "waiting_for_capture":
            return
        payment.user_confirmed = True
        if override is not None:
            payment.outcome = override
        entered_by_card = payment.method_type in (None, "bank_card") and not payment.off_session
        if card is not None and entered_by_card:
            method_id = payment.method["id"] if payment.method else str(uuid.uuid4())
            payment.method = payment_method_details("bank_card", method_id, False, card)
        self.apply(payment)

    def apply(self, payment: YooPayment) -> None:
        outcome = payment.outcome
        if payment.status != "pending" or outcome.kind == "pending":
            return
        if payment.method is None or "title" not in payment.method:
            # The method used on the page: a declined card is reported too, like YooKassa does
            # (`payment_method.card` of a canceled payment), so the shop can count its failures.
            method_id = payment.method["id"] if payment.method else str(uuid.uuid4())
            payment.method = payment_method_details(
                payment.method_type or "bank_card", method_id, saved=False
            )
        if outcome.kind == "fail":
            decline = outcome.decline
            payment.status = "canceled"
            payment.cancellation = {
                "party": decline.yookassa_party,
                "reason": decline.yookassa_reason,
            }
            self.notify_payment(payment, "payment.canceled")
            return
        if payment.save_method:
            payment.method["saved"] = True
            self.saved_methods[payment.method["id"]] = dict(payment.method)
        if payment.capture:
            payment.status = "succeeded"
            payment.captured_at = now_utc()
            self.notify_payment(payment, "payment.succeeded")
        else:
            payment.status = "waiting_for_capture"
            self.notify_payment(payment, "payment.waiting_for_capture")

    def capture(self, payment: YooPayment, amount: tuple[int, str] | None) -> YooPayment:
        if payment.status == "succeeded":
            return payment
        if payment.status != "waiting_for_capture":
            raise invalid(f"Payment in status {payment.status} can't be captured", "status")
        if amount is not None:
            minor, currency = amount
            if currency != payment.currency or minor > payment.amount_minor:
                raise invalid("Capture amount exceeds the authorized amount", "amount.value")
            payment.amount_minor = minor
        payment.status = "succeeded"
        payment.captured_at = now_utc()
        self.notify_payment(payment, "payment.succeeded")
        return payment

    def cancel(self, payment: YooPayment) -> YooPayment:
        if payment.status == "canceled":
            return payment
        if payment.status != "waiting_for_capture":
            raise invalid(f"Payment in status {payment.status} can't be canceled", "status")
        payment.status = "canceled"
        payment.cancellation = {"party": "merchant", "reason": "canceled_by_merchant"}
        self.notify_payment(payment, "payment.canceled")
        return payment

    def render(self, payment: YooPayment) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": payment.id,
            "status": payment.status,
            "paid": payment.paid,
            "amount": format_amount(payment.amount_minor, payment.currency),
            "created_at": iso(payment.created_at),
            "metadata": payment.metadata,
            "recipient": {"account_id": self.shop_id, "gateway_id": "sandbox-gateway"},
            "refundable": payment.status == "succeeded"
            and payment.refunded_minor < payment.amount_minor,
            "test": True,
        }
        if payment.description:
            body["description"] = payment.description
        if payment.method:
            body["payment_method"] = payment.method
        if payment.status == "pending" and not payment.off_session:
            body["confirmation"] = {
                "type": "redirect",
                "confirmation_url": f"{self.public_url}/sandbox/payments/yookassa/"
                f"{payment.id}/confirm",
            } | ({"return_url": payment.return_url} if payment.return_url else {})
        if payment.status == "waiting_for_capture":
            body["expires_at"] = iso(payment.created_at + CAPTURE_WINDOW)
        if payment.captured_at:
            body["captured_at"] = iso(payment.captured_at)
        if payment.paid and payment.method and payment.method["type"] == "bank_card":
            body["authorization_details"] = {
                "rrn": payment.id.replace("-", "")[:12],
                "auth_code": payment.id.replace("-", "")[-6:],
                "three_d_secure": {"applied": not payment.off_session},
            }
        if payment.refunded_minor:
            body["refunded_amount"] = format_amount(payment.refunded_minor, payment.currency)
        if payment.cancellation:
            body["cancellation_details"] = payment.cancellation
        if payment.has_receipt:
            body["receipt_registration"] = (
                "succeeded" if payment.status == "succeeded" else "pending"
            )
        return body

    def notify_payment(self, payment: YooPayment, event: str) -> None:
        self._notify(payment.id, event, self.render(payment), payment.duplicates)

    # --- refunds --------------------------------------------------------------------------

    def refund(
        self,
        payment: YooPayment,
        amount: tuple[int, str],
        description: str | None,
        has_receipt: bool,
        outcome: Outcome,
    ) -> YooRefund:
        minor, currency = amount
        if payment.status != "succeeded":
            raise invalid(f"Payment in status {payment.status} can't be refunded", "payment_id")
        if currency != payment.currency:
            raise invalid("Refund currency differs from the payment's", "amount.currency")
        if minor > payment.amount_minor - payment.refunded_minor:
            raise invalid("Refund amount exceeds the amount left to refund", "amount.value")
        refund = YooRefund(
            id=str(uuid.uuid4()),
            payment_id=payment.id,
            amount_minor=minor,
            currency=currency,
            description=description,
            has_receipt=has_receipt,
            status="pending",
        )
        self.refunds[refund.id] = refund
        # A pending refund holds its amount, so parallel refunds can't exceed the payment.
        payment.refunded_minor += minor
        self.settle_refund(refund, outcome)
        return refund

    def settle_refund(self, refund: YooRefund, outcome: Outcome) -> None:
        if refund.status != "pending" or outcome.kind == "pending":
            return
        payment = self.payments[refund.payment_id]
        if outcome.kind == "fail":
            refund.status = "canceled"
            payment.refunded_minor -= refund.amount_minor
            refund.cancellation = {"party": "yoo_money", "reason": outcome.decline.yookassa_reason}
            return  # YooKassa has no refund.canceled event: the shop sees it by GET.
        refund.status = "succeeded"
        self._notify(payment.id, "refund.succeeded", refund.as_json(), payment.duplicates)

    def get_refund(self, refund_id: str) -> YooRefund:
        refund = self.refunds.get(refund_id)
        if refund is None:
            raise not_found("Refund")
        return refund

    # --- disputes (sandbox extension) -----------------------------------------------------

    def chargeback(self, payment: YooPayment, amount_minor: int | None, reason: str) -> Chargeback:
        if payment.status != "succeeded":
            raise invalid("Only a succeeded payment can be disputed", "payment_id")
        chargeback = Chargeback(
            id=f"cb-{uuid.uuid4()}",
            payment_id=payment.id,
            amount_minor=amount_minor or payment.amount_minor,
            currency=payment.currency,
            reason=reason,
            created_at=now_utc(),
        )
        payment.chargebacks.append(chargeback)
        self._notify(payment.id, "chargeback.opened", chargeback.as_json(), payment.duplicates)
        return chargeback

    def resolve_chargeback(self, chargeback_id: str, outcome: str) -> Chargeback:
        """End a dispute: ``won`` (the shop proved the sale) or ``lost``; notifies
        ``chargeback.won`` / ``chargeback.lost``. Only an open dispute can end."""
        found = [c for p in self.payments.values() for c in p.chargebacks if c.id == chargeback_id]
        if not found:
            raise not_found("Chargeback")
        chargeback = found[0]
        if chargeback.status != "opened":
            raise invalid(f"The dispute already ended {chargeback.status}", "chargeback_id")
        chargeback.status = outcome
        payment = self.payments[chargeback.payment_id]
        event = f"chargeback.{outcome}"
        self._notify(payment.id, event, chargeback.as_json(), payment.duplicates)
        return chargeback

    def _notify(
        self, payment_id: str, event: str, obj: dict[str, Any], duplicates: int | None
    ) -> None:
        payload = {"type": "notification", "event": event, "object": obj}
        self.notifier.send("yookassa", payment_id, event, self.webhook_url, payload, duplicates)
