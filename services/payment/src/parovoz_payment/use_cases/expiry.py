"""Pending payments expire one hour after creation (PRODUCT.md "Payment").

Before cancelling, the provider is asked: the buyer may have paid a second before the hour
ran out, and the webhook may still be on its way. A payment the provider took is applied as
taken; any other is cancelled at the provider (so it can no longer be paid) and here, with
``expired_on_confirmation``. A payment the provider never heard of (its creation call
failed) just expires. Each payment is handled on its own: one failing provider leaves the
others to go on, and the next run tries it again.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING

from parovoz_kit.clock import Clock
from parovoz_kit.errors import BusinessRuleViolation, NotFound, ParovozError
from parovoz_kit.uow import UnitOfWorkFactory
from sqlalchemy import select

from parovoz_payment.db.audit import record
from parovoz_payment.db.payments import SqlPayments, payments
from parovoz_payment.domain.payment_vocabulary import CancellationReason, PaymentStatus
from parovoz_payment.domain.payments import Payment
from parovoz_payment.domain.providers import ProviderPayment
from parovoz_payment.use_cases.discounts import release_discounts
from parovoz_payment.use_cases.payment_confirmation import apply_confirmed_status, payment_audit
from parovoz_payment.use_cases.payment_ledger import cancelled_event

if TYPE_CHECKING:
    from parovoz_payment.clients.providers.registry import ProviderRegistry

log = logging.getLogger(__name__)

ACTOR = "system:payments-expire"
BATCH = 200
#: Provider states meaning the buyer paid: applied, never cancelled over.
_TAKEN = frozenset({PaymentStatus.SUCCEEDED, PaymentStatus.WAITING_FOR_CAPTURE})


async def _due(unit_of_work: UnitOfWorkFactory, clock: Clock) -> list[uuid.UUID]:
    async with unit_of_work() as uow:
        rows = await uow.session.execute(
            select(payments.c.id)
            .where(
                payments.c.status == PaymentStatus.PENDING.value,
                payments.c.expires_at <= clock.now(),
            )
            .order_by(payments.c.expires_at)
            .limit(BATCH)
        )
        return list(rows.scalars())


async def expire_pending_payments(
    unit_of_work: UnitOfWorkFactory, providers: ProviderRegistry, clock: Clock
) -> int:
    """The job: every pending payment past its ``expires_at``, confirmed or cancelled.
    Returns how many it cancelled."""
    cancelled = 0
    for payment_id in await _due(unit_of_work, clock):
        try:
            outcome = await expire_payment(unit_of_work, providers, clock, payment_id)
        except ParovozError as error:  # the provider is down: the next run tries again
            log.warning("payment %s not expired yet: %s", payment_id, error.code)
            continue
        if outcome.status is PaymentStatus.CANCELLED:
            cancelled += 1
    return cancelled


async def expire_payment(
    unit_of_work: UnitOfWorkFactory,
    providers: ProviderRegistry,
    clock: Clock,
    payment_id: uuid.UUID,
) -> Payment:
    async with unit_of_work() as uow:
        stored = await SqlPayments(uow.session).get(payment_id)
    if stored is None:
        raise NotFound("The payment does not exist.", code="PAYMENT_NOT_FOUND")
    payment = stored.payment
    if payment.provider is None or payment.provider_payment_id is None:
        return await _expire_here(unit_of_work, clock, payment_id)
    adapter = providers.get(payment.provider)
    try:
        confirmed: ProviderPayment | None = await adapter.get_payment(payment.provider_payment_id)
    except NotFound:
        confirmed = None
    if confirmed is not None and confirmed.status is not PaymentStatus.PENDING:
        # Taken, authorized or already cancelled at the provider: that is the truth.
        return await apply_confirmed_status(
            unit_of_work, clock, payment_id, confirmed, providers=providers
        )
    key = f"payment:{payment_id}:expire"
    answer: ProviderPayment | None
    try:
        answer = await adapter.cancel(payment.provider_payment_id, idempotency_key=key)
    except NotFound:
        answer = None  # never reached the provider's books: nothing to cancel there
    except BusinessRuleViolation:
        # Refused: already cancelled, paid in the meantime, or (YooKassa) a pending payment
        # that only expires on its own. Look again before deciding.
        answer = await adapter.get_payment(payment.provider_payment_id)
    if answer is not None and answer.status in _TAKEN:
        return await apply_confirmed_status(
            unit_of_work, clock, payment_id, answer, providers=providers
        )
    return await _expire_here(unit_of_work, clock, payment_id)


async def _expire_here(
    unit_of_work: UnitOfWorkFactory, clock: Clock, payment_id: uuid.UUID
) -> Payment:
    """Cancel the payment with ``expired_on_confirmation``, once, on the locked row."""
    async with unit_of_work() as uow:
        session = uow.session
        repository = SqlPayments(session)
        stored = await repository.get(payment_id, for_update=True)
        assert stored is not None
        before = stored.payment
        if before.status is not PaymentStatus.PENDING:
            return before  # a webhook decided meanwhile
        current = before.cancel(CancellationReason.EXPIRED_ON_CONFIRMATION, clock.now())
        await repository.save(current)
        await release_discounts(session, current, clock.now())
        uow.emit(cancelled_event(current))
        await record(
            session, payment_audit(current, ACTOR, "payment.cancelled", None, before=before)
        )
        await uow.commit()
    return current


__all__ = ["expire_payment", "expire_pending_payments"]
