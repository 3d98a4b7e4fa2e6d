"""Plan changes (PRODUCT.md "Proration"; issue #14 item 4): a preview with the exact kopecks,
and the change itself.

- An **upgrade** (a dearer plan, same billing period) applies now: the price difference for the
  unused seconds of the current period is charged at once through ``ChargeSavedMethod`` (a
  charge of kind ``upgrade``), and the plan switches from now; the period end stays.
- A **downgrade**, the same price, or a change of billing period applies at the period end
  (``scheduled_plan_id`` / ``scheduled_billing_period``): nothing is charged now; the renewal
  charges the new plan's price. Changing back to the current plan cancels a scheduled change.
- Only an ``active`` subscription changes plan; any change needs a saved card (422
  ``PAYMENT_METHOD_REQUIRED``). A declined upgrade changes nothing (422 ``PAYMENT_DECLINED``):
  the paid period and its plan stay as they were.

The preview stores and charges nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from parovoz_events.subscription import SubscriptionPlanChanged
from parovoz_kit.errors import BusinessRuleViolation, Conflict

from parovoz_subscription.billing.domain.charges import (
    Charge,
    ChargeKind,
    ChargeStatus,
    Payments,
    format_minor,
)
from parovoz_subscription.billing.domain.proration import ChangeTiming, Proration, prorate
from parovoz_subscription.billing.service.payments import subscription_not_found
from parovoz_subscription.billing.service.renewal_ports import (
    BillingUnitOfWork,
    event_of,
    item_name,
)
from parovoz_subscription.plans.domain import Plan
from parovoz_subscription.plans.service import period_price, plan_for_sale
from parovoz_subscription.subscriptions.domain import (
    BillingPeriod,
    Subscription,
    SubscriptionStatus,
)

S = SubscriptionStatus


@dataclass(frozen=True)
class ChangePreview:
    """What a change would do: ``amount_now_minor`` charged now (0 for a scheduled change),
    ``new_price_minor`` per period from the next period, applied at ``applies_at``."""

    subscription: Subscription
    plan: Plan
    billing_period: BillingPeriod
    proration: Proration
    currency: str
    new_price_minor: int
    applies_at: datetime
    next_charge_at: datetime
    #: True when the change only drops a scheduled one (back to the current plan).
    cancels_scheduled: bool

    @property
    def timing(self) -> ChangeTiming:
        return self.proration.timing

    @property
    def amount_now_minor(self) -> int:
        return self.proration.amount_minor


@dataclass(frozen=True)
class ChangeDone:
    preview: ChangePreview
    charge: Charge | None
    previous_plan_id: uuid.UUID


def _status_refused(subscription: Subscription) -> BusinessRuleViolation:
    status = subscription.status.value
    return BusinessRuleViolation(
        f"Only an active subscription can change plan (status {status}).",
        code="SUBSCRIPTION_STATUS_CONFLICT",
        detail_ru=f"Сменить план можно только у активной подписки (статус {status}).",
    )


def _nothing_to_change() -> BusinessRuleViolation:
    return BusinessRuleViolation(
        "The subscription already has this plan and billing period.",
        code="PLAN_CHANGE_NOTHING_TO_CHANGE",
        detail_ru="У подписки уже этот план и этот период оплаты.",
        pointer="/data/attributes/plan_id",
    )


def _method_required() -> BusinessRuleViolation:
    return BusinessRuleViolation(
        "A saved card is needed to change plan; bind one first (POST /{id}/payment-method).",
        code="PAYMENT_METHOD_REQUIRED",
        detail_ru="Для смены плана нужна сохранённая карта: сначала привяжите её.",
    )


def _declined(code: str | None) -> BusinessRuleViolation:
    reason = code or "declined"
    return BusinessRuleViolation(
        f"The card was declined ({reason}); the plan was not changed.",
        code="PAYMENT_DECLINED",
        detail_ru=f"Платёж отклонён ({reason}); план не изменён.",
    )


def _pending() -> Conflict:
    return Conflict(
        "payment has not confirmed the charge yet; the plan was not changed. Try again later.",
        code="PAYMENT_PENDING",
        detail_ru="Платёж ещё не подтверждён; план не изменён. Повторите позже.",
    )


async def _owned(
    uow: BillingUnitOfWork, subscription_id: uuid.UUID, user_id: uuid.UUID, *, lock: bool
) -> Subscription:
    store = uow.subscriptions
    found = await (store.get_for_update if lock else store.get)(subscription_id)
    if found is None or found.user_id != user_id:
        raise subscription_not_found(subscription_id)
    return found


async def _preview(
    uow: BillingUnitOfWork,
    subscription: Subscription,
    plan_id: uuid.UUID,
    billing_period: BillingPeriod | None,
    now: datetime,
) -> ChangePreview:
    if subscription.status is not S.ACTIVE:
        raise _status_refused(subscription)
    period = billing_period or subscription.billing_period
    same = (plan_id, period) == (subscription.plan_id, subscription.billing_period)
    scheduled = subscription.scheduled_plan_id or subscription.scheduled_billing_period
    if same and not scheduled:
        raise _nothing_to_change()
    sale = await plan_for_sale(uow, plan_id, subscription.region, period, now=now)
    plan = sale.plan
    if plan.plan_type is not subscription.plan_type:
        others = await uow.subscriptions.live_of_user(subscription.user_id)
        if any(o.id != subscription.id and o.plan_type is plan.plan_type for o in others):
            raise Conflict(
                f"You already have a live {plan.plan_type.value} subscription.",
                code="SUBSCRIPTION_ALREADY_EXISTS",
                detail_ru=f"У вас уже есть действующая подписка типа {plan.plan_type.value}.",
            )
    end = subscription.current_period_end
    if same:
        proration = Proration(0, ChangeTiming.NOW, 0, 0)
        next_price = subscription.price_minor
    else:
        proration = prorate(
            old_price_minor=subscription.price_minor,
            new_price_minor=sale.amount_minor,
            period_start=subscription.current_period_start,
            period_end=end,
            now=now,
            period_changes=period is not subscription.billing_period,
        )
        next_at = now if proration.timing is ChangeTiming.NOW else end
        next_price = (
            await period_price(
                uow, plan_id, subscription.region, period, end, subscribed_at=next_at
            )
        ).amount_minor
    return ChangePreview(
        subscription=subscription,
        plan=plan,
        billing_period=period,
        proration=proration,
        currency=sale.currency,
        new_price_minor=next_price,
        applies_at=now if proration.timing is ChangeTiming.NOW else end,
        next_charge_at=end,
        cancels_scheduled=same,
    )


async def preview_change(
    uow: BillingUnitOfWork,
    *,
    subscription_id: uuid.UUID,
    user_id: uuid.UUID,
    plan_id: uuid.UUID,
    billing_period: BillingPeriod | None,
    now: datetime,
) -> ChangePreview:
    """The exact kopecks of a change before anything is charged or stored."""
    subscription = await _owned(uow, subscription_id, user_id, lock=False)
    return await _preview(uow, subscription, plan_id, billing_period, now)


async def change_plan(
    uow: BillingUnitOfWork,
    payments: Payments,
    *,
    subscription_id: uuid.UUID,
    user_id: uuid.UUID,
    plan_id: uuid.UUID,
    billing_period: BillingPeriod | None,
    now: datetime,
) -> ChangeDone:
    """Upgrade now (charged at once) or schedule for the period end; commits."""
    subscription = await _owned(uow, subscription_id, user_id, lock=True)
    preview = await _preview(uow, subscription, plan_id, billing_period, now)
    if subscription.saved_method_id is None:
        raise _method_required()
    previous_plan_id = subscription.plan_id
    charge: Charge | None = None
    if preview.timing is ChangeTiming.PERIOD_END:
        changes_plan = plan_id != subscription.plan_id
        changes_period = preview.billing_period is not subscription.billing_period
        subscription.scheduled_plan_id = plan_id if changes_plan else None
        subscription.scheduled_billing_period = preview.billing_period if changes_period else None
    else:
        if preview.amount_now_minor > 0:
            charge = await _charge_upgrade(uow, payments, subscription, preview, now)
        subscription.plan_id, subscription.plan_type = preview.plan.id, preview.plan.plan_type
        subscription.billing_period = preview.billing_period
        if not preview.cancels_scheduled:
            subscription.price_minor = preview.new_price_minor
        subscription.scheduled_plan_id, subscription.scheduled_billing_period = None, None
    subscription.updated_at = now
    await uow.subscriptions.save(subscription)
    uow.emit(
        event_of(
            SubscriptionPlanChanged,
            subscription,
            plan_id=previous_plan_id,
            new_plan_id=preview.plan.id,
            new_plan_type=preview.plan.plan_type.value,
            new_billing_period=preview.billing_period.value,
            timing=preview.timing.value,
            effective_at=preview.applies_at,
            charged=None if charge is None else _money(charge),
            payment_id=None if charge is None else charge.payment_id,
            new_price={"amount_minor": preview.new_price_minor, "currency": preview.currency},
            changed_at=now,
        )
    )
    uow.access_changed(users=[subscription.user_id])
    await uow.commit()
    return ChangeDone(preview, charge, previous_plan_id)


def _money(charge: Charge) -> dict[str, object]:
    return {"amount_minor": charge.amount_minor, "currency": charge.currency}


async def _charge_upgrade(
    uow: BillingUnitOfWork,
    payments: Payments,
    subscription: Subscription,
    preview: ChangePreview,
    now: datetime,
) -> Charge:
    """Charge the prorated difference; a decline (or a payment still pending) is recorded on its
    charge, committed, and refuses the change."""
    start, end = subscription.current_period_start, subscription.current_period_end
    earlier = await uow.charges.for_period(subscription.id, start, ChargeKind.UPGRADE)
    charge_id = uuid.uuid4()
    charge = Charge(
        id=charge_id,
        subscription_id=subscription.id,
        user_id=subscription.user_id,
        kind=ChargeKind.UPGRADE,
        period_start=start,
        period_end=end,
        attempt=len(earlier) + 1,
        amount_minor=preview.amount_now_minor,
        currency=preview.currency,
        status=ChargeStatus.PENDING,
        idempotency_key=f"upg:{charge_id}",
        created_at=now,
    )
    await uow.charges.add(charge)
    assert subscription.saved_method_id is not None
    outcome = await payments.charge_saved_method(
        saved_method_id=subscription.saved_method_id,
        user_id=subscription.user_id,
        amount_minor=charge.amount_minor,
        currency=charge.currency,
        reference=charge.reference,
        item_name=item_name(subscription, preview.billing_period),
        region=subscription.region,
        description=(
            f"Переход на план {preview.plan.name}: доплата "
            f"{format_minor(charge.amount_minor, charge.currency)}"
        )[:128],
        idempotency_key=charge.idempotency_key,
        metadata={"subscription_id": str(subscription.id), "kind": charge.kind.value},
    )
    charge.started(outcome)
    charge.settle(outcome, now)
    await uow.charges.save(charge)
    if charge.status is ChargeStatus.SUCCEEDED:
        return charge
    await uow.commit()  # the attempt is kept; the subscription is untouched
    if charge.status is ChargeStatus.PENDING:
        raise _pending()
    raise _declined(charge.decline_code)
