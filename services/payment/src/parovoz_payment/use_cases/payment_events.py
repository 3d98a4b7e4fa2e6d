"""What payment's events say in common: money as events carry it, and the payment's own facts
that every payment, refund and chargeback outcome repeats (``_PaymentFacts`` in
``parovoz_events.payment``) so a consumer can match it to what it asked for."""

from __future__ import annotations

from parovoz_events.money import Money as EventMoney

from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payments import Payment


def event_money(money: Money) -> EventMoney:
    return EventMoney(amount_minor=money.amount_minor, currency=money.currency)


def payment_facts(payment: Payment, amount: Money) -> dict[str, object]:
    """The payment's facts, with the ``amount`` the event is about."""
    return {
        "payment_id": payment.id,
        "user_id": payment.user_id,
        "purpose": payment.purpose.value,
        "reference": payment.reference,
        "game_id": payment.game_id,
        "amount": event_money(amount),
    }
