"""Renewals and dunning (PRODUCT.md "Renewal", "Hard declines", "Entitlement is separate from
billing"): the renewal of one due subscription (run by ``lifecycle.run_renewals``), its ports,
and the hook payment's consumer hands late outcomes to.

- **Renewal**: an ``active`` subscription whose period ended, or a ``trial``
  with a saved method (its conversion), is charged through payment's ``ChargeSavedMethod`` for
  the next period. A charge row comes first (the charges table refuses a second success for a
  period); payment's idempotency key is ``sub:{id}:{period start, epoch seconds}:{attempt}``
  (at most 64 characters), so a repeated call after a crash gets the same payment. Success: the
  next period from the anchor (a converted trial, or a period change, anchors anew at the old
  end), ``renewed`` (``activated`` for a trial). Soft decline: ``pending_payment`` with access
  kept until the last retry (grace), retries at +1, +3, +7 days after the period end; after the
  last failure ``suspended``. Hard decline: no retry, ``pending_payment`` until the hard-decline
  grace ends (``payment_failed`` asks for a new method), then ``suspended``. A retry that
  succeeds restores ``active`` from the payment date (a new anchor).
- Expiry and the upcoming-renewal notice: ``lifecycle.py``.

Entitlement: a failure never touches the period already paid (``current_period_end`` stays; in
``pending_payment`` access lasts until ``max(grace_until, current_period_end)``), and touches no
other subscription of the user. Each subscription is handled in its own transaction, its row
taken with ``FOR UPDATE SKIP LOCKED``: two runners never handle the same one, and the row stays
locked during the payment call (bounded by the client's deadline).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from parovoz_events.subscription import (
    SubscriptionActivated,
    SubscriptionPaymentFailed,
    SubscriptionRenewed,
    SubscriptionSuspended,
)
from parovoz_kit.errors import ParovozError

from parovoz_subscription.billing.domain.charges import (
    Charge,
    ChargeKind,
    ChargeStatus,
    PaymentOutcome,
    Payments,
    PaymentState,
)
from parovoz_subscription.billing.domain.periods import next_period, period_end
from parovoz_subscription.billing.renewal_rules import RenewalRules
from parovoz_subscription.billing.service.renewal_ports import (
    BillingUnitOfWork,
    RenewalQueue,
    Step,
    event_of,
    event_reason,
    item_name,
    money,
    renewal_key,
)
from parovoz_subscription.plans.domain import Price
from parovoz_subscription.plans.service import get_plan, period_price
from parovoz_subscription.subscriptions.domain import (
    BillingPeriod,
    Subscription,
    SubscriptionStatus,
)
from parovoz_subscription.trials.domain import TrialOutcome
from parovoz_subscription.trials.service import trial_ended

log = logging.getLogger(__name__)
S = SubscriptionStatus


@dataclass(frozen=True)
class NextTerms:
    plan_id: uuid.UUID
    period: BillingPeriod
    price: Price
    scheduled: bool


async def next_terms(
    uow: BillingUnitOfWork, subscription: Subscription, period_start: datetime
) -> NextTerms:
    """Plan, billing period and price of the period starting at ``period_start``: a scheduled
    change (downgrade, period change) applies now, unless the user already holds a live
    subscription of the new plan type (then it is dropped)."""
    plan_id = subscription.scheduled_plan_id or subscription.plan_id
    period = subscription.scheduled_billing_period or subscription.billing_period
    scheduled = (plan_id, period) != (subscription.plan_id, subscription.billing_period)
    if scheduled and plan_id != subscription.plan_id:
        try:
            plan_type = (await get_plan(uow, plan_id)).plan_type
        except ParovozError:  # the scheduled plan is gone: the subscriber keeps theirs
            plan_type = None
        others = await uow.subscriptions.live_of_user(subscription.user_id)
        taken = any(o.id != subscription.id and o.plan_type is plan_type for o in others)
        if plan_type is None or taken:
            plan_id, period, scheduled = subscription.plan_id, subscription.billing_period, False
    # A switcher pays what a new subscriber of that plan pays then; the same plan, what an
    # existing subscriber pays (price changes after their notice).
    subscribed_at = period_start if plan_id != subscription.plan_id else subscription.created_at
    try:
        price = await period_price(
            uow, plan_id, subscription.region, period, period_start, subscribed_at=subscribed_at
        )
    except ParovozError as error:
        # No price for it (any more): the subscriber keeps the plan and the price they pay.
        log.warning(
            "no period price; renewing at the subscription's price",
            extra={"subscription_id": str(subscription.id), "code": error.code},
        )
        current = Price(subscription.currency, subscription.price_minor)
        return NextTerms(subscription.plan_id, subscription.billing_period, current, False)
    return NextTerms(plan_id, period, price, scheduled)


def _new_period_end(
    subscription: Subscription, terms: NextTerms, period_start: datetime, now: datetime
) -> tuple[datetime, datetime, datetime]:
    """(anchor, start, end) of the period a success now pays."""
    tz = subscription.time_zone
    if subscription.status in (S.PENDING_PAYMENT, S.SUSPENDED):
        # A late payment restores the subscription from the payment date (a new anchor).
        return now, now, period_end(now, terms.period, 1, tz)
    if subscription.status is S.TRIAL or terms.period is not subscription.billing_period:
        return period_start, period_start, period_end(period_start, terms.period, 1, tz)
    following = next_period(subscription.anchor_at, terms.period, tz, period_start)
    return subscription.anchor_at, period_start, following.end


async def _charge_for(
    payments: Payments, subscription: Subscription, charge: Charge, period: BillingPeriod
) -> PaymentOutcome:
    if charge.payment_id is not None:
        return await payments.get_payment(charge.payment_id)
    if subscription.saved_method_id is None:
        return PaymentOutcome(
            payment_id=None,
            status=PaymentState.CANCELLED,
            amount_minor=charge.amount_minor,
            currency=charge.currency,
            decline_code="payment_method_unavailable",
            hard_decline=True,
        )
    return await payments.charge_saved_method(
        saved_method_id=subscription.saved_method_id,
        user_id=subscription.user_id,
        amount_minor=charge.amount_minor,
        currency=charge.currency,
        reference=charge.reference,
        item_name=item_name(subscription, period),
        region=subscription.region,
        description=f"Продление подписки Parovoz, попытка {charge.attempt}",
        idempotency_key=charge.idempotency_key,
        metadata={"subscription_id": str(subscription.id), "kind": charge.kind.value},
    )


# --- renewal of one subscription -----------------------------------------------------------------


async def renew_subscription(
    uow: BillingUnitOfWork,
    queue: RenewalQueue,
    payments: Payments,
    rules: RenewalRules,
    subscription: Subscription,
    now: datetime,
) -> Step:
    """Charge (or retry, or suspend) one due subscription, locked by the caller; the caller
    commits unless the answer is ``NOT_DUE``.

    A card bound since the last attempt (a saved method never charged for this subscription)
    is charged at once: a ``pending_payment`` subscription is retried without waiting for the
    schedule, a ``suspended`` one is restored from the payment date. The charge of a restored
    suspension is identified by the suspension's start."""
    suspended = subscription.status is S.SUSPENDED
    if suspended:
        if subscription.suspended_at is None:
            return Step.NOT_DUE
        period_start = subscription.suspended_at
    else:
        period_start = subscription.current_period_end
    charges = await uow.charges.for_period(subscription.id, period_start, ChargeKind.RENEWAL)
    paid = next((c for c in charges if c.status is ChargeStatus.SUCCEEDED), None)
    if paid is not None:  # paid already (e.g. settled by payment's event): apply it
        terms = await next_terms(uow, subscription, period_start)
        period = _new_period_end(subscription, terms, period_start, paid.settled_at or now)
        await _renewed(uow, subscription, paid, terms, period, now)
        await uow.subscriptions.save(subscription)
        return Step.RENEWED
    pending = next((c for c in charges if c.status is ChargeStatus.PENDING), None)
    failed = [c for c in charges if c.status is ChargeStatus.FAILED]
    new_card = subscription.saved_method_id is not None and await queue.method_untried(
        subscription.id, subscription.saved_method_id
    )
    if suspended and ((pending is None and not new_card) or now < period_start):
        return Step.NOT_DUE
    retry_now = new_card and len(failed) < rules.attempts
    if subscription.status is S.PENDING_PAYMENT and pending is None and not retry_now:
        hard = bool(failed) and failed[-1].hard_decline  # the last attempt decides
        wait = None if hard else rules.next_retry_after(len(failed))
        if wait is None:
            grace_over = subscription.grace_until is None or now >= subscription.grace_until
            if not grace_over:
                return Step.NOT_DUE
            _suspend(uow, rules, subscription, now)
            await uow.subscriptions.save(subscription)
            return Step.SUSPENDED
        if now < period_start + wait:
            return Step.NOT_DUE
    terms = await next_terms(uow, subscription, period_start)
    anchor, new_start, new_end = _new_period_end(subscription, terms, period_start, now)
    if terms.price.amount_minor <= 0 and pending is None:
        # A free period: nothing to charge, nothing to announce; the period moves on.
        subscription.anchor_at = anchor
        subscription.current_period_start, subscription.current_period_end = new_start, new_end
        if subscription.status is not S.ACTIVE:
            subscription.move(S.ACTIVE, now)
        subscription.updated_at = now
        await uow.subscriptions.save(subscription)
        return Step.RENEWED
    charge = pending or await uow.charges.add_once(
        Charge(
            id=uuid.uuid4(),
            subscription_id=subscription.id,
            user_id=subscription.user_id,
            kind=ChargeKind.RENEWAL,
            period_start=period_start,
            period_end=new_end,
            attempt=len(failed) + 1,
            amount_minor=terms.price.amount_minor,
            currency=terms.price.currency,
            status=ChargeStatus.PENDING,
            idempotency_key=renewal_key(subscription.id, period_start, len(failed) + 1),
            created_at=now,
        )
    )
    if pending is None:
        await queue.record_attempt(charge.id, subscription.id, subscription.saved_method_id, now)
    outcome = await _charge_for(payments, subscription, charge, terms.period)
    charge.started(outcome)
    charge.settle(outcome, now)
    await uow.charges.save(charge)
    if charge.status is ChargeStatus.PENDING:
        return Step.PENDING
    if charge.status is ChargeStatus.SUCCEEDED:
        await _renewed(uow, subscription, charge, terms, (anchor, new_start, new_end), now)
        await uow.subscriptions.save(subscription)
        return Step.RENEWED
    step = await _failed(uow, rules, subscription, charge, now)
    await uow.subscriptions.save(subscription)
    return step


async def _renewed(
    uow: BillingUnitOfWork,
    subscription: Subscription,
    charge: Charge,
    terms: NextTerms,
    period: tuple[datetime, datetime, datetime],
    now: datetime,
) -> None:
    previous = subscription.status
    if terms.plan_id != subscription.plan_id:
        subscription.plan_type = (await get_plan(uow, terms.plan_id)).plan_type
    subscription.plan_id, subscription.billing_period = terms.plan_id, terms.period
    subscription.scheduled_plan_id, subscription.scheduled_billing_period = None, None
    subscription.price_minor, subscription.currency = charge.amount_minor, charge.currency
    anchor, start, end = period
    subscription.anchor_at = anchor
    subscription.current_period_start, subscription.current_period_end = start, end
    if previous is S.ACTIVE:
        subscription.updated_at = now
    else:
        subscription.move(S.ACTIVE, now)
    assert charge.payment_id is not None
    if previous is S.TRIAL:
        await trial_ended(uow, subscription.id, TrialOutcome.CONVERTED, now)
    if previous in (S.TRIAL, S.SUSPENDED):
        uow.emit(
            event_of(
                SubscriptionActivated,
                subscription,
                status="active",
                previous_status=previous.value,
                price=money(charge.amount_minor, charge.currency),
                payment_id=charge.payment_id,
                auto_renew=subscription.auto_renew,
                current_period_start=start,
                current_period_end=end,
                activated_at=now,
            )
        )
        return
    uow.emit(
        event_of(
            SubscriptionRenewed,
            subscription,
            payment_id=charge.payment_id,
            amount=money(charge.amount_minor, charge.currency),
            attempt=charge.attempt,
            period_start=start,
            period_end=end,
            renewed_at=now,
        )
    )


async def _failed(
    uow: BillingUnitOfWork,
    rules: RenewalRules,
    subscription: Subscription,
    charge: Charge,
    now: datetime,
) -> Step:
    period_start = charge.period_start
    if subscription.status is S.SUSPENDED:
        # The new card did not pay either: still suspended (its expiry unchanged).
        subscription.updated_at = now
        uow.emit(
            event_of(
                SubscriptionPaymentFailed,
                subscription,
                payment_id=charge.payment_id,
                amount=money(charge.amount_minor, charge.currency),
                attempt=min(charge.attempt, rules.attempts),
                failure_reason=event_reason(charge.decline_code),
                next_retry_at=None,
                failed_at=now,
            )
        )
        return Step.FAILED
    if subscription.status is S.TRIAL:
        # A trial's conversion failed: converted, but unpaid (the state machine's way there).
        subscription.move(S.ACTIVE, now)
        await trial_ended(uow, subscription.id, TrialOutcome.CONVERTED, now)
    if subscription.status is S.ACTIVE:
        subscription.move(S.PENDING_PAYMENT, now)
    wait = None if charge.hard_decline else rules.next_retry_after(charge.attempt)
    grace = rules.hard_decline_grace if charge.hard_decline else rules.grace
    subscription.grace_until = period_start + grace
    subscription.updated_at = now
    uow.emit(
        event_of(
            SubscriptionPaymentFailed,
            subscription,
            payment_id=charge.payment_id,
            amount=money(charge.amount_minor, charge.currency),
            attempt=min(charge.attempt, rules.attempts),
            failure_reason=event_reason(charge.decline_code),
            next_retry_at=None if wait is None else period_start + wait,
            failed_at=now,
        )
    )
    if (wait is None and not charge.hard_decline) or now >= subscription.grace_until:
        _suspend(uow, rules, subscription, now)
        return Step.SUSPENDED
    return Step.FAILED


def _suspend(
    uow: BillingUnitOfWork, rules: RenewalRules, subscription: Subscription, now: datetime
) -> None:
    subscription.move(S.SUSPENDED, now)
    uow.emit(
        event_of(
            SubscriptionSuspended,
            subscription,
            reason="payment_failed",
            suspended_at=now,
            expires_at=now + rules.suspended_expiry,
        )
    )


async def charge_settled(uow: BillingUnitOfWork, charge: Charge, outcome: PaymentOutcome) -> None:
    """payment's late outcome (an event) of a renewal or upgrade charge that was still pending:
    the consumer's hook (``billing.service.settlements``).

    A renewal is left to the renewals job: the subscription is still due, and the job's next run
    asks payment for the pending charge's payment and applies it with the dunning rules. An
    upgrade whose change was refused as pending is recorded; if it was paid after all, the money
    must go back (logged for an operator: the consumer has no payment client here)."""
    if charge.kind is not ChargeKind.UPGRADE:
        return
    now = outcome.succeeded_at or charge.created_at
    if charge.settle(outcome, now):
        await uow.charges.save(charge)
    if charge.status is ChargeStatus.SUCCEEDED:
        log.error(
            "an upgrade was paid after its plan change was refused: refund it",
            extra={"charge_id": str(charge.id), "payment_id": str(charge.payment_id)},
        )


__all__: Sequence[str] = ("NextTerms", "charge_settled", "next_terms", "renew_subscription")
