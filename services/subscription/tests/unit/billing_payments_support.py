"""In-memory fakes of billing's money side for unit tests: charges and subscriptions stores (the
partial unique rule of one paid period included), a unit of work that collects events and
access changes, and a scripted payment that records every call."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from parovoz_events.base import EventData
from parovoz_kit.errors import Conflict
from parovoz_subscription.billing.domain.charges import (
    PERIOD_KINDS,
    Charge,
    ChargeKind,
    ChargeStatus,
    PaymentOutcome,
    PaymentPurpose,
    PaymentState,
    RefundOutcome,
    RefundState,
)
from parovoz_subscription.billing.rules import BillingRules
from parovoz_subscription.subscriptions.domain import (
    BillingPeriod,
    PlanType,
    Subscription,
    SubscriptionStatus,
)

S = SubscriptionStatus
NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
RULES = BillingRules(
    owner_refund_window=timedelta(days=14),
    card_verification_amount_minor=100,
    card_verification_currency="RUB",
    payment_return_url="https://parovoz.example/back",
)


def a_subscription(
    status: SubscriptionStatus = S.INCOMPLETE,
    *,
    user_id: uuid.UUID | None = None,
    price_minor: int = 39900,
    at: datetime = NOW,
) -> Subscription:
    return Subscription(
        id=uuid.uuid4(),
        user_id=user_id or uuid.uuid4(),
        plan_id=uuid.uuid4(),
        plan_type=PlanType.PREMIUM,
        billing_period=BillingPeriod.MONTHLY,
        region="RU",
        currency="RUB",
        price_minor=price_minor,
        status=status,
        auto_renew=True,
        time_zone="Europe/Moscow",
        anchor_at=at,
        current_period_start=at,
        current_period_end=at if status is S.INCOMPLETE else at + timedelta(days=31),
        created_at=at,
        updated_at=at,
    )


class FakeCharges:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Charge] = {}

    def _check(self, charge: Charge) -> None:
        for other in self.rows.values():
            if other.id == charge.id:
                continue
            if (other.subscription_id, other.period_start, other.kind, other.attempt) == (
                charge.subscription_id,
                charge.period_start,
                charge.kind,
                charge.attempt,
            ):
                raise Conflict("attempt exists", code="CHARGE_ALREADY_EXISTS")
            if (
                charge.status is ChargeStatus.SUCCEEDED
                and other.status is ChargeStatus.SUCCEEDED
                and charge.kind in PERIOD_KINDS
                and other.kind in PERIOD_KINDS
                and (other.subscription_id, other.period_start)
                == (charge.subscription_id, charge.period_start)
            ):
                raise Conflict("period paid", code="PERIOD_ALREADY_PAID")

    async def add(self, charge: Charge) -> None:
        self._check(charge)
        self.rows[charge.id] = copy.deepcopy(charge)

    async def add_once(self, charge: Charge) -> Charge:
        for other in self.rows.values():
            if (other.subscription_id, other.period_start, other.kind, other.attempt) == (
                charge.subscription_id,
                charge.period_start,
                charge.kind,
                charge.attempt,
            ):
                return copy.deepcopy(other)
        await self.add(charge)
        return charge

    async def save(self, charge: Charge) -> None:
        self._check(charge)
        self.rows[charge.id] = copy.deepcopy(charge)

    async def get(self, charge_id: uuid.UUID) -> Charge | None:
        found = self.rows.get(charge_id)
        return copy.deepcopy(found) if found else None

    get_for_update = get

    async def by_payment(self, payment_id: uuid.UUID) -> Charge | None:
        for charge in self.rows.values():
            if charge.payment_id == payment_id:
                return copy.deepcopy(charge)
        return None

    async def of_subscription(
        self, subscription_id: uuid.UUID, kinds: Sequence[ChargeKind] = ()
    ) -> list[Charge]:
        found = [
            copy.deepcopy(charge)
            for charge in self.rows.values()
            if charge.subscription_id == subscription_id and (not kinds or charge.kind in kinds)
        ]
        return sorted(found, key=lambda charge: charge.created_at, reverse=True)

    async def first_payment(self, subscription_id: uuid.UUID) -> Charge | None:
        paid = [
            charge
            for charge in self.rows.values()
            if charge.subscription_id == subscription_id
            and charge.kind in PERIOD_KINDS
            and charge.status in (ChargeStatus.SUCCEEDED, ChargeStatus.REFUNDED)
        ]
        paid.sort(key=lambda charge: (charge.period_start, charge.created_at))
        return copy.deepcopy(paid[0]) if paid else None


class FakeSubscriptions:
    def __init__(self, *subscriptions: Subscription) -> None:
        self.rows = {sub.id: copy.deepcopy(sub) for sub in subscriptions}

    async def get(self, subscription_id: uuid.UUID) -> Subscription | None:
        found = self.rows.get(subscription_id)
        return copy.deepcopy(found) if found else None

    get_for_update = get

    async def save(self, subscription: Subscription) -> None:
        stored = self.rows[subscription.id]
        if stored.version != subscription.version:
            raise Conflict("changed", code="SUBSCRIPTION_CHANGED_CONCURRENTLY")
        subscription.version += 1
        self.rows[subscription.id] = copy.deepcopy(subscription)


class FakeUnitOfWork:
    def __init__(self, *subscriptions: Subscription) -> None:
        self.charges = FakeCharges()
        self.subscriptions = FakeSubscriptions(*subscriptions)
        self.events: list[EventData] = []
        self.changed_users: set[uuid.UUID] = set()
        self.commits = 0

    def emit(self, item: EventData, *, subject: str | None = None, topic: str | None = None) -> Any:
        self.events.append(item)
        return item

    def access_changed(
        self,
        *,
        users: Iterable[uuid.UUID] = (),
        plans: Iterable[uuid.UUID] = (),
        games: Iterable[uuid.UUID] = (),
    ) -> None:
        self.changed_users.update(users)

    async def commit(self) -> None:
        self.commits += 1

    def event_types(self) -> list[str]:
        return [type(event).event_type for event in self.events]


@dataclass
class FakePayments:
    """payment as a script: every call is recorded; answers are built from the call."""

    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    payment_ids: dict[str, uuid.UUID] = field(default_factory=dict)
    refund_status: RefundState = RefundState.REQUIRES_REVIEW
    failure: Exception | None = None
    #: What ``get_payment`` answers, by payment id.
    payments: dict[uuid.UUID, PaymentOutcome] = field(default_factory=dict)

    def _fail(self) -> None:
        if self.failure is not None:
            raise self.failure

    async def create_payment(self, **call: Any) -> PaymentOutcome:
        self._fail()
        self.calls.append(("create_payment", call))
        payment_id = self.payment_ids.setdefault(call["idempotency_key"], uuid.uuid4())
        return PaymentOutcome(
            payment_id=payment_id,
            status=PaymentState.PENDING,
            amount_minor=call["amount_minor"],
            currency=call["currency"],
            confirmation_url=f"https://sandbox.example/{payment_id}/confirm",
            user_id=call["user_id"],
            reference=call["reference"],
            purpose=call["purpose"].value,
        )

    async def charge_saved_method(self, **call: Any) -> PaymentOutcome:
        raise AssertionError("not used by the money side")

    async def refund(self, **call: Any) -> RefundOutcome:
        self._fail()
        self.calls.append(("refund", call))
        return RefundOutcome(
            refund_id=uuid.uuid4(),
            payment_id=call["payment_id"],
            status=self.refund_status,
            amount_minor=call["amount_minor"],
            currency=call["currency"],
        )

    async def get_payment(self, payment_id: uuid.UUID) -> PaymentOutcome:
        self._fail()
        self.calls.append(("get_payment", {"payment_id": payment_id}))
        return self.payments[payment_id]

    def named(self, name: str) -> list[dict[str, Any]]:
        return [call for called, call in self.calls if called == name]


def paid(
    charge: Charge,
    *,
    at: datetime = NOW,
    saved_method_id: str | None = "7d5c2b1e-6a0f-4e51-8a7d-3c9b1e2f4a60",
    **changes: Any,
) -> PaymentOutcome:
    """payment's "succeeded" of ``charge`` (``changes`` forge any field)."""
    outcome = PaymentOutcome(
        payment_id=charge.payment_id,
        status=PaymentState.SUCCEEDED,
        amount_minor=charge.amount_minor,
        currency=charge.currency,
        saved_method_id=saved_method_id,
        user_id=charge.user_id,
        reference=charge.reference,
        purpose=charge.purpose.value,
        succeeded_at=at,
    )
    return replace(outcome, **changes)


def cancelled(charge: Charge, reason: str, **changes: Any) -> PaymentOutcome:
    return replace(
        paid(charge, saved_method_id=None, succeeded_at=None),
        status=PaymentState.CANCELLED,
        decline_code=reason,
        **changes,
    )


__all__ = [
    "NOW",
    "RULES",
    "FakePayments",
    "FakeUnitOfWork",
    "PaymentPurpose",
    "a_subscription",
    "cancelled",
    "paid",
]
