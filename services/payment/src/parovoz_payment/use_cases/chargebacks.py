"""Chargeback notifications: a dispute opened, won or lost, applied once.

Everything happens in one transaction on the locked payment row (so concurrent notifications
of one payment apply one after the other): the dispute's row (unique by the provider's
dispute id: a duplicate finds it and changes nothing), its ledger postings
(``chargeback_postings``), the outbox events (``payment.chargeback.opened.v1`` /
``payment.chargeback.resolved.v1``; a game's ``payment.sale.recorded.v1``) and the audit.

An outcome heard before the opening opens and resolves the dispute together. A notification
about a payment we do not know, or one that never succeeded, is logged and answered as taken:
no retry could ever make it apply. While any dispute of a user is open their wallet refuses
spending (``db.chargebacks.has_open_dispute``, checked where a payment takes from the wallet).

The notification is trusted as signed (the sandbox signs it; a real YooKassa integration sits
behind the edge's IP check): providers offer no dispute object to re-fetch.
"""

from __future__ import annotations

import logging

from parovoz_events.payment import ChargebackOpened, ChargebackResolved
from parovoz_kit.clock import Clock
from parovoz_kit.errors import Conflict
from parovoz_kit.uow import UnitOfWork, UnitOfWorkFactory

from parovoz_payment.db.audit import record
from parovoz_payment.db.chargebacks import SqlChargebacks
from parovoz_payment.db.payments import SqlPayments
from parovoz_payment.domain.audit import AuditRecord
from parovoz_payment.domain.chargebacks import (
    Chargeback,
    ChargebackStatus,
    DisputeNotice,
    disputed_amount,
)
from parovoz_payment.domain.payment_vocabulary import PaymentStatus
from parovoz_payment.domain.payments import Payment
from parovoz_payment.domain.providers import ProviderNotification
from parovoz_payment.use_cases.chargeback_postings import post_opening, post_won
from parovoz_payment.use_cases.payment_events import payment_facts

log = logging.getLogger(__name__)


async def settle_chargeback_notification(
    unit_of_work: UnitOfWorkFactory, clock: Clock, notification: ProviderNotification
) -> Chargeback | None:
    """Apply what the provider says of a dispute; the dispute as it stands, or None when the
    notification cannot apply (unknown or unpaid payment)."""
    notice = notification.dispute
    if notice is None:
        log.warning("chargeback notification %s without its dispute", notification.event)
        return None
    async with unit_of_work() as uow:
        payments = SqlPayments(uow.session)
        found = await payments.find_by_provider(notification.provider, notice.provider_payment_id)
        stored = None if found is None else await payments.get(found.payment.id, for_update=True)
        if stored is None or stored.payment.status is not PaymentStatus.SUCCEEDED:
            log.warning(
                "ignoring %s %s: not a succeeded payment of ours",
                notification.provider.value,
                notification.event,
            )
            return None
        payment = stored.payment
        disputes = SqlChargebacks(uow.session)
        chargeback = await disputes.find(
            notification.provider, notification.provider_object_id, for_update=True
        )
        if chargeback is None:
            chargeback = await _open(uow, payment, notification, notice, clock)
            if chargeback is None:
                return None
        if notice.status is not ChargebackStatus.OPENED:
            chargeback = await _resolve(uow, payment, chargeback, notice.status, clock)
        await uow.commit()
    return chargeback


async def _open(
    uow: UnitOfWork,
    payment: Payment,
    notification: ProviderNotification,
    notice: DisputeNotice,
    clock: Clock,
) -> Chargeback | None:
    card_part = payment.captured_amount - payment.wallet_amount - payment.gift_card_amount
    amount = disputed_amount(notice, card_part)
    if not amount.is_positive:
        log.warning("ignoring a dispute of payment %s: the provider took nothing", payment.id)
        return None
    now = clock.now()
    chargeback = Chargeback.open(
        provider=notification.provider,
        provider_chargeback_id=notification.provider_object_id,
        payment_id=payment.id,
        user_id=payment.user_id,
        amount=amount,
        reason=notice.reason,
        now=now,
    )
    session = uow.session
    chargeback = await post_opening(session, payment, chargeback, now)
    await SqlChargebacks(session).add(chargeback)
    uow.emit(
        ChargebackOpened(
            **_facts(payment, chargeback),
            reason=chargeback.reason,
            opened_at=chargeback.opened_at,
        )
    )
    await record(session, _audit(chargeback, "chargeback.opened"))
    log.info("payment %s disputed (%s)", payment.id, chargeback.id)
    return chargeback


async def _resolve(
    uow: UnitOfWork,
    payment: Payment,
    chargeback: Chargeback,
    outcome: ChargebackStatus,
    clock: Clock,
) -> Chargeback:
    try:
        resolved = chargeback.resolve(outcome, clock.now())
    except Conflict:
        log.warning(
            "ignoring dispute %s %s: it already ended %s",
            chargeback.id,
            outcome.value,
            chargeback.status.value,
        )
        return chargeback
    if resolved is chargeback:
        return chargeback  # a duplicate: applied before
    assert resolved.resolved_at is not None
    session = uow.session
    if resolved.status is ChargebackStatus.WON:
        await post_won(session, payment, resolved, resolved.resolved_at)
    await SqlChargebacks(session).save(resolved)
    uow.emit(
        ChargebackResolved(
            **_facts(payment, resolved),
            outcome=resolved.status.value,  # type: ignore[arg-type]
            resolved_at=resolved.resolved_at,
        )
    )
    action = f"chargeback.{resolved.status.value}"
    await record(session, _audit(resolved, action, before=chargeback))
    return resolved


def _facts(payment: Payment, chargeback: Chargeback) -> dict[str, object]:
    return {**payment_facts(payment, chargeback.amount), "chargeback_id": chargeback.id}


def _audit(chargeback: Chargeback, action: str, *, before: Chargeback | None = None) -> AuditRecord:
    """The whole dispute after ``action``, and before it when it changed (won or lost)."""
    return AuditRecord(
        actor=f"provider:{chargeback.provider.value}",
        action=action,
        subject_type="chargeback",
        subject_id=str(chargeback.id),
        before=None if before is None else _state(before),
        after=_state(chargeback),
    )


def _state(chargeback: Chargeback) -> dict[str, object]:
    def minor(money: object) -> int | None:
        return getattr(money, "amount_minor", None)

    return {
        "payment_id": str(chargeback.payment_id),
        "user_id": str(chargeback.user_id),
        "provider_chargeback_id": chargeback.provider_chargeback_id,
        "status": chargeback.status.value,
        "amount_minor": chargeback.amount.amount_minor,
        "currency": chargeback.amount.currency,
        "reason": chargeback.reason,
        "wallet_debited_minor": minor(chargeback.wallet_debited),
        "user_owed_minor": minor(chargeback.user_owed),
        "resolved_at": None
        if chargeback.resolved_at is None
        else chargeback.resolved_at.isoformat(),
    }
