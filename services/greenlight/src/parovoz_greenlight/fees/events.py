"""Consumer of payment.events.v1: the submission fee paid, cancelled or refunded.

Each handler runs in the consumer's inbox transaction (the kit's IdempotentConsumer): the fee's
and the submission's changes and their outbox rows commit together with the inbox row, so a
redelivered event has no second effect. Payments of other purposes are skipped; an outcome that
does not agree with its fee in every reference is logged and ignored (``fees.service``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from parovoz_events import EventData
from parovoz_events.payment import PaymentCancelled, PaymentSucceeded, RefundFailed, RefundSucceeded
from parovoz_kit.clock import Clock
from parovoz_kit.events import Event, Handler
from parovoz_kit.events.tables import stage_events
from parovoz_kit.infrastructure import Infrastructure
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_greenlight.clients.payment import payment_client
from parovoz_greenlight.fees.domain import FEE_PURPOSE, PaymentReport, RefundReport
from parovoz_greenlight.fees.repository import SqlFees
from parovoz_greenlight.fees.service import payment_settled, refund_settled
from parovoz_greenlight.submissions.repository import SqlSubmissions

log = logging.getLogger(__name__)


class InboxUnitOfWork:
    """fees' and submissions' repositories over the consumer's session; ``commit`` stages the
    emitted events in that session (the consumer commits them with the inbox row)."""

    def __init__(self, session: AsyncSession, source: str, clock: Clock) -> None:
        self.fees = SqlFees(session)
        self.submissions = SqlSubmissions(session)
        self._session, self._source, self._clock = session, source, clock
        self._pending: list[tuple[str, Event]] = []

    def emit(
        self, item: EventData, *, subject: str | None = None, topic: str | None = None
    ) -> Event:
        event = Event.from_data(item, self._source, subject=subject, time=self._clock.now())
        self._pending.append((topic or type(item).topic, event))
        return event

    async def commit(self) -> None:
        await stage_events(self._session, self._pending)
        self._pending = []


def payment_report(data: PaymentSucceeded | PaymentCancelled) -> PaymentReport:
    """payment's event as fees' value object."""
    return PaymentReport(
        payment_id=data.payment_id,
        succeeded=isinstance(data, PaymentSucceeded),
        user_id=data.user_id,
        amount_minor=data.amount.amount_minor,
        currency=data.amount.currency,
        purpose=str(data.purpose),
        reference=data.reference,
        cancellation_reason=(
            str(data.cancellation_reason) if isinstance(data, PaymentCancelled) else None
        ),
    )


def refund_report(data: RefundSucceeded | RefundFailed) -> RefundReport:
    return RefundReport(
        refund_id=data.refund_id,
        payment_id=data.payment_id,
        succeeded=isinstance(data, RefundSucceeded),
        user_id=data.user_id,
        amount_minor=data.amount.amount_minor,
        currency=data.amount.currency,
        purpose=str(data.purpose),
        reference=data.reference,
        failure_reason=data.failure_reason if isinstance(data, RefundFailed) else None,
    )


def payment_event_handlers(infrastructure: Infrastructure) -> Mapping[str, Handler]:
    clock, source = infrastructure.clock, infrastructure.source

    async def on_payment(
        session: AsyncSession, data: PaymentSucceeded | PaymentCancelled, event: Event
    ) -> None:
        if str(data.purpose) != FEE_PURPOSE:
            return
        result = await payment_settled(
            InboxUnitOfWork(session, source, clock),
            payment_client(infrastructure),
            payment_report(data),
            clock.now(),
        )
        log.info(
            "fee payment outcome: %s",
            result,
            extra={"payment_id": str(data.payment_id), "event_id": str(event.id)},
        )

    async def on_refund(
        session: AsyncSession, data: RefundSucceeded | RefundFailed, event: Event
    ) -> None:
        if str(data.purpose) != FEE_PURPOSE:
            return
        result = await refund_settled(
            InboxUnitOfWork(session, source, clock), refund_report(data), clock.now()
        )
        log.info(
            "fee refund outcome: %s",
            result,
            extra={"payment_id": str(data.payment_id), "event_id": str(event.id)},
        )

    return {
        PaymentSucceeded.event_type: on_payment,
        PaymentCancelled.event_type: on_payment,
        RefundSucceeded.event_type: on_refund,
        RefundFailed.event_type: on_refund,
    }
