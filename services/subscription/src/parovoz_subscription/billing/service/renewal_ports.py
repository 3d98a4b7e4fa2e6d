"""What billing's renewals and plan changes need from the rest of the service (ports as
``typing.Protocol``: subscription's unit of work and the jobs' queries), the steps a job
reports, and the small helpers they share (payment's idempotency key of a renewal, event
building, money in events, the receipt line's name)."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime
from enum import StrEnum
from typing import Protocol, TypeVar

from parovoz_events.base import EventData

from parovoz_subscription.billing.domain.charges import Charge, ChargeKind
from parovoz_subscription.plans.service import PlansUnitOfWork
from parovoz_subscription.subscriptions.domain import BillingPeriod, Subscription
from parovoz_subscription.trials.service import TrialsUnitOfWork

#: payment's cancellation reasons an event may carry; anything else is a provider error.
_EVENT_REASONS = frozenset(
    {
        "expired_on_confirmation",
        "card_expired",
        "insufficient_funds",
        "fraud_suspected",
        "provider_error",
        "three_d_secure_failed",
        "card_declined",
        "payment_method_unavailable",
        "user_blocked",
        "cancelled_by_user",
        "cancelled_by_platform",
    }
)


class DueKind(StrEnum):
    RENEWAL = "renewal"
    EXPIRY = "expiry"
    NOTICE = "notice"


# --- ports ---------------------------------------------------------------------------------------


class SubscriptionStore(Protocol):
    async def get(self, subscription_id: uuid.UUID) -> Subscription | None: ...
    async def get_for_update(self, subscription_id: uuid.UUID) -> Subscription | None: ...
    async def save(self, subscription: Subscription) -> None: ...
    async def live_of_user(self, user_id: uuid.UUID) -> list[Subscription]: ...


class ChargeStore(Protocol):
    async def add(self, charge: Charge) -> None: ...
    async def add_once(self, charge: Charge) -> Charge: ...
    async def save(self, charge: Charge) -> None: ...
    async def for_period(
        self, subscription_id: uuid.UUID, period_start: datetime, kind: ChargeKind | None = None
    ) -> list[Charge]: ...


class BillingUnitOfWork(PlansUnitOfWork, TrialsUnitOfWork, Protocol):
    """What renewals and plan changes need of subscription's unit of work."""

    @property
    def subscriptions(self) -> SubscriptionStore: ...

    @property
    def charges(self) -> ChargeStore: ...


class RenewalQueue(Protocol):
    """The jobs' queries (``billing.renewals_repository.SqlRenewals``)."""

    async def next_due(
        self,
        kind: DueKind,
        now: datetime,
        *,
        skip: Collection[uuid.UUID] = (),
        only: Collection[uuid.UUID] | None = None,
        notice_until: datetime | None = None,
    ) -> Subscription | None: ...

    async def mark_notified(
        self, subscription_id: uuid.UUID, renews_at: datetime, now: datetime
    ) -> bool: ...

    async def method_untried(self, subscription_id: uuid.UUID, saved_method_id: str) -> bool:
        """True when no renewal attempt of the subscription has charged this saved method."""
        ...

    async def record_attempt(
        self,
        charge_id: uuid.UUID,
        subscription_id: uuid.UUID,
        saved_method_id: str | None,
        now: datetime,
    ) -> None: ...


class Step(StrEnum):
    RENEWED = "renewed"
    PENDING = "pending"
    FAILED = "failed"
    SUSPENDED = "suspended"
    EXPIRED = "expired"
    NOTIFIED = "notified"
    #: Handled without a change worth an event (e.g. nothing to announce).
    SKIPPED = "skipped"
    NOT_DUE = "not_due"
    ERROR = "error"


# --- helpers -------------------------------------------------------------------------------------


def renewal_key(subscription_id: uuid.UUID, period_start: datetime, attempt: int) -> str:
    """payment's idempotency key of a renewal attempt (<= 64 characters)."""
    return f"sub:{subscription_id}:{int(period_start.timestamp())}:{attempt}"


def money(amount_minor: int, currency: str) -> dict[str, object]:
    return {"amount_minor": amount_minor, "currency": currency}


E = TypeVar("E", bound=EventData)


def event_of(kind: type[E], subscription: Subscription, **fields: object) -> E:
    """An event of ``subscription`` (its common facts plus ``fields``), validated."""
    return kind.model_validate({**subscription.facts(), **fields})


def event_reason(code: str | None) -> str:
    return code if code in _EVENT_REASONS else "provider_error"


def item_name(subscription: Subscription, period: BillingPeriod) -> str:
    return f"Подписка Parovoz {subscription.plan_type.value.upper()} ({period.value})"
