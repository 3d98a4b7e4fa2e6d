"""What admins do about fraud: switch and tune the rules, work through the held payments.

A hold decision is taken once, on the locked payment row: ``release`` makes the payment a
normal ``pending`` one (a fresh confirmation hour) and sends it to the provider — its answer's
confirmation URL is returned and stored; ``reject`` cancels it with ``fraud_suspected`` and emits
``payment.payment.cancelled.v1`` in the same transaction. Every change is audit-logged.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from parovoz_kit.clock import Clock
from parovoz_kit.errors import BusinessRuleViolation, NotFound
from parovoz_kit.uow import UnitOfWorkFactory

from parovoz_payment.db.audit import record
from parovoz_payment.db.fraud import SqlFraudRules, SqlPaymentHolds
from parovoz_payment.db.payments import SqlPayments
from parovoz_payment.db.saved_methods import SqlSavedMethods
from parovoz_payment.domain.audit import AuditRecord
from parovoz_payment.domain.fraud import FraudAction, FraudRule, HoldDecision, PaymentHold
from parovoz_payment.domain.methods import MethodChoice
from parovoz_payment.domain.payment_creation import PaymentRules
from parovoz_payment.domain.payment_vocabulary import CancellationReason
from parovoz_payment.domain.payments import Payment
from parovoz_payment.use_cases.discounts import release_discounts
from parovoz_payment.use_cases.fraud import FraudScreen, hold_audit
from parovoz_payment.use_cases.payment_flow import PaymentView, send_to_provider
from parovoz_payment.use_cases.payment_ledger import cancelled_event

if TYPE_CHECKING:
    from parovoz_payment.clients.providers.registry import ProviderRegistry


async def fraud_rules(unit_of_work: UnitOfWorkFactory) -> list[FraudRule]:
    async with unit_of_work() as uow:
        return await SqlFraudRules(uow.session).all()


async def change_fraud_rule(
    unit_of_work: UnitOfWorkFactory,
    clock: Clock,
    rule_id: uuid.UUID,
    admin: str,
    *,
    enabled: bool | None,
    parameters: Mapping[str, Any] | None,
    action: FraudAction | None,
    request_id: str | None = None,
) -> FraudRule:
    async with unit_of_work() as uow:
        rules = SqlFraudRules(uow.session)
        before = await rules.get(rule_id, for_update=True)
        if before is None:
            raise NotFound("The fraud rule does not exist.", code="FRAUD_RULE_NOT_FOUND")
        after = before.changed(enabled=enabled, parameters=parameters, action=action)
        await rules.save(after, admin, clock.now())
        await record(
            uow.session,
            AuditRecord(
                actor=admin,
                action="fraud_rule.changed",
                subject_type="fraud_rule",
                subject_id=str(rule_id),
                before=before.audit_state(),
                after=after.audit_state(),
                request_id=request_id,
            ),
        )
        await uow.commit()
    return after


@dataclass(frozen=True)
class HeldPayment:
    payment: Payment
    hold: PaymentHold


async def held_payments(unit_of_work: UnitOfWorkFactory, limit: int) -> list[HeldPayment]:
    """Payments waiting for a decision, oldest first."""
    async with unit_of_work() as uow:
        holds = await SqlPaymentHolds(uow.session).waiting(limit)
        payments = SqlPayments(uow.session)
        found = []
        for hold in holds:
            stored = await payments.get(hold.payment_id)
            if stored is not None:
                found.append(HeldPayment(stored.payment, hold))
        return found


async def _held(session: Any, payment_id: uuid.UUID) -> tuple[Payment, PaymentHold]:
    stored = await SqlPayments(session).get(payment_id, for_update=True)
    hold = await SqlPaymentHolds(session).get(payment_id)
    if stored is None:
        raise NotFound("The payment does not exist.", code="PAYMENT_NOT_FOUND")
    if hold is None:
        raise BusinessRuleViolation(
            "This payment was never held for review.", code="PAYMENT_NOT_ON_HOLD"
        )
    return stored.payment, hold


async def release_held_payment(
    unit_of_work: UnitOfWorkFactory,
    providers: ProviderRegistry,
    clock: Clock,
    payment_id: uuid.UUID,
    admin: str,
    comment: str | None,
    *,
    fraud: FraudScreen | None = None,
    request_id: str | None = None,
) -> PaymentView:
    """The admin lets the payment go on: ``pending`` again, then to the provider."""
    async with unit_of_work() as uow:
        session = uow.session
        payment, hold = await _held(session, payment_id)
        decided = hold.decide(HoldDecision.RELEASE, admin, clock.now(), comment)
        released = payment.release_hold(clock.now())
        # The buyer gets a full confirmation hour from now, not from before the review.
        released = replace(released, expires_at=clock.now() + PaymentRules().confirmation_timeout)
        saved_token, saved_with, choice = None, None, MethodChoice(method=released.method)
        if released.saved_method_id is not None:
            method = await SqlSavedMethods(session).active_for_owner(
                released.user_id, released.saved_method_id
            )
            saved_token, saved_with = method.provider_token, method.provider
            choice = MethodChoice(saved_method_id=released.saved_method_id)
        provider = providers.route(choice, released.currency, saved_with=saved_with)
        await SqlPayments(session).save(released)
        await SqlPaymentHolds(session).decide(decided)
        await record(
            session,
            hold_audit(
                released,
                admin,
                "payment.hold_released",
                request_id,
                hold.reasons,
                comment,
                before=payment,
            ),
        )
        await uow.commit()
    return await send_to_provider(
        unit_of_work,
        providers,
        clock,
        released,
        provider,
        return_url=hold.return_url,
        saved_token=saved_token,
        fraud=fraud,
    )


async def reject_held_payment(
    unit_of_work: UnitOfWorkFactory,
    clock: Clock,
    payment_id: uuid.UUID,
    admin: str,
    comment: str | None,
    *,
    request_id: str | None = None,
) -> PaymentView:
    """The admin refuses the payment: cancelled (``fraud_suspected``), event emitted."""
    async with unit_of_work() as uow:
        session = uow.session
        payment, hold = await _held(session, payment_id)
        decided = hold.decide(HoldDecision.REJECT, admin, clock.now(), comment)
        if payment.is_final:
            raise BusinessRuleViolation(
                f"A {payment.status.value} payment is not on hold.",
                code="ILLEGAL_PAYMENT_TRANSITION",
            )
        cancelled = payment.cancel(CancellationReason.FRAUD_SUSPECTED, clock.now())
        await SqlPayments(session).save(cancelled)
        await SqlPaymentHolds(session).decide(decided)
        await release_discounts(session, cancelled, clock.now())
        uow.emit(cancelled_event(cancelled))
        await record(
            session,
            hold_audit(
                cancelled,
                admin,
                "payment.hold_rejected",
                request_id,
                hold.reasons,
                comment,
                before=payment,
            ),
        )
        await uow.commit()
    return PaymentView(cancelled, None)
