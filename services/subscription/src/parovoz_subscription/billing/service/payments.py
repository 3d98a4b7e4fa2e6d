"""Use cases of billing's money side: the first payment of a subscription, binding (or changing)
a card with a 1.00 RUB verification, a subscription's charge history, refunds.

Payment moves the money; these use cases keep the charge rows (one per attempt) and answer what
the caller needs. A first payment and a card check end in payment's events
(``billing.service.settlements``), never in the answer of ``CreatePayment``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from parovoz_events.money import Money
from parovoz_events.subscription import SubscriptionExpired
from parovoz_kit.errors import BusinessRuleViolation, NotFound

from parovoz_subscription.billing.domain.charges import (
    Charge,
    ChargeKind,
    ChargeStatus,
    PaymentOutcome,
    PaymentPurpose,
    Payments,
    RefundOutcome,
    format_minor,
)
from parovoz_subscription.billing.domain.periods import period_end
from parovoz_subscription.billing.rules import BillingRules
from parovoz_subscription.ports import UnitOfWorkPort
from parovoz_subscription.subscriptions.domain import (
    LIVE,
    Subscription,
    SubscriptionStatus,
    SubscriptionTransitionRefused,
)

S = SubscriptionStatus

#: Charges an admin may refund (a card check is given back by payment itself).
REFUNDABLE_KINDS = (ChargeKind.FIRST, ChargeKind.RENEWAL, ChargeKind.UPGRADE)
#: Where a card can be bound or changed: a trial or any live subscription already paid for.
CARD_BINDING_STATUSES = LIVE - {S.INCOMPLETE}
#: A namespace of payment idempotency keys of refunds (charge + the caller's request key).
_REFUND_KEYS = uuid.UUID("6b7d1c1e-1f0e-4d8e-9a43-4c7b0d3e2a51")


class ChargeStore(Protocol):
    async def add(self, charge: Charge) -> None: ...
    async def add_once(self, charge: Charge) -> Charge: ...
    async def save(self, charge: Charge) -> None: ...
    async def get(self, charge_id: uuid.UUID) -> Charge | None: ...
    async def get_for_update(self, charge_id: uuid.UUID) -> Charge | None: ...
    async def by_payment(self, payment_id: uuid.UUID) -> Charge | None: ...
    async def of_subscription(
        self, subscription_id: uuid.UUID, kinds: Sequence[ChargeKind] = ()
    ) -> list[Charge]: ...
    async def first_payment(self, subscription_id: uuid.UUID) -> Charge | None: ...


class SubscriptionStore(Protocol):
    async def get(self, subscription_id: uuid.UUID) -> Subscription | None: ...
    async def get_for_update(self, subscription_id: uuid.UUID) -> Subscription | None: ...
    async def save(self, subscription: Subscription) -> None: ...


class BillingUnitOfWork(UnitOfWorkPort, Protocol):
    """What billing needs of subscription's unit of work (``SqlSubscriptionUnitOfWork`` and the
    consumer's inbox unit of work have it)."""

    @property
    def charges(self) -> ChargeStore: ...

    @property
    def subscriptions(self) -> SubscriptionStore: ...


@dataclass(frozen=True)
class ChargeStarted:
    charge_id: uuid.UUID
    payment_id: uuid.UUID | None
    #: Where the user confirms the payment at the provider (None if payment needs no step).
    confirmation_url: str | None
    #: The charge as stored.
    charge: Charge | None = None


@dataclass(frozen=True)
class RefundDone:
    charge: Charge
    refund: RefundOutcome
    subscription: Subscription


def subscription_not_found(subscription_id: uuid.UUID) -> NotFound:
    return NotFound(
        f"Subscription {subscription_id} does not exist.",
        code="SUBSCRIPTION_NOT_FOUND",
        detail_ru=f"Подписка {subscription_id} не найдена.",
    )


def _charge_key(charge_id: uuid.UUID) -> str:
    return f"charge-{charge_id}"


def _item_name(subscription: Subscription) -> str:
    return f"Подписка Parovoz {subscription.plan_type.value}, {subscription.billing_period.value}"


async def _start(
    payments: Payments,
    charge: Charge,
    subscription: Subscription,
    *,
    item_name: str,
    description: str,
    return_url: str,
) -> PaymentOutcome:
    return await payments.create_payment(
        purpose=charge.purpose,
        user_id=charge.user_id,
        amount_minor=charge.amount_minor,
        currency=charge.currency,
        reference=charge.reference,
        item_name=item_name,
        region=subscription.region,
        description=description,
        return_url=return_url,
        save_method=True,
        idempotency_key=charge.idempotency_key,
        metadata={"subscription_id": str(subscription.id), "charge_kind": charge.kind.value},
    )


async def start_first_payment(
    uow: BillingUnitOfWork,
    payments: Payments,
    subscription: Subscription,
    *,
    return_url: str,
    now: datetime | None = None,
) -> ChargeStarted:
    """The first period's charge and its payment (``CreatePayment``, the card saved for
    renewals). The subscription stays ``incomplete`` until payment's event says it was paid;
    the caller commits. A repeated call for the same subscription finds the same charge and
    payment (the charge's key makes payment answer its first response)."""
    if subscription.status is not S.INCOMPLETE:
        raise SubscriptionTransitionRefused(subscription.status, S.ACTIVE)
    now = now or subscription.updated_at
    start = subscription.current_period_start
    charge = await uow.charges.add_once(
        _new_charge(
            subscription,
            ChargeKind.FIRST,
            start,
            period_end(start, subscription.billing_period, 1, subscription.time_zone),
            subscription.price_minor,
            subscription.currency,
            now,
        )
    )
    if charge.status is not ChargeStatus.PENDING:
        raise SubscriptionTransitionRefused(subscription.status, S.ACTIVE)
    outcome = await _start(
        payments,
        charge,
        subscription,
        item_name=_item_name(subscription),
        description=f"{_item_name(subscription)}: первый период",
        return_url=return_url,
    )
    charge.started(outcome)
    await uow.charges.save(charge)
    return ChargeStarted(charge.id, charge.payment_id, outcome.confirmation_url, charge)


def _new_charge(
    subscription: Subscription,
    kind: ChargeKind,
    start: datetime,
    end: datetime,
    amount_minor: int,
    currency: str,
    now: datetime,
) -> Charge:
    charge_id = uuid.uuid4()
    return Charge(
        id=charge_id,
        subscription_id=subscription.id,
        user_id=subscription.user_id,
        kind=kind,
        period_start=start,
        period_end=end,
        attempt=1,
        amount_minor=amount_minor,
        currency=currency,
        status=ChargeStatus.PENDING,
        idempotency_key=_charge_key(charge_id),
        created_at=now,
    )


async def _owned(
    uow: BillingUnitOfWork, subscription_id: uuid.UUID, viewer_id: uuid.UUID, is_admin: bool
) -> Subscription:
    """The subscription for its owner (or an admin); anyone else is told it does not exist."""
    subscription = await uow.subscriptions.get(subscription_id)
    if subscription is None or not (is_admin or subscription.user_id == viewer_id):
        raise subscription_not_found(subscription_id)
    return subscription


async def bind_payment_method(
    uow: BillingUnitOfWork,
    payments: Payments,
    rules: BillingRules,
    *,
    subscription_id: uuid.UUID,
    user_id: uuid.UUID,
    return_url: str | None,
    now: datetime,
) -> ChargeStarted:
    """The owner binds a card (during a trial) or changes it: a 1.00 RUB verification the user
    confirms at the provider; payment gives the authorization back itself and reports the saved
    method, which the consumer stores on the subscription."""
    subscription = await _owned(uow, subscription_id, user_id, is_admin=False)
    if subscription.status not in CARD_BINDING_STATUSES:
        raise BusinessRuleViolation(
            f"A card cannot be bound to a subscription in status {subscription.status.value}.",
            code="SUBSCRIPTION_STATUS_CONFLICT",
            detail_ru=(f"К подписке в статусе {subscription.status.value} нельзя привязать карту."),
        )
    charge = _new_charge(
        subscription,
        ChargeKind.CARD_CHECK,
        now,
        now,
        rules.card_verification_amount_minor,
        rules.card_verification_currency,
        now,
    )
    await uow.charges.add(charge)
    outcome = await _start(
        payments,
        charge,
        subscription,
        item_name="Проверка карты для подписки Parovoz",
        description="Проверка карты: 1,00 ₽ будут сразу возвращены",
        return_url=return_url or rules.payment_return_url,
    )
    charge.started(outcome)
    await uow.charges.save(charge)
    await uow.commit()
    return ChargeStarted(charge.id, charge.payment_id, outcome.confirmation_url, charge)


async def list_charges(
    uow: BillingUnitOfWork, subscription_id: uuid.UUID, viewer_id: uuid.UUID, is_admin: bool
) -> list[Charge]:
    """A subscription's charges, newest first: its owner's or an admin's view."""
    await _owned(uow, subscription_id, viewer_id, is_admin)
    return await uow.charges.of_subscription(subscription_id)


def refund_key(charge_id: uuid.UUID, request_key: str) -> str:
    """payment's idempotency key of one refund request of one charge."""
    return str(uuid.uuid5(_REFUND_KEYS, f"{charge_id}:{request_key}"))


def _nothing_to_refund() -> BusinessRuleViolation:
    return BusinessRuleViolation(
        "Nothing of this subscription is left to refund.",
        code="NOTHING_TO_REFUND",
        detail_ru="По этой подписке нечего возвращать.",
    )


async def _owner_charge(
    uow: BillingUnitOfWork, subscription: Subscription, rules: BillingRules, now: datetime
) -> Charge:
    charge = await uow.charges.first_payment(subscription.id)
    if charge is None or charge.refundable_minor == 0:
        raise _nothing_to_refund()
    paid_at = charge.settled_at or charge.created_at
    closes_at = paid_at + rules.owner_refund_window
    if now > closes_at:
        days = rules.owner_refund_window.days
        raise BusinessRuleViolation(
            f"A refund is given within {days} days of the first payment; that window has closed.",
            code="REFUND_WINDOW_CLOSED",
            detail_ru=f"Вернуть деньги можно в течение {days} дней после первой оплаты; "
            "этот срок истёк.",
        )
    return charge


async def _admin_charge(
    uow: BillingUnitOfWork, subscription: Subscription, charge_id: uuid.UUID | None
) -> Charge:
    if charge_id is not None:
        charge = await uow.charges.get_for_update(charge_id)
        if charge is None or charge.subscription_id != subscription.id:
            raise NotFound(
                f"Charge {charge_id} of this subscription does not exist.",
                code="CHARGE_NOT_FOUND",
                detail_ru=f"Платёж {charge_id} этой подписки не найден.",
                pointer="/data/attributes/charge_id",
            )
        if charge.kind not in REFUNDABLE_KINDS:
            raise _nothing_to_refund()
        return charge
    for charge in await uow.charges.of_subscription(subscription.id, REFUNDABLE_KINDS):
        if charge.refundable_minor > 0:
            locked = await uow.charges.get_for_update(charge.id)
            assert locked is not None
            return locked
    raise _nothing_to_refund()


async def refund_subscription(
    uow: BillingUnitOfWork,
    payments: Payments,
    rules: BillingRules,
    *,
    subscription_id: uuid.UUID,
    actor_id: uuid.UUID,
    is_admin: bool,
    request_key: str,
    now: datetime,
    charge_id: uuid.UUID | None = None,
    amount_minor: int | None = None,
    end_subscription: bool = False,
) -> RefundDone:
    """A refund through payment's ``Refund``.

    - The owner: the whole first payment (or the charge that converted the trial), within the
      refund window of its payment (422 ``REFUND_WINDOW_CLOSED`` after); the subscription ends
      at once (``expired``).
    - An admin: any charge of the subscription (the latest paid one by default), any amount up
      to what is left of it (all of it by default), ending the subscription only when asked.

    The idempotency key sent to payment is derived from the charge and ``request_key``, so a
    retried request refunds once."""
    subscription = await uow.subscriptions.get_for_update(subscription_id)
    if subscription is None or not (is_admin or subscription.user_id == actor_id):
        raise subscription_not_found(subscription_id)
    if is_admin:
        charge = await _admin_charge(uow, subscription, charge_id)
        amount = amount_minor if amount_minor is not None else charge.refundable_minor
        ends = end_subscription
    else:
        charge = await _owner_charge(uow, subscription, rules, now)
        amount, ends = charge.refundable_minor, True
    if amount == 0:
        raise _nothing_to_refund()
    charge.ask_refund(amount)  # refuses more than is left, before payment is asked
    assert charge.payment_id is not None  # a paid charge names its payment
    refund = await payments.refund(
        payment_id=charge.payment_id,
        amount_minor=amount,
        currency=charge.currency,
        idempotency_key=refund_key(charge.id, request_key),
        requested_by="service:subscription" if is_admin else str(actor_id),
        comment=(
            f"Возврат {format_minor(amount, charge.currency)} по подписке {subscription.id}"
            + (f" (администратор {actor_id})" if is_admin else " (по просьбе подписчика)")
        ),
    )
    await uow.charges.save(charge)
    if ends and subscription.status is not S.EXPIRED:
        expire(uow, subscription, now)
        await uow.subscriptions.save(subscription)
    await uow.commit()
    return RefundDone(charge, refund, subscription)


def expire(uow: BillingUnitOfWork, subscription: Subscription, now: datetime) -> None:
    """End ``subscription`` now (access stops), naming the status it ended from; the caller
    saves it."""
    previous = subscription.status
    subscription.move(S.EXPIRED, now)
    uow.emit(
        SubscriptionExpired.model_validate(
            {**subscription.facts(), "previous_status": previous.value, "expired_at": now}
        )
    )
    uow.access_changed(users=[subscription.user_id])


def price_of(subscription: Subscription) -> Money:
    return Money(amount_minor=subscription.price_minor, currency=subscription.currency)  # type: ignore[arg-type]


__all__ = [
    "CARD_BINDING_STATUSES",
    "REFUNDABLE_KINDS",
    "BillingUnitOfWork",
    "ChargeStarted",
    "ChargeStore",
    "PaymentPurpose",
    "RefundDone",
    "SubscriptionStore",
    "bind_payment_method",
    "expire",
    "list_charges",
    "price_of",
    "refund_key",
    "refund_subscription",
    "start_first_payment",
    "subscription_not_found",
]
