"""The refund use cases: request one, let an admin decide on one in review, list them.

A refund is stored first (its row holds the promise against the captured amount), then
executed (``refund_execution``): at once when automatic, after an admin's approval otherwise.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from parovoz_kit.clock import Clock
from parovoz_kit.errors import BusinessRuleViolation, NotFound, ValidationFailed
from parovoz_kit.uow import UnitOfWorkFactory
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db.audit import record
from parovoz_payment.db.chargebacks import SqlChargebacks
from parovoz_payment.db.payments import SqlPayments
from parovoz_payment.db.preorders import SqlPreorders
from parovoz_payment.db.refunds import SqlRefunds
from parovoz_payment.db.wallets import wallet_of
from parovoz_payment.domain.chargebacks import ChargebackStatus
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose
from parovoz_payment.domain.payments import Payment
from parovoz_payment.domain.references import id_from_reference
from parovoz_payment.domain.refunds import (
    Refund,
    RefundDestination,
    RefundReason,
    RefundStatus,
    ReviewDecision,
    plan_refund,
)
from parovoz_payment.domain.wallet import Wallet, WalletRules
from parovoz_payment.use_cases.gift_card_purchases import hold_for_refund, release_refund_hold
from parovoz_payment.use_cases.refund_execution import execute_refund, refund_audit
from parovoz_payment.use_cases.refund_postings import refund_failed_event

if TYPE_CHECKING:
    from parovoz_payment.clients.providers.registry import ProviderRegistry


@dataclass(frozen=True)
class RefundOrder:
    """What the caller asked for (already parsed from the request)."""

    payment_id: uuid.UUID
    #: The payer asking, or None for a service (which may refund any payment).
    viewer: uuid.UUID | None
    #: The principal's subject, for the audit log.
    actor: str
    amount: Money | None
    reason: RefundReason
    destination: RefundDestination = RefundDestination.ORIGINAL_METHOD
    comment: str | None = None


@dataclass(frozen=True)
class RefundService:
    """What every refund use case needs."""

    unit_of_work: UnitOfWorkFactory
    providers: ProviderRegistry
    clock: Clock
    wallet_rules: WalletRules


def _not_found() -> NotFound:
    return NotFound("The payment does not exist.", code="PAYMENT_NOT_FOUND")


async def _refuse_if_disputed(session: AsyncSession, payment: Payment) -> None:
    """A payment disputed at the card issuer (open, or lost: the issuer took the money back)
    is not refunded too: the buyer would be paid twice. A won dispute gave it back."""
    disputes = await SqlChargebacks(session).of_payment(payment.id)
    if any(dispute.status is not ChargebackStatus.WON for dispute in disputes):
        raise BusinessRuleViolation(
            "The payment is disputed with the card issuer; it cannot be refunded.",
            code="PAYMENT_DISPUTED",
        )


async def _refuse_if_preorder_open(session: AsyncSession, payment: Payment) -> None:
    """A payment of a preorder still open is given back by cancelling the preorder (all of
    it, with the preorder's state); a refund of it alone would leave the preorder half paid."""
    if payment.purpose is not PaymentPurpose.PREORDER:
        return
    preorder_id = id_from_reference(payment.reference, "")
    preorder = await SqlPreorders(session).get(preorder_id) if preorder_id else None
    if preorder is not None and preorder.is_open:
        raise BusinessRuleViolation(
            "The preorder is open: cancel it to get its payments back.", code="PREORDER_OPEN"
        )


async def request_refund(
    service: RefundService, order: RefundOrder, *, request_id: str | None = None
) -> Refund:
    """Plan and store a refund of the payment; an automatic one is executed at once, one
    that needs review waits for an admin (``requires_review``)."""
    if order.reason is RefundReason.WALLET_CAP_OVERFLOW:
        # Payment's own (``refund_follow_up.refund_wallet_cap_overflow``): it reverses
        # ``refunds_payable``.
        raise ValidationFailed(
            "This reason is not accepted in a request.",
            code="INVALID_REFUND_REASON",
            pointer="/data/attributes/reason",
        )
    async with service.unit_of_work() as uow:
        session = uow.session
        stored = await SqlPayments(session).get(order.payment_id, for_update=True)
        if stored is None or (order.viewer is not None and stored.payment.user_id != order.viewer):
            raise _not_found()
        payment = stored.payment
        await _refuse_if_disputed(session, payment)
        await _refuse_if_preorder_open(session, payment)
        refunds = SqlRefunds(session)
        wallet = await wallet_of(session, payment.user_id, service.wallet_rules)
        refund = plan_refund(
            payment,
            order.amount,
            service.clock.now(),
            reason=order.reason,
            wallet=wallet,
            destination=order.destination,
            in_flight=await refunds.in_flight(payment.id, payment.currency),
            # Only greenlight (a service) can say a submission was withdrawn before voting.
            submission_withdrawn_before_voting=(
                order.viewer is None and order.reason is RefundReason.SUBMISSION_WITHDRAWN
            ),
            requested_by=order.actor,
            comment=order.comment,
        )
        _check_top_up_still_in_wallet(payment, refund, wallet)
        await refunds.add(refund)
        # A bought gift card: its value leaves the card now, or the refund is refused.
        await hold_for_refund(session, payment, refund)
        await record(session, refund_audit(refund, order.actor, "refund.requested", request_id))
        await uow.commit()
    if refund.status is RefundStatus.PENDING:
        return await execute_refund(service, refund.id, order.actor, request_id)
    return refund


def _check_top_up_still_in_wallet(payment: Payment, refund: Refund, wallet: Wallet) -> None:
    # A refunded top-up takes its money back out of the wallet: it must still be there.
    if payment.purpose is PaymentPurpose.WALLET_TOP_UP and refund.amount > wallet.balance:
        raise BusinessRuleViolation(
            "The wallet no longer holds the money of this top-up.", code="INSUFFICIENT_FUNDS"
        )


async def decide_refund(
    service: RefundService,
    admin: str,
    refund_id: uuid.UUID,
    decision: ReviewDecision,
    comment: str | None = None,
    *,
    request_id: str | None = None,
) -> Refund:
    """An admin approves (→ pending, executed now) or rejects (→ failed) a refund in review.
    The same decision again changes nothing (an approved one still pending is retried)."""
    now = service.clock.now()
    async with service.unit_of_work() as uow:
        session = uow.session
        refunds = SqlRefunds(session)
        unlocked = await refunds.get(refund_id)
        if unlocked is None:
            raise NotFound("The refund does not exist.", code="REFUND_NOT_FOUND")
        payments = SqlPayments(session)
        stored = await payments.get(unlocked.payment_id, for_update=True)
        before = await refunds.get(refund_id, for_update=True)
        assert stored is not None and before is not None
        refund = before.decide(decision, admin, now, comment)
        if refund is not before:
            if refund.to_wallet.is_positive and decision is ReviewDecision.APPROVE:
                wallet = await wallet_of(session, refund.user_id, service.wallet_rules)
                if not wallet.can_receive(refund.to_wallet):
                    raise BusinessRuleViolation(
                        "The wallet would pass its balance cap; reject and refund to the "
                        "original method instead.",
                        code="REFUND_WOULD_EXCEED_WALLET_CAP",
                    )
            await refunds.save(refund)
            if refund.status is RefundStatus.FAILED:
                await release_refund_hold(session, refund, now)
                uow.emit(refund_failed_event(stored.payment, refund, now))
            await record(
                session,
                refund_audit(refund, admin, f"refund.{decision.value}d", request_id, before=before),
            )
            await uow.commit()
    if refund.status is RefundStatus.PENDING:
        return await execute_refund(service, refund.id, admin, request_id)
    return refund


async def refunds_of_payment(
    service: RefundService, viewer: uuid.UUID | None, payment_id: uuid.UUID
) -> list[Refund]:
    """The payment's refunds, oldest first, for its payer or a service; others: 404."""
    async with service.unit_of_work() as uow:
        stored = await SqlPayments(uow.session).get(payment_id)
        if stored is None or (viewer is not None and stored.payment.user_id != viewer):
            raise _not_found()
        return await SqlRefunds(uow.session).of_payment(payment_id)


__all__ = [
    "RefundOrder",
    "RefundService",
    "decide_refund",
    "refunds_of_payment",
    "request_refund",
    "wallet_of",
]
