"""A provider's word on a 54-FZ receipt it fiscalised with the operation (T-Bank's
``RECEIPT`` notification: a receipt sent with Init, Cancel or ``SendClosingReceipt``).

The notification names the provider's payment, the kind (sale or refund) and the total, not
our receipt: it marks the oldest pending receipt that matches, once (its fiscal document id
recognises a repeat). One that arrives before the receipt is stored here (the payment's own
notification not settled yet, a refund not finished yet) is answered 409, so the provider
sends it again later instead of it being lost.
"""

from __future__ import annotations

import logging

from parovoz_kit.clock import Clock
from parovoz_kit.errors import Conflict
from parovoz_kit.uow import UnitOfWorkFactory

from parovoz_payment.db.payments import SqlPayments
from parovoz_payment.db.receipts import SqlReceipts
from parovoz_payment.domain.providers import ProviderNotification
from parovoz_payment.domain.receipts import ReceiptStatus, ReceiptType

log = logging.getLogger(__name__)


async def settle_receipt_notification(
    unit_of_work: UnitOfWorkFactory, clock: Clock, notification: ProviderNotification
) -> None:
    fiscal = notification.fiscal
    assert fiscal is not None  # a RECEIPT notification always carries it
    async with unit_of_work() as uow:
        stored = await SqlPayments(uow.session).find_by_provider(
            notification.provider, notification.provider_object_id
        )
        if stored is None:
            log.info("receipt notification for unknown %s payment", notification.provider.value)
            return
        receipts = SqlReceipts(uow.session)
        # provider_receipt_id is String(64).
        document_id = fiscal.document_id or f"refused:{notification.provider_object_id}"[:64]
        if fiscal.document_id and await receipts.find_by_provider_receipt_id(document_id):
            return  # a repeat of a notification already applied
        kind = ReceiptType.REFUND if fiscal.refund else ReceiptType.PAYMENT
        waiting = await receipts.awaiting_fiscal_answer(
            [stored.payment.id], kind, fiscal.amount_minor
        )
        if not waiting:
            if await receipts.answered(stored.payment.id, kind, fiscal.amount_minor):
                return  # a repeat of a refusal already applied
            raise Conflict(
                "The receipt this notification is about is not recorded yet.",
                code="RECEIPT_NOT_READY",
            )
        status = ReceiptStatus.SUCCEEDED if fiscal.registered else ReceiptStatus.CANCELLED
        if not fiscal.registered:
            log.warning("a receipt of payment %s was refused by fiscalisation", stored.payment.id)
        await receipts.record_provider_state(waiting[0].id, document_id, status, clock.now())
        await uow.commit()


__all__ = ["settle_receipt_notification"]
