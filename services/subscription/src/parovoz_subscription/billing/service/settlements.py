"""What payment's outcomes do to charges and subscriptions (the consumer's use cases).

An outcome is matched to its charge by the payment's ``reference`` and must agree with it —
user, amount, currency, purpose and payment: a payment of another amount (a 1.00 RUB payment
offered for a 399.00 RUB charge), another user's or another purpose's never settles a charge
and never activates anything; it is logged and ignored.

- A first charge paid: the subscription goes ``incomplete -> active``, its first period
  [paid_at, period_end(paid_at, ...)) anchored at the payment, the saved card stored, and
  ``activated`` emitted. Not paid: ``incomplete -> expired``. Paid for a subscription that
  already ended: the money goes back.
- A card check: payment cancels the authorization itself once the card is saved; the saved
  method is stored on the subscription. Should payment ever capture one, it is refunded.
- Renewals and upgrades settling late go to the renewals use cases (``renewals.charge_settled``).
- A refund done: the charge is ``refunded`` once nothing is left; a refund failed: its amount is
  refundable again.
"""

from __future__ import annotations

import importlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from parovoz_events.subscription import SubscriptionActivated

from parovoz_subscription.billing.domain.charges import (
    Charge,
    ChargeKind,
    ChargeStatus,
    PaymentOutcome,
    Payments,
    PaymentState,
    charge_id_from_reference,
)
from parovoz_subscription.billing.domain.periods import period_end
from parovoz_subscription.billing.service.payments import (
    CARD_BINDING_STATUSES,
    BillingUnitOfWork,
    expire,
    price_of,
)
from parovoz_subscription.subscriptions.domain import Subscription, SubscriptionStatus

log = logging.getLogger(__name__)
S = SubscriptionStatus

SettledHook = Callable[[Any, Charge, PaymentOutcome], Awaitable[object]]


def _renewals_hook() -> SettledHook | None:
    """``billing.service.renewals.charge_settled`` (renewal and upgrade charges), when built."""
    try:
        module = importlib.import_module("parovoz_subscription.billing.service.renewals")
    except ImportError:
        return None
    hook: SettledHook | None = getattr(module, "charge_settled", None)
    return hook


async def _charge_of(
    uow: BillingUnitOfWork, reference: str | None, payment_id: uuid.UUID | None
) -> Charge | None:
    charge_id = charge_id_from_reference(reference)
    if charge_id is None:
        log.info("payment outcome of no subscription charge", extra={"reference": reference})
        return None
    charge = await uow.charges.get_for_update(charge_id)
    if charge is None:
        log.warning(
            "payment outcome names an unknown charge",
            extra={"charge_id": str(charge_id), "payment_id": str(payment_id)},
        )
    return charge


async def payment_settled(
    uow: BillingUnitOfWork, payments: Payments, outcome: PaymentOutcome, now: datetime
) -> str:
    """Apply payment's final answer about a payment; answers what happened (for the log)."""
    charge = await _charge_of(uow, outcome.reference, outcome.payment_id)
    if charge is None:
        return "ignored: no such charge"
    if not charge.matches(outcome):
        log.warning(
            "payment outcome does not match its charge: ignored",
            extra={
                "charge_id": str(charge.id),
                "payment_id": str(outcome.payment_id),
                "expected": f"{charge.amount_minor} {charge.currency} {charge.purpose.value}",
                "got": f"{outcome.amount_minor} {outcome.currency} {outcome.purpose}",
                "same_user": outcome.user_id == charge.user_id,
            },
        )
        return "ignored: mismatch"
    if charge.kind is ChargeKind.FIRST:
        result = await _first_settled(uow, payments, charge, outcome, now)
    elif charge.kind is ChargeKind.CARD_CHECK:
        result = await _card_checked(uow, payments, charge, outcome, now)
    else:
        result = await _period_charge_settled(uow, charge, outcome, now)
    await uow.commit()
    return result


async def _subscription(uow: BillingUnitOfWork, charge: Charge) -> Subscription:
    subscription = await uow.subscriptions.get_for_update(charge.subscription_id)
    if subscription is None:  # charges are only written for stored subscriptions
        raise LookupError(f"charge {charge.id} names no subscription")
    return subscription


async def _first_settled(
    uow: BillingUnitOfWork,
    payments: Payments,
    charge: Charge,
    outcome: PaymentOutcome,
    now: datetime,
) -> str:
    if not charge.settle(outcome, now):
        return "ignored: charge already settled"
    subscription = await _subscription(uow, charge)
    if outcome.status is PaymentState.CANCELLED:
        await uow.charges.save(charge)
        if subscription.status is S.INCOMPLETE:
            expire(uow, subscription, now)
            await uow.subscriptions.save(subscription)
            return "first payment cancelled: subscription expired"
        return "first payment cancelled"
    if subscription.status is not S.INCOMPLETE:
        # Paid after the subscription went on without it (expired unpaid): give it back.
        await uow.charges.save(charge)
        await _give_back(uow, payments, charge, "late-first")
        return f"first payment for a {subscription.status.value} subscription: refunded"
    paid_at = outcome.succeeded_at or now
    end = period_end(paid_at, subscription.billing_period, 1, subscription.time_zone)
    charge.period_start, charge.period_end = paid_at, end
    await uow.charges.save(charge)
    subscription.anchor_at = paid_at
    subscription.current_period_start, subscription.current_period_end = paid_at, end
    if outcome.saved_method_id:
        subscription.saved_method_id = outcome.saved_method_id
    subscription.move(S.ACTIVE, now)
    await uow.subscriptions.save(subscription)
    uow.access_changed(users=[subscription.user_id])
    uow.emit(
        SubscriptionActivated.model_validate(
            {
                **subscription.facts(),
                "status": S.ACTIVE.value,
                "previous_status": None,
                "price": price_of(subscription),
                "payment_id": charge.payment_id,
                "auto_renew": subscription.auto_renew,
                "current_period_start": paid_at,
                "current_period_end": end,
                "activated_at": now,
            }
        )
    )
    return "first payment succeeded: subscription active"


async def _give_back(uow: BillingUnitOfWork, payments: Payments, charge: Charge, why: str) -> None:
    """Refund all of a charge nobody should have paid (keyed by the charge: once)."""
    assert charge.payment_id is not None
    amount = charge.refundable_minor
    if amount <= 0:
        return
    await payments.refund(
        payment_id=charge.payment_id,
        amount_minor=amount,
        currency=charge.currency,
        idempotency_key=f"{why}-{charge.id}",
        requested_by="service:subscription",
        comment=f"Автоматический возврат ({why}) по подписке {charge.subscription_id}",
    )
    charge.ask_refund(amount)
    await uow.charges.save(charge)


async def _card_checked(
    uow: BillingUnitOfWork,
    payments: Payments,
    charge: Charge,
    outcome: PaymentOutcome,
    now: datetime,
) -> str:
    bound = outcome.saved_method_id is not None and (
        outcome.status is PaymentState.SUCCEEDED or outcome.decline_code == "cancelled_by_platform"
    )
    if bound:
        # The card is saved; the authorization was released by payment (or is refunded now).
        settled = PaymentOutcome(
            payment_id=outcome.payment_id,
            status=PaymentState.SUCCEEDED,
            amount_minor=outcome.amount_minor,
            currency=outcome.currency,
            saved_method_id=outcome.saved_method_id,
        )
        if not charge.settle(settled, now):
            return "ignored: card check already settled"
        if outcome.status is PaymentState.SUCCEEDED:
            await uow.charges.save(charge)
            await _give_back(uow, payments, charge, "card-check")
        else:
            charge.status, charge.refunded_minor = ChargeStatus.REFUNDED, charge.amount_minor
            await uow.charges.save(charge)
    else:
        if not charge.settle(outcome, now):
            return "ignored: card check already settled"
        await uow.charges.save(charge)
        return "card check failed"
    subscription = await _subscription(uow, charge)
    if subscription.status not in CARD_BINDING_STATUSES:
        return f"card bound after the subscription became {subscription.status.value}: kept off"
    subscription.saved_method_id = outcome.saved_method_id
    subscription.updated_at = now
    await uow.subscriptions.save(subscription)
    uow.access_changed(users=[subscription.user_id])
    return "card bound"


async def _period_charge_settled(
    uow: BillingUnitOfWork, charge: Charge, outcome: PaymentOutcome, now: datetime
) -> str:
    if charge.status is not ChargeStatus.PENDING:
        return "ignored: charge already settled"
    hook = _renewals_hook()
    if hook is not None:
        await hook(uow, charge, outcome)
        return f"{charge.kind.value} charge handed to renewals"
    charge.settle(outcome, now)
    await uow.charges.save(charge)
    log.warning(
        "a late renewal/upgrade outcome was recorded on its charge only (renewals not built)",
        extra={"charge_id": str(charge.id)},
    )
    return f"{charge.kind.value} charge settled"


async def refund_settled(
    uow: BillingUnitOfWork,
    *,
    payment_id: uuid.UUID,
    reference: str | None,
    amount_minor: int,
    succeeded: bool,
    fully_refunded: bool,
    now: datetime,
) -> str:
    """payment's outcome of a refund of a charge's payment."""
    charge = await _charge_of(uow, reference, payment_id)
    if charge is None:
        return "ignored: no such charge"
    if charge.payment_id != payment_id:
        log.warning(
            "refund outcome names another payment than its charge's: ignored",
            extra={"charge_id": str(charge.id), "payment_id": str(payment_id)},
        )
        return "ignored: mismatch"
    if succeeded:
        changed = charge.refund_settled(fully_refunded, now)
        result = "charge refunded" if changed else "partial refund recorded"
    else:
        charge.refund_failed(amount_minor)
        result = "refund failed: amount refundable again"
    await uow.charges.save(charge)
    await uow.commit()
    return result


async def reconcile_pending(
    uow: BillingUnitOfWork, payments: Payments, charge_id: uuid.UUID, now: datetime
) -> str:
    """The safety net of a lost or dead-lettered event: ask payment (``GetPayment``) about a
    charge still ``pending`` and apply a final answer exactly as its event would have been
    (the same checks, the same effects, once). A job may call it for old pending charges."""
    charge = await uow.charges.get_for_update(charge_id)
    if charge is None or charge.status is not ChargeStatus.PENDING or charge.payment_id is None:
        return "ignored: nothing pending"
    outcome = await payments.get_payment(charge.payment_id)
    if outcome.status is PaymentState.PENDING:
        return "still pending"
    return await payment_settled(uow, payments, outcome, now)
