"""The ``preorders-release`` job's work: everything a preorder needs after its creation.

For each due preorder (``SqlPreorders.due``), on its own (one failing leaves the others):

- a prepayment the provider cancelled → the preorder is cancelled (``prepayment_failed``);
- a released game, fully prepaid → completed, its advance recognised as a sale;
- a released game, partly prepaid (or a failed remainder whose next attempt is due) → the
  remainder is charged off-session to the saved method. Each attempt is its own payment with
  an id derived from the preorder and the attempt number, created and linked to the preorder
  in one transaction before the provider is called (key ``payment:<id>:create``): a crashed
  run finds its payment again and resends it, never charging twice. Its settlement completes
  the preorder (``preorder_ledger``); a refusal makes it ``payment_failed``, tried again after
  ``retry_interval`` up to ``remainder_attempts`` times, then cancelled and refunded;
- a cancelled preorder owing money → each of its payments refunded in full through the refund
  service (reason ``preorder_cancelled``, never sent to review: the platform cancels), one
  refund id per payment, so a repeated run refunds once.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from parovoz_kit.clock import Clock
from parovoz_kit.errors import NotFound, ParovozError, Unavailable
from parovoz_kit.logging import error_fields
from parovoz_kit.uow import UnitOfWork

from parovoz_payment.db.audit import record
from parovoz_payment.db.payments import SqlPayments
from parovoz_payment.db.preorders import SqlGameReleases, SqlPreorders
from parovoz_payment.db.receipts import contact_of
from parovoz_payment.db.refunds import SqlRefunds
from parovoz_payment.db.saved_methods import SqlSavedMethods
from parovoz_payment.domain.methods import MethodChoice
from parovoz_payment.domain.payment_creation import start_payment
from parovoz_payment.domain.payment_vocabulary import CancellationReason, PaymentPurpose
from parovoz_payment.domain.payment_vocabulary import PaymentStatus as Paid
from parovoz_payment.domain.payments import Payment
from parovoz_payment.domain.preorders import (
    PREORDER_NAMESPACE,
    Preorder,
    PreorderCancelReason,
    PreorderRules,
    PreorderStatus,
    PrepaymentKind,
)
from parovoz_payment.domain.refunds import Refund, RefundReason, RefundStatus, plan_refund
from parovoz_payment.use_cases.payment_confirmation import payment_audit
from parovoz_payment.use_cases.payment_flow import send_to_provider
from parovoz_payment.use_cases.payment_ledger import cancelled_event
from parovoz_payment.use_cases.preorder_ledger import REMAINDER, recognise_preorder
from parovoz_payment.use_cases.preorders import payment_metadata
from parovoz_payment.use_cases.receipts import remember_receipt_contact
from parovoz_payment.use_cases.refund_execution import execute_refund, refund_audit
from parovoz_payment.use_cases.refunds import RefundService, wallet_of

if TYPE_CHECKING:
    from parovoz_payment.clients.providers.registry import ProviderRegistry

log = logging.getLogger(__name__)

ACTOR = "system:preorders-release"
BATCH = 100


@dataclass(frozen=True)
class PreorderRelease:
    """What the job needs (the refund service carries the unit of work and the clock)."""

    refunds: RefundService
    rules: PreorderRules

    @property
    def providers(self) -> ProviderRegistry:
        return self.refunds.providers

    @property
    def clock(self) -> Clock:
        return self.refunds.clock


async def run_preorder_release(release: PreorderRelease) -> int:
    """One run over the due preorders; returns how many it looked at."""
    async with release.refunds.unit_of_work() as uow:
        due = await SqlPreorders(uow.session).due(release.clock.now(), BATCH)
    for preorder_id in due:
        try:
            await advance_preorder(release, preorder_id)
        except Exception as error:  # the next run tries it again
            log.error(
                "preorder not advanced",
                extra={"preorder_id": str(preorder_id), **error_fields(error)},
            )
    return len(due)


async def advance_preorder(release: PreorderRelease, preorder_id: uuid.UUID) -> None:
    to_send = await _settle_state(release, preorder_id)
    if to_send is not None:
        await _send_remainder(release, to_send)
        await _settle_state(release, preorder_id)  # an off-session answer is final at once
    async with release.refunds.unit_of_work() as uow:
        preorder = await SqlPreorders(uow.session).get(preorder_id)
    if preorder is not None and preorder.refund_due:
        await refund_preorder(release.refunds, preorder_id)


async def _settle_state(release: PreorderRelease, preorder_id: uuid.UUID) -> Payment | None:
    """One transaction on the locked preorder: the step its state calls for. Returns a
    remainder payment to send to the provider (after the commit), if any."""
    now = release.clock.now()
    async with release.refunds.unit_of_work() as uow:
        session = uow.session
        preorders = SqlPreorders(session)
        payments = SqlPayments(session)
        preorder = await preorders.get(preorder_id, for_update=True)
        if preorder is None:
            return None
        released = await SqlGameReleases(session).released_at(preorder.game_id) is not None
        status, to_send, updated = preorder.status, None, preorder
        if status is PreorderStatus.AWAITING_PREPAYMENT:
            stored = None
            if preorder.prepayment_payment_id is not None:
                stored = await payments.get(preorder.prepayment_payment_id)
            never_created = preorder.prepayment_payment_id is None  # due only when abandoned
            if never_created or (stored is not None and stored.payment.status is Paid.CANCELLED):
                updated = preorder.cancel(PreorderCancelReason.PREPAYMENT_FAILED, now)
        elif status is PreorderStatus.PREPAID and released and preorder.kind is PrepaymentKind.FULL:
            updated = preorder.complete(now)
            await preorders.save(updated)  # saved before the sale reads its payments
            await recognise_preorder(session, updated, now)
        elif (status is PreorderStatus.PREPAID and released) or (
            status is PreorderStatus.PAYMENT_FAILED
            and preorder.next_attempt_at is not None
            and preorder.next_attempt_at <= now
        ):
            to_send, updated = await _start_remainder(uow, preorder, now)
        elif status is PreorderStatus.CHARGING_REMAINDER:
            assert preorder.remainder_payment_id is not None
            stored = await payments.get(preorder.remainder_payment_id)
            current = stored.payment if stored is not None else None
            if current is None or current.status is Paid.CANCELLED:
                updated = preorder.remainder_failed(now, release.rules)
            elif current.status is Paid.PENDING and current.provider_payment_id is None:
                to_send = current  # created, never sent (a crash between): send it now
        if updated is not preorder:
            await preorders.save(updated)
        await uow.commit()
    return to_send


async def _start_remainder(
    uow: UnitOfWork, preorder: Preorder, now: datetime
) -> tuple[Payment | None, Preorder]:
    """The next attempt's payment, stored with the preorder's move to ``charging_remainder``.
    Without a usable saved method the attempt fails at once (a cancelled payment)."""
    session = uow.session
    attempt = preorder.remainder_attempts + 1
    payment_id = preorder.remainder_payment_id_for(attempt)
    payments = SqlPayments(session)
    existing = await payments.get(payment_id)
    charging = preorder.charging(payment_id, now)
    if existing is not None:  # stored by a run that died before linking it: carry on
        return (existing.payment if existing.payment.status is Paid.PENDING else None), charging
    method = None
    if preorder.saved_method_id is not None:
        try:
            method = await SqlSavedMethods(session).active_for_owner(
                preorder.user_id, preorder.saved_method_id
            )
        except NotFound:
            method = None
    payment = start_payment(
        user_id=preorder.user_id,
        purpose=PaymentPurpose.PREORDER,
        amount=preorder.remainder,
        region=preorder.region,
        now=now,
        choice=MethodChoice(saved_method_id=method.id if method else None),
        reference=str(preorder.id),
        game_id=preorder.game_id,
        metadata=payment_metadata(preorder, REMAINDER),
        payment_id=payment_id,
    )
    if method is None:
        payment = payment.cancel(CancellationReason.PAYMENT_METHOD_UNAVAILABLE, now)
        uow.emit(cancelled_event(payment))
    await payments.add(payment)
    if preorder.prepayment_payment_id is not None:
        # 54-FZ: the remainder's receipt goes to the buyer the prepayment's went to.
        contact = await contact_of(session, preorder.prepayment_payment_id)
        await remember_receipt_contact(session, payment, contact)
    await record(session, payment_audit(payment, ACTOR, "payment.created", None))
    return (payment if method is not None else None), charging


async def _send_remainder(release: PreorderRelease, payment: Payment) -> None:
    """The off-session charge at the provider holding the saved method's token."""
    async with release.refunds.unit_of_work() as uow:
        assert payment.saved_method_id is not None
        try:
            method = await SqlSavedMethods(uow.session).active_for_owner(
                payment.user_id, payment.saved_method_id
            )
        except NotFound:
            method = None
    if method is None:
        await _refused(release, payment, CancellationReason.PAYMENT_METHOD_UNAVAILABLE)
        return
    try:
        provider = release.providers.route(
            MethodChoice(saved_method_id=method.id), payment.currency, saved_with=method.provider
        )
        await send_to_provider(
            release.refunds.unit_of_work,
            release.providers,
            release.clock,
            payment,
            provider,
            return_url=None,
            saved_token=method.provider_token,
        )
    except Unavailable:
        log.warning("remainder %s not sent: provider unavailable; next run", payment.id)
    except ParovozError as error:
        log.warning("remainder %s refused by the provider: %s", payment.id, error.code)
        await _refused(release, payment, CancellationReason.PROVIDER_ERROR)


async def _refused(release: PreorderRelease, payment: Payment, reason: CancellationReason) -> None:
    """A remainder that never reached a provider is cancelled here (the attempt failed)."""
    async with release.refunds.unit_of_work() as uow:
        payments = SqlPayments(uow.session)
        stored = await payments.get(payment.id, for_update=True)
        if stored is None or stored.payment.status is not Paid.PENDING:
            return
        cancelled = stored.payment.cancel(reason, release.clock.now())
        await payments.save(cancelled)
        uow.emit(cancelled_event(cancelled))
        await record(
            uow.session,
            payment_audit(cancelled, ACTOR, "payment.cancelled", None, before=stored.payment),
        )
        await uow.commit()


# -- refunds of a cancelled preorder -------------------------------------------------------
def _refund_id(preorder_id: uuid.UUID, payment_id: uuid.UUID) -> uuid.UUID:
    return uuid.uuid5(PREORDER_NAMESPACE, f"preorder:{preorder_id}:refund:{payment_id}")


async def refund_preorder(service: RefundService, preorder_id: uuid.UUID) -> bool:
    """Return everything the cancelled preorder's payments took; True once all is back (the
    preorder no longer owes anything)."""
    async with service.unit_of_work() as uow:
        payment_ids = await SqlPreorders(uow.session).succeeded_payment_ids(preorder_id)
    done = True
    for payment_id in payment_ids:
        refund = await _planned_refund(service, _refund_id(preorder_id, payment_id), payment_id)
        if refund is not None and refund.status is RefundStatus.PENDING:
            refund = await execute_refund(service, refund.id, ACTOR, None)
        if refund is not None and refund.status is not RefundStatus.SUCCEEDED:
            log.warning("preorder %s: refund %s is %s", preorder_id, refund.id, refund.status)
            done = False
    if done:
        async with service.unit_of_work() as uow:
            preorders = SqlPreorders(uow.session)
            preorder = await preorders.get(preorder_id, for_update=True)
            if preorder is not None and preorder.refund_due:
                await preorders.save(preorder.refunded(service.clock.now()))
            await uow.commit()
    return done


async def _planned_refund(
    service: RefundService, refund_id: uuid.UUID, payment_id: uuid.UUID
) -> Refund | None:
    """This payment's refund (stored once, automatic), or None when nothing is left to give."""
    async with service.unit_of_work() as uow:
        session = uow.session
        stored = await SqlPayments(session).get(payment_id, for_update=True)
        refunds = SqlRefunds(session)
        existing = await refunds.get(refund_id)
        if existing is not None or stored is None:
            return existing
        payment = stored.payment
        in_flight = await refunds.in_flight(payment.id, payment.currency)
        if not (payment.refundable_amount - in_flight).is_positive:
            return None
        refund = plan_refund(
            payment,
            None,
            service.clock.now(),
            reason=RefundReason.PREORDER_CANCELLED,
            wallet=await wallet_of(session, payment.user_id, service.wallet_rules),
            in_flight=in_flight,
            approved_by_admin=True,  # the platform's own cancellation: never a review
            requested_by=ACTOR,
            refund_id=refund_id,
        )
        await refunds.add(refund)
        await record(session, refund_audit(refund, ACTOR, "refund.requested", None))
        await uow.commit()
    return refund
