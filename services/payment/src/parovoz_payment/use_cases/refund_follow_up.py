"""What happens to money after the first answer: refunds a provider finishes later (its
notification, or our polling), top-ups whose cap overflow was never sent back, and card
verifications whose hold was never released.

Each step is safe to run again: provider calls are keyed (a retry never pays twice) and every
outcome is applied once on the locked row (``finish_refund`` / ``apply_confirmed_status``).
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from parovoz_kit.errors import NotFound, ParovozError
from parovoz_kit.uow import UnitOfWorkFactory
from sqlalchemy import String, and_, cast, exists, select

from parovoz_payment.db.audit import record
from parovoz_payment.db.ledger_tables import ledger_accounts, ledger_entries, ledger_transactions
from parovoz_payment.db.payments import SqlPayments, payments
from parovoz_payment.db.refunds import SqlRefunds, refunds
from parovoz_payment.domain.ledger import AccountPurpose
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose, PaymentStatus
from parovoz_payment.domain.providers import ProviderNotification, ProviderRefundStatus
from parovoz_payment.domain.refunds import Refund, RefundReason, RefundStatus, plan_refund
from parovoz_payment.use_cases.refund_execution import execute_refund, finish_refund, refund_audit
from parovoz_payment.use_cases.refunds import RefundService, wallet_of

log = logging.getLogger(__name__)

FOLLOW_UP_ACTOR = "system:refunds-follow-up"
#: A refund younger than this is still being executed by its request: leave it alone.
SETTLING_TIME = timedelta(minutes=10)
BATCH = 100
PROVIDER_DECLINED = "The provider declined the refund."

#: Names the one cap-overflow refund a top-up can have: settling twice never refunds twice.
_CAP_OVERFLOW_REFUNDS = uuid.UUID("5b0f3c38-8d7e-4a53-9d0e-3a2f8e61c7a4")
CAP_OVERFLOW_ACTOR = "system:wallet-cap"


async def settle_refund_notification(
    service: RefundService, notification: ProviderNotification
) -> Refund | None:
    """A provider says one of its refunds changed: ask it for the refund's state (the body is
    never trusted) and apply that once. Unknown refunds are logged and ignored."""
    async with service.unit_of_work() as uow:
        refund = await SqlRefunds(uow.session).find_by_provider_refund(
            notification.provider_object_id
        )
    if refund is None:
        log.warning("%s notification for an unknown refund", notification.provider.value)
        return None
    actor = f"provider:{notification.provider.value}"
    return await _follow(service, refund, notification.provider_object_id, actor)


async def follow_up_pending_refunds(service: RefundService) -> int:
    """The job: every refund pending for longer than ``SETTLING_TIME``. One the provider has
    taken is asked for its state; one it never got (it was down) is executed again. Returns
    how many reached a final state."""
    async with service.unit_of_work() as uow:
        due = await SqlRefunds(uow.session).pending_since(
            service.clock.now() - SETTLING_TIME, BATCH
        )
    finished = 0
    for refund_id, provider_refund_id in due:
        try:
            refund = await _follow_up_one(service, refund_id, provider_refund_id)
        except ParovozError as error:  # the provider is down: the next run tries again
            log.warning("refund %s still pending: %s", refund_id, error.code)
            continue
        if refund is not None and refund.status is not RefundStatus.PENDING:
            finished += 1
    return finished


async def _follow_up_one(
    service: RefundService, refund_id: uuid.UUID, provider_refund_id: str | None
) -> Refund | None:
    async with service.unit_of_work() as uow:
        refund = await SqlRefunds(uow.session).get(refund_id)
    if refund is None or refund.status is not RefundStatus.PENDING:
        return refund
    if provider_refund_id is None:
        return await execute_refund(service, refund_id, FOLLOW_UP_ACTOR, None)
    return await _follow(service, refund, provider_refund_id, FOLLOW_UP_ACTOR)


async def _follow(
    service: RefundService, refund: Refund, provider_refund_id: str, actor: str
) -> Refund:
    async with service.unit_of_work() as uow:
        stored = await SqlPayments(uow.session).get(refund.payment_id)
    if stored is None or stored.payment.provider is None:
        raise NotFound("The refund's payment does not exist.", code="PAYMENT_NOT_FOUND")
    adapter = service.providers.get(stored.payment.provider)
    answer = await adapter.get_refund(provider_refund_id)
    if answer.status is ProviderRefundStatus.PENDING:
        return refund
    failure = PROVIDER_DECLINED if answer.status is ProviderRefundStatus.FAILED else None
    return await finish_refund(service, refund.id, failure, provider_refund_id, actor, None)


async def refund_wallet_cap_overflow(
    service: RefundService, payment_id: uuid.UUID, overflow: Money
) -> Refund:
    """Give back to the card the part of a settled top-up that the wallet cap kept out of the
    wallet (booked on ``refunds_payable`` by the settlement). Automatic: nobody chose to take
    that money, so no admin has to approve returning it."""
    refund_id = uuid.uuid5(_CAP_OVERFLOW_REFUNDS, str(payment_id))
    async with service.unit_of_work() as uow:
        session = uow.session
        stored = await SqlPayments(session).get(payment_id, for_update=True)
        if stored is None:
            raise NotFound("The payment does not exist.", code="PAYMENT_NOT_FOUND")
        repository = SqlRefunds(session)
        refund = await repository.get(refund_id)
        if refund is None:
            payment = stored.payment
            refund = plan_refund(
                payment,
                overflow,
                service.clock.now(),
                reason=RefundReason.WALLET_CAP_OVERFLOW,
                wallet=await wallet_of(session, payment.user_id, service.wallet_rules),
                in_flight=await repository.in_flight(payment.id, payment.currency),
                approved_by_admin=True,  # the system's own decision, never a caller's
                requested_by=CAP_OVERFLOW_ACTOR,
                refund_id=refund_id,
            )
            await repository.add(refund)
            await record(
                session, refund_audit(refund, CAP_OVERFLOW_ACTOR, "refund.requested", None)
            )
            await uow.commit()
    if refund.status is RefundStatus.PENDING:
        return await execute_refund(service, refund.id, CAP_OVERFLOW_ACTOR, None)
    return refund


async def sweep_cap_overflow_debts(service: RefundService) -> int:
    """The job's other half: top-ups whose settlement booked a cap overflow on
    ``refunds_payable`` but whose refund was never created (the process stopped between the
    commit and the refund). Returns how many refunds it started."""
    before = service.clock.now() - SETTLING_TIME
    overflow_refund_exists = exists().where(
        and_(
            refunds.c.payment_id == payments.c.id,
            refunds.c.reason == RefundReason.WALLET_CAP_OVERFLOW.value,
        )
    )
    query = (
        select(payments.c.id, ledger_entries.c.amount, ledger_entries.c.currency)
        .select_from(
            ledger_transactions.join(
                ledger_entries, ledger_entries.c.transaction_id == ledger_transactions.c.id
            )
            .join(ledger_accounts, ledger_accounts.c.id == ledger_entries.c.account_id)
            .join(payments, cast(payments.c.id, String) == ledger_transactions.c.reference)
        )
        .where(
            ledger_transactions.c.kind == PaymentPurpose.WALLET_TOP_UP.value,
            ledger_accounts.c.purpose == AccountPurpose.REFUNDS_PAYABLE.value,
            ledger_entries.c.direction == "credit",
            payments.c.updated_at < before,
            ~overflow_refund_exists,
        )
        .limit(BATCH)
    )
    async with service.unit_of_work() as uow:
        debts = (await uow.session.execute(query)).all()
    started = 0
    for payment_id, amount_minor, currency in debts:
        log.warning("top-up %s: sending a forgotten cap overflow back to the card", payment_id)
        try:
            await refund_wallet_cap_overflow(service, payment_id, Money(amount_minor, currency))
        except ParovozError as error:
            log.warning("top-up %s: cap overflow refund not started: %s", payment_id, error.code)
            continue
        started += 1
    return started


async def release_stale_verifications(
    unit_of_work: UnitOfWorkFactory, service: RefundService
) -> int:
    """Card verifications still authorized after ``SETTLING_TIME``: the hold release after
    the card was saved failed. Cancelled at the provider (keyed like the first attempt) and
    applied. Returns how many were released."""
    # Imported here: payment_confirmation imports this module (cap overflow refunds).
    from parovoz_payment.use_cases.payment_confirmation import release_verification_hold

    before = service.clock.now() - SETTLING_TIME
    async with unit_of_work() as uow:
        rows = await uow.session.execute(
            select(payments.c.id)
            .where(
                payments.c.purpose == PaymentPurpose.CARD_VERIFICATION.value,
                payments.c.status == PaymentStatus.WAITING_FOR_CAPTURE.value,
                payments.c.updated_at < before,
            )
            .limit(BATCH)
        )
        due = list(rows.scalars())
    released = 0
    for payment_id in due:
        async with unit_of_work() as uow:
            stored = await SqlPayments(uow.session).get(payment_id)
        assert stored is not None
        payment = stored.payment
        if payment.provider is None or payment.provider_payment_id is None:
            continue
        try:
            current = await release_verification_hold(
                unit_of_work, service.clock, service.providers, payment
            )
        except ParovozError as error:
            log.warning("verification %s hold not released: %s", payment_id, error.code)
            continue
        released += current.status is PaymentStatus.CANCELLED
    return released


__all__ = [
    "CAP_OVERFLOW_ACTOR",
    "follow_up_pending_refunds",
    "refund_wallet_cap_overflow",
    "release_stale_verifications",
    "settle_refund_notification",
    "sweep_cap_overflow_debts",
]
