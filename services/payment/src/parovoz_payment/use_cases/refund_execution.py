"""Executing a refund: the provider is asked to return the card part (keyed by the refund, so
a retry never pays twice; outside any transaction), then the outcome is applied once in one
transaction on the locked payment row -- ledger reversal, the payment's refunded amount, the
54-FZ refund receipt, the event, the audit. A provider that cannot answer leaves the refund
pending (``refund_follow_up`` executes it again).
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING

from parovoz_kit.errors import NotFound, ParovozError, Unavailable

from parovoz_payment.db.audit import record
from parovoz_payment.db.payments import SqlPayments
from parovoz_payment.db.refunds import SqlRefunds
from parovoz_payment.domain.audit import AuditRecord
from parovoz_payment.domain.providers import ProviderRefundStatus
from parovoz_payment.domain.receipts import RECEIPT_WITH_OPERATION
from parovoz_payment.domain.refunds import Refund, RefundStatus
from parovoz_payment.use_cases.gift_card_purchases import release_refund_hold
from parovoz_payment.use_cases.receipt_delivery import deliver_receipts_later
from parovoz_payment.use_cases.receipts import refund_receipt, store_refund_receipt
from parovoz_payment.use_cases.refund_postings import (
    refund_failed_event,
    refund_succeeded_event,
    reverse_settlement,
)

if TYPE_CHECKING:
    # Annotations only: ``refunds`` executes through this module.
    from parovoz_payment.use_cases.refunds import RefundService

log = logging.getLogger(__name__)


def refund_audit(
    refund: Refund,
    actor: str,
    action: str,
    request_id: str | None,
    *,
    before: Refund | None = None,
) -> AuditRecord:
    """The whole refund after ``action``, and before it when it changed a stored refund."""
    return AuditRecord(
        actor=actor,
        action=action,
        subject_type="refund",
        subject_id=str(refund.id),
        before=None if before is None else before.audit_state(),
        after=refund.audit_state(),
        request_id=request_id,
    )


async def execute_refund(
    service: RefundService, refund_id: uuid.UUID, actor: str, request_id: str | None
) -> Refund:
    """Return a pending refund's money. The card part is asked of the provider first; a
    provider that cannot answer now leaves the refund pending (executing it again is safe)."""
    async with service.unit_of_work() as uow:
        refund = await SqlRefunds(uow.session).get(refund_id)
        stored = await SqlPayments(uow.session).get(refund.payment_id) if refund else None
    if refund is None or stored is None:
        raise NotFound("The refund does not exist.", code="REFUND_NOT_FOUND")
    if refund.status is not RefundStatus.PENDING:
        return refund
    payment = stored.payment
    failure: str | None = None
    provider_refund_id: str | None = None
    if refund.to_method.is_positive:
        assert payment.provider is not None and payment.provider_payment_id is not None
        receipt = None
        if payment.provider in RECEIPT_WITH_OPERATION:
            async with service.unit_of_work() as uow:
                built = await refund_receipt(uow.session, payment, refund)
            receipt = built[0] if built else None
        try:
            answer = await service.providers.get(payment.provider).refund(
                payment.provider_payment_id,
                refund.to_method,
                receipt=receipt,
                idempotency_key=f"refund:{refund.id}",
            )
        except Unavailable:
            log.warning("refund %s stays pending: %s unavailable", refund.id, payment.provider)
            return refund
        except ParovozError as error:
            answer = None
            failure = f"The provider refused the refund ({error.code})."
        if answer is not None:
            provider_refund_id = answer.provider_refund_id
            if answer.status is ProviderRefundStatus.PENDING:
                await _remember_provider_refund(service, refund, provider_refund_id)
                return refund
            if answer.status is ProviderRefundStatus.FAILED:
                failure = "The provider declined the refund."
    return await finish_refund(service, refund.id, failure, provider_refund_id, actor, request_id)


async def _remember_provider_refund(
    service: RefundService, refund: Refund, provider_refund_id: str
) -> None:
    async with service.unit_of_work() as uow:
        await SqlRefunds(uow.session).save(refund, provider_refund_id=provider_refund_id)
        await uow.commit()


async def finish_refund(
    service: RefundService,
    refund_id: uuid.UUID,
    failure: str | None,
    provider_refund_id: str | None,
    actor: str,
    request_id: str | None,
) -> Refund:
    """Apply the outcome once, holding the payment row (the same lock as a new request)."""
    now = service.clock.now()
    receipt_id = None
    async with service.unit_of_work() as uow:
        session = uow.session
        refunds = SqlRefunds(session)
        unlocked = await refunds.get(refund_id)
        assert unlocked is not None
        payments = SqlPayments(session)
        stored = await payments.get(unlocked.payment_id, for_update=True)
        refund = await refunds.get(refund_id, for_update=True)
        assert stored is not None and refund is not None
        if refund.status is not RefundStatus.PENDING:
            return refund  # another execution finished it first
        payment, earlier = stored.payment, refund
        if failure is not None:
            refund = refund.fail(failure, now)
            await release_refund_hold(session, refund, now)
            uow.emit(refund_failed_event(payment, refund, now))
            action = "refund.failed"
        else:
            refund = refund.succeed(now)
            await reverse_settlement(session, payment, refund)
            payment = payment.record_refund(refund.amount, now)
            await payments.save(payment)
            receipt_id = await store_refund_receipt(session, payment, refund, service.clock)
            uow.emit(refund_succeeded_event(payment, refund))
            action = "refund.succeeded"
        await refunds.save(refund, provider_refund_id=provider_refund_id)
        await record(session, refund_audit(refund, actor, action, request_id, before=earlier))
        await uow.commit()
    if receipt_id is not None:  # 54-FZ: to the provider after the commit, never before
        deliver_receipts_later(service.unit_of_work, service.clock, refund.payment_id)
    return refund


__all__ = ["execute_refund", "finish_refund", "refund_audit"]
