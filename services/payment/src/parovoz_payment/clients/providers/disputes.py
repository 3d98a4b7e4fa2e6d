"""Chargeback notifications of both providers, read into a :class:`DisputeNotice`.

YooKassa (sandbox extension): events ``chargeback.opened`` / ``chargeback.won`` /
``chargeback.lost``, the object ``{"id", "payment_id", "amount": {"value", "currency"},
"reason", "status"}``. T-Bank: ``Status`` ``CHARGEBACK`` (opened), ``CHARGEBACK_WON``,
``CHARGEBACK_LOST`` with ``ChargebackId``, ``PaymentId``, ``Amount`` (kopecks), ``Reason``.
Anything unreadable is refused as ``WEBHOOK_BODY_INVALID`` (422): the provider sent something
we do not understand, never a 5xx.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from parovoz_kit.errors import Unavailable, ValidationFailed

from parovoz_payment.clients.providers.amounts import decimal_to_minor
from parovoz_payment.domain.chargebacks import ChargebackStatus, DisputeNotice
from parovoz_payment.domain.money import Money

#: T-Bank's dispute statuses → ours.
TBANK_STATUSES: Mapping[str, ChargebackStatus] = {
    "CHARGEBACK": ChargebackStatus.OPENED,
    "CHARGEBACK_WON": ChargebackStatus.WON,
    "CHARGEBACK_LOST": ChargebackStatus.LOST,
}
_YOOKASSA_EVENTS: Mapping[str, ChargebackStatus] = {
    "chargeback.opened": ChargebackStatus.OPENED,
    "chargeback.won": ChargebackStatus.WON,
    "chargeback.lost": ChargebackStatus.LOST,
}
_REASON_MAX = 255


def _unreadable() -> ValidationFailed:
    return ValidationFailed(
        "The chargeback notification is not one we understand.", code="WEBHOOK_BODY_INVALID"
    )


def _reason(raw: Any) -> str | None:
    return raw[:_REASON_MAX] if isinstance(raw, str) and raw else None


def yookassa_dispute(event: str, dispute: Mapping[str, Any]) -> DisputeNotice:
    status = _YOOKASSA_EVENTS.get(event)
    payment_id, amount = dispute.get("payment_id"), dispute.get("amount")
    if status is None or not isinstance(payment_id, str) or not payment_id:
        raise _unreadable()
    money = None
    if amount is not None:
        value = amount.get("value") if isinstance(amount, dict) else None
        currency = amount.get("currency") if isinstance(amount, dict) else None
        if not isinstance(value, str) or not isinstance(currency, str):
            raise _unreadable()
        try:
            money = Money(decimal_to_minor(value), currency)
        except (Unavailable, ValidationFailed):
            raise _unreadable() from None
        if not money.is_positive:
            raise _unreadable()
    return DisputeNotice(payment_id, status, money, _reason(dispute.get("reason")))


def tbank_dispute(status: str, params: Mapping[str, Any], currency: str) -> DisputeNotice:
    ours = TBANK_STATUSES.get(status)
    payment_id, amount = params.get("PaymentId"), params.get("Amount")
    if ours is None or isinstance(payment_id, bool) or payment_id in (None, ""):
        raise _unreadable()
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int)):
        raise _unreadable()
    money = Money(amount, currency) if isinstance(amount, int) and amount > 0 else None
    return DisputeNotice(str(payment_id), ours, money, _reason(params.get("Reason")))
