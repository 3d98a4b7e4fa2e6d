"""What a provider's answer does to a payment: a notification (verified by the caller) or a
direct answer is confirmed and applied once.

Money moves only after the provider CONFIRMS a status (``get_payment``): a notification's body
is never trusted, only its signature tells us to go and ask. Each settlement runs in one
transaction holding the payment row (``SELECT ... FOR UPDATE``): the state machine says
whether anything changes, so duplicates and out-of-order deliveries have one effect.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from typing import TYPE_CHECKING

from parovoz_kit.clock import Clock
from parovoz_kit.errors import NotFound
from parovoz_kit.logging import error_fields
from parovoz_kit.uow import UnitOfWorkFactory

from parovoz_payment.db.audit import record
from parovoz_payment.db.payments import SqlPayments
from parovoz_payment.domain.audit import AuditRecord
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose, PaymentStatus
from parovoz_payment.domain.payments import Payment
from parovoz_payment.domain.providers import (
    ProviderNotification,
    ProviderPayment,
)
from parovoz_payment.settings import process_settings
from parovoz_payment.use_cases.discounts import (
    release_discounts,
)
from parovoz_payment.use_cases.fraud import FraudScreen
from parovoz_payment.use_cases.payment_ledger import cancelled_event, settle, succeeded_event
from parovoz_payment.use_cases.receipt_delivery import deliver_receipts_later
from parovoz_payment.use_cases.receipts import store_payment_receipt, store_saved_method
from parovoz_payment.use_cases.refund_follow_up import refund_wallet_cap_overflow
from parovoz_payment.use_cases.refunds import RefundService
from parovoz_payment.use_cases.sales import SalesPorts
from parovoz_payment.use_cases.settlement_checks import (
    check_settlement,
    count_mismatch,
    record_mismatch,
)

if TYPE_CHECKING:
    from parovoz_payment.clients.providers.registry import ProviderRegistry

log = logging.getLogger(__name__)


def payment_audit(
    payment: Payment,
    actor: str,
    action: str,
    request_id: str | None,
    *,
    before: Payment | None = None,
) -> AuditRecord:
    """The whole payment after ``action``, and before it when it changed a stored payment
    (None only for its creation)."""
    return AuditRecord(
        actor=actor,
        action=action,
        subject_type="payment",
        subject_id=str(payment.id),
        before=None if before is None else before.audit_state(),
        after=payment.audit_state(),
        request_id=request_id,
    )


async def settle_payment_notification(
    unit_of_work: UnitOfWorkFactory,
    providers: ProviderRegistry,
    clock: Clock,
    notification: ProviderNotification,
    fraud: FraudScreen | None = None,
    sales: SalesPorts | None = None,
) -> None:
    """A provider's verified notification about a payment: the payment's status is asked from
    the provider (the body is never trusted) and applied once."""
    provider = notification.provider
    adapter = providers.get(provider)
    async with unit_of_work() as uow:
        payments = SqlPayments(uow.session)
        stored = None
        if notification.payment_id is not None:
            stored = await payments.get(notification.payment_id)
        if stored is None:
            stored = await payments.find_by_provider(provider, notification.provider_object_id)
    if stored is None or stored.payment.provider not in (None, provider):
        # Not ours (another environment's shop, or a forged id with a valid signature): answer
        # as accepted so the provider stops retrying something that can never apply here.
        log.warning(
            "%s notification for unknown payment %s", provider.value, notification.payment_id
        )
        return
    confirmed = await adapter.get_payment(notification.provider_object_id)
    if confirmed.saved_method_token is None and notification.saved_method_token:
        # T-Bank tells the saved method's token in the notification only.
        confirmed = replace(confirmed, saved_method_token=notification.saved_method_token)
    if confirmed.card_fingerprint is None and notification.card_fingerprint:
        confirmed = replace(confirmed, card_fingerprint=notification.card_fingerprint)
    current = await apply_confirmed_status(
        unit_of_work, clock, stored.payment.id, confirmed, providers=providers, sales=sales
    )
    if fraud is not None and current.provider_payment_id == confirmed.provider_payment_id:
        # The card's outcome feeds the fraud counters (never another payment's card).
        await fraud.observe(current, confirmed, clock)


async def apply_confirmed_status(
    unit_of_work: UnitOfWorkFactory,
    clock: Clock,
    payment_id: uuid.UUID,
    confirmed: ProviderPayment,
    *,
    providers: ProviderRegistry | None = None,
    sales: SalesPorts | None = None,
) -> Payment:
    """Apply a status the provider confirmed, in one transaction on the locked payment row.

    The settlement cross-checks (``domain.settlement``) come first: a provider payment that is
    not this one, another amount or currency, or a reference the payer may not pay moves
    nothing; it is audited (``payment.settlement_refused``), counted
    (``payment_settlement_mismatches_total``) and the payment is returned unchanged.

    A card verification reaching ``waiting_for_capture`` has its authorization cancelled at
    the provider (``providers``) right after: the card is saved, no money moves."""
    actor = f"provider:{confirmed.provider.value}"
    receipt_id = None
    overflow = None
    async with unit_of_work() as uow:
        session = uow.session
        payments = SqlPayments(session)
        stored = await payments.get(payment_id, for_update=True)
        if stored is None:
            raise NotFound("The payment does not exist.", code="PAYMENT_NOT_FOUND")
        before = stored.payment
        mismatch = await check_settlement(session, before, confirmed)
        if mismatch is not None:
            # Not this payment, not its money, or not the payer's to pay: nothing moves.
            await record_mismatch(session, before, confirmed, mismatch, actor)
            await uow.commit()
            count_mismatch(confirmed, mismatch)
            return before
        current = before
        if current.provider_payment_id is None:
            current = current.assign_provider(
                confirmed.provider, confirmed.provider_payment_id, clock.now()
            )
        current = current.apply_provider_status(
            confirmed.status, clock.now(), reason=confirmed.cancellation_reason
        )
        if current is before:
            return before  # a duplicate or a stale report: nothing changes
        changed = current.status is not before.status
        if changed and current.status in _AUTHORIZED:
            saved = await store_saved_method(session, current, confirmed, clock)
            if saved is not None:  # named in the events: callers charge it later
                current = current.remember_saved_method(saved.id, clock.now())
        await payments.save(current)
        if changed:
            if current.status is PaymentStatus.SUCCEEDED:
                settled = await settle(session, current, confirmed.provider, sales=sales)
                overflow = settled.cap_overflow
                receipt_id = await store_payment_receipt(session, current, clock)
                uow.emit(succeeded_event(current))
                await record(
                    session, payment_audit(current, actor, "payment.succeeded", None, before=before)
                )
            elif current.status is PaymentStatus.CANCELLED:
                await release_discounts(session, current, clock.now())
                uow.emit(cancelled_event(current))
                await record(
                    session, payment_audit(current, actor, "payment.cancelled", None, before=before)
                )
            else:
                await record(
                    session,
                    payment_audit(current, actor, "payment.status_changed", None, before=before),
                )
        await uow.commit()
    if receipt_id is not None:
        deliver_receipts_later(unit_of_work, clock, current.id)  # after the commit, never before
    if overflow is not None and overflow.is_positive:
        await _refund_cap_overflow(unit_of_work, providers, clock, current, overflow)
    if (
        changed
        and providers is not None
        and current.purpose is PaymentPurpose.CARD_VERIFICATION
        and current.status is PaymentStatus.WAITING_FOR_CAPTURE
    ):
        # Only the transaction that made the transition releases the hold: exactly once.
        current = await release_verification_hold(unit_of_work, clock, providers, current)
    return current


async def release_verification_hold(
    unit_of_work: UnitOfWorkFactory, clock: Clock, providers: ProviderRegistry, payment: Payment
) -> Payment:
    """Cancel a card verification's authorization at its provider (keyed by the payment, so a
    retry releases it once) and apply the provider's answer."""
    assert payment.provider is not None and payment.provider_payment_id is not None
    released = await providers.get(payment.provider).cancel(
        payment.provider_payment_id, idempotency_key=f"payment:{payment.id}:release"
    )
    return await apply_confirmed_status(unit_of_work, clock, payment.id, released)


_AUTHORIZED = (PaymentStatus.WAITING_FOR_CAPTURE, PaymentStatus.SUCCEEDED)


async def _refund_cap_overflow(
    unit_of_work: UnitOfWorkFactory,
    providers: ProviderRegistry | None,
    clock: Clock,
    payment: Payment,
    overflow: Money,
) -> None:
    """The top-up's part past the wallet cap goes back to the card, after the settlement's
    commit (a provider call never runs inside a transaction). The settlement already stands:
    a failure here leaves the debt on ``refunds_payable``, logged, for a retry or an admin."""
    if providers is None:
        log.error("top-up %s: no provider registry to refund %s", payment.id, overflow)
        return
    service = RefundService(unit_of_work, providers, clock, process_settings().wallet_rules())
    try:
        refund = await refund_wallet_cap_overflow(service, payment.id, overflow)
    except Exception as error:  # the settlement stands whatever happens here
        log.error(
            "refunding a top-up's cap overflow failed",
            extra={"payment_id": str(payment.id), **error_fields(error)},
        )
        return
    log.info("top-up %s: cap overflow refund %s is %s", payment.id, refund.id, refund.status)


__all__ = [
    "apply_confirmed_status",
    "payment_audit",
    "release_verification_hold",
    "settle_payment_notification",
]
