"""The settlement's cross-checks on the real tables (``domain.settlement`` decides): what a
payment's reference names, read for the check, and what a refused settlement leaves behind
(an audit entry, the ``payment_settlement_mismatches_total`` counter, a warning).

The reference is read without a lock (no new lock order beside the settlement's own): who owns
it and which payment it is linked to do not change under a settlement.
"""

from __future__ import annotations

import logging

from prometheus_client import Counter
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db.audit import audit_log, record
from parovoz_payment.db.donations import SqlDonations
from parovoz_payment.db.gift_card_purchases import SqlGiftCardPurchases
from parovoz_payment.db.payments import payments
from parovoz_payment.db.preorders import SqlPreorders
from parovoz_payment.domain import donations as donation_terms
from parovoz_payment.domain import gift_card_purchases as purchase_terms
from parovoz_payment.domain.audit import AuditRecord
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose, PaymentStatus
from parovoz_payment.domain.payments import Payment
from parovoz_payment.domain.providers import ProviderPayment
from parovoz_payment.domain.references import id_from_reference
from parovoz_payment.domain.settlement import (
    ReferenceFacts,
    SettlementMismatch,
    preorder_facts,
    settlement_mismatch,
)
from parovoz_payment.use_cases.preorder_ledger import preorder_id_of

log = logging.getLogger(__name__)

SETTLEMENT_MISMATCHES = Counter(
    "payment_settlement_mismatches_total",
    "Provider answers refused by the settlement cross-checks (nothing moved)",
    ["provider", "reason"],
)
AUDIT_ACTION = "payment.settlement_refused"


async def reference_facts(session: AsyncSession, payment: Payment) -> ReferenceFacts | None:
    """What the payment's reference names, for the check; None when it names nothing we keep
    (a top-up, a game purchase, a service's own reference)."""
    if payment.purpose is PaymentPurpose.PREORDER:
        preorder_id = preorder_id_of(payment)
        preorder = await SqlPreorders(session).get(preorder_id) if preorder_id else None
        return preorder_facts(preorder, payment)
    if payment.purpose is PaymentPurpose.DONATION and payment.reference is not None:
        donation_id = id_from_reference(payment.reference, donation_terms.REFERENCE_PREFIX)
        donation = await SqlDonations(session).get(donation_id) if donation_id else None
        if donation is None:
            return ReferenceFacts("donation", None, accepts=False)
        paid = await _paid_by_another(session, payment)
        return ReferenceFacts("donation", donation.user_id, accepts=not paid)
    if payment.purpose is PaymentPurpose.GIFT_CARD and payment.reference is not None:
        purchase_id = id_from_reference(payment.reference, purchase_terms.REFERENCE_PREFIX)
        purchase = await SqlGiftCardPurchases(session).get(purchase_id) if purchase_id else None
        if purchase is None:
            return ReferenceFacts("gift_card_purchase", None, accepts=False)
        accepts = purchase.payment_id in (None, payment.id) and not (
            await _paid_by_another(session, payment)
        )
        return ReferenceFacts("gift_card_purchase", purchase.user_id, accepts=accepts)
    return None


async def _paid_by_another(session: AsyncSession, payment: Payment) -> bool:
    """Another payment of the same purpose and reference already took the money."""
    query = select(func.count()).where(
        payments.c.reference == payment.reference,
        payments.c.purpose == payment.purpose.value,
        payments.c.status == PaymentStatus.SUCCEEDED.value,
        payments.c.id != payment.id,
    )
    return bool((await session.execute(query)).scalar_one())


async def check_settlement(
    session: AsyncSession, payment: Payment, confirmed: ProviderPayment
) -> SettlementMismatch | None:
    """The cross-checks of ``confirmed`` against the locked ``payment`` (domain rules)."""
    return settlement_mismatch(payment, confirmed, await reference_facts(session, payment))


async def record_mismatch(
    session: AsyncSession,
    payment: Payment,
    confirmed: ProviderPayment,
    mismatch: SettlementMismatch,
    actor: str,
) -> None:
    """The refused settlement's audit entry (in the caller's transaction) and a warning; the
    counter is incremented by :func:`count_mismatch` once that transaction committed. The same
    refusal again (the provider's retries, the expiry job's next run) is audited once."""
    log.warning(
        "settlement of payment %s refused: %s (expected %s, reported %s)",
        payment.id,
        mismatch.reason.value,
        mismatch.expected,
        mismatch.reported,
    )
    after = {
        "reason": mismatch.reason.value,
        "expected": mismatch.expected,
        "reported": mismatch.reported,
        "reported_status": confirmed.status.value,
        "reported_provider_payment_id": confirmed.provider_payment_id,
        "reported_amount_minor": confirmed.amount.amount_minor,
        "reported_currency": confirmed.amount.currency,
        "settled": False,
    }
    if await _already_audited(session, payment, after):
        return
    await record(
        session,
        AuditRecord(
            actor=actor,
            action=AUDIT_ACTION,
            subject_type="payment",
            subject_id=str(payment.id),
            before={
                "status": payment.status.value,
                "amount_minor": payment.amount.amount_minor,
                "card_amount_minor": payment.card_amount.amount_minor,
                "currency": payment.currency,
                "provider": payment.provider.value if payment.provider else None,
                "provider_payment_id": payment.provider_payment_id,
                "reference": payment.reference,
            },
            after=after,
        ),
    )


async def _already_audited(
    session: AsyncSession, payment: Payment, after: dict[str, object]
) -> bool:
    query = select(func.count()).where(
        audit_log.c.subject_type == "payment",
        audit_log.c.subject_id == str(payment.id),
        audit_log.c.action == AUDIT_ACTION,
        audit_log.c.after.contains(after),
    )
    return bool((await session.execute(query)).scalar_one())


def count_mismatch(confirmed: ProviderPayment, mismatch: SettlementMismatch) -> None:
    SETTLEMENT_MISMATCHES.labels(confirmed.provider.value, mismatch.reason.value).inc()


__all__ = [
    "AUDIT_ACTION",
    "SETTLEMENT_MISMATCHES",
    "check_settlement",
    "count_mismatch",
    "record_mismatch",
    "reference_facts",
]
