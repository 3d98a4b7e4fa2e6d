"""Consumer of payment.events.v1: settles subscription charges (first payments, renewals,
upgrades, card checks) and refunds.

Each handler runs in the consumer's inbox transaction (the kit's IdempotentConsumer): the
charge's and the subscription's changes and their outbox rows commit together with the inbox
row, so a redelivered event has no second effect. Payments of other purposes are skipped. Cached
access answers of a changed subscriber are forgotten once that transaction has committed.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from parovoz_events import EventData
from parovoz_events.payment import PaymentCancelled, PaymentSucceeded, RefundFailed, RefundSucceeded
from parovoz_kit.clock import Clock
from parovoz_kit.events import Event, Handler
from parovoz_kit.events.tables import stage_events
from parovoz_kit.infrastructure import Infrastructure
from sqlalchemy import event as orm_event
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_subscription.access.cache import AccessCache
from parovoz_subscription.billing.domain.charges import (
    PaymentOutcome,
    PaymentPurpose,
    PaymentState,
    is_hard_decline,
)
from parovoz_subscription.billing.repository import SqlCharges
from parovoz_subscription.billing.service.settlements import payment_settled, refund_settled
from parovoz_subscription.clients.payment import payment_client
from parovoz_subscription.plans.repository import SqlPlans
from parovoz_subscription.subscriptions.repository import SqlSubscriptions
from parovoz_subscription.trials.repository import SqlTrials

log = logging.getLogger(__name__)

#: The purposes subscription starts; every other payment on the topic is someone else's.
OUR_PURPOSES = frozenset(purpose.value for purpose in PaymentPurpose)
_BACKGROUND: set[asyncio.Task[None]] = set()


class InboxUnitOfWork:
    """billing's repositories over the consumer's session. ``commit`` stages the emitted events
    in that session (the consumer commits them with the inbox row) and forgets the changed
    users' cached access answers after that commit."""

    def __init__(
        self, session: AsyncSession, source: str, clock: Clock, cache: AccessCache
    ) -> None:
        self.charges = SqlCharges(session)
        self.subscriptions = SqlSubscriptions(session)
        # What the renewals use cases a late outcome is handed to read too.
        self.plans = SqlPlans(session)
        self.trials = SqlTrials(session)
        self.clock = clock
        self._session, self._source, self._cache = session, source, cache
        self._pending: list[tuple[str, Event]] = []
        self._users: set[uuid.UUID] = set()

    def emit(
        self, item: EventData, *, subject: str | None = None, topic: str | None = None
    ) -> Event:
        event = Event.from_data(item, self._source, subject=subject, time=self.clock.now())
        self._pending.append((topic or type(item).topic, event))
        return event

    def access_changed(
        self,
        *,
        users: Iterable[uuid.UUID] = (),
        plans: Iterable[uuid.UUID] = (),
        games: Iterable[uuid.UUID] = (),
    ) -> None:
        self._users.update(users)

    async def commit(self) -> None:
        await stage_events(self._session, self._pending)
        self._pending = []
        if self._users:
            users, self._users = frozenset(self._users), set()
            self._after_commit(users)

    def _after_commit(self, users: frozenset[uuid.UUID]) -> None:
        cache = self._cache

        def forget(_session: Any) -> None:
            task = asyncio.get_running_loop().create_task(cache.invalidate(users=users))
            _BACKGROUND.add(task)
            task.add_done_callback(_BACKGROUND.discard)

        orm_event.listen(self._session.sync_session, "after_commit", forget, once=True)


def outcome_of_event(data: PaymentSucceeded | PaymentCancelled) -> PaymentOutcome:
    """payment's event as billing's value object."""
    cancelled = isinstance(data, PaymentCancelled)
    decline = data.cancellation_reason if isinstance(data, PaymentCancelled) else None
    return PaymentOutcome(
        payment_id=data.payment_id,
        status=PaymentState.CANCELLED if cancelled else PaymentState.SUCCEEDED,
        amount_minor=data.amount.amount_minor,
        currency=data.amount.currency,
        saved_method_id=str(data.saved_method_id) if data.saved_method_id else None,
        decline_code=decline,
        hard_decline=is_hard_decline(decline),
        user_id=data.user_id,
        reference=data.reference,
        purpose=data.purpose,
        succeeded_at=data.succeeded_at if isinstance(data, PaymentSucceeded) else None,
    )


def payment_event_handlers(infrastructure: Infrastructure) -> Mapping[str, Handler]:
    clock, source = infrastructure.clock, infrastructure.source

    def unit_of_work(session: AsyncSession) -> InboxUnitOfWork:
        cache = infrastructure.shared("access-cache", lambda: AccessCache(infrastructure.redis))
        return InboxUnitOfWork(session, source, clock, cache)

    async def on_payment(
        session: AsyncSession, data: PaymentSucceeded | PaymentCancelled, event: Event
    ) -> None:
        if data.purpose not in OUR_PURPOSES:
            return
        result = await payment_settled(
            unit_of_work(session),
            payment_client(infrastructure),
            outcome_of_event(data),
            clock.now(),
        )
        log.info(
            "payment outcome: %s",
            result,
            extra={"payment_id": str(data.payment_id), "event_id": str(event.id)},
        )

    async def on_refund(
        session: AsyncSession, data: RefundSucceeded | RefundFailed, event: Event
    ) -> None:
        if data.purpose not in OUR_PURPOSES:
            return
        succeeded = isinstance(data, RefundSucceeded)
        result = await refund_settled(
            unit_of_work(session),
            payment_id=data.payment_id,
            reference=data.reference,
            amount_minor=data.amount.amount_minor,
            succeeded=succeeded,
            fully_refunded=data.fully_refunded if isinstance(data, RefundSucceeded) else False,
            now=clock.now(),
        )
        log.info(
            "refund outcome: %s",
            result,
            extra={"payment_id": str(data.payment_id), "event_id": str(event.id)},
        )

    return {
        PaymentSucceeded.event_type: on_payment,
        PaymentCancelled.event_type: on_payment,
        RefundSucceeded.event_type: on_refund,
        RefundFailed.event_type: on_refund,
    }
