"""The fraud screen: every new payment is screened (REST and gRPC alike), and every provider
report about a card feeds the counters the next screen reads.

``screen`` runs before the payment's transaction (it asks the user service over HTTP): it
raises for a refusal and answers whether the payment must wait ``on_hold``. ``observe`` runs
after a provider's report was applied; it is idempotent (counted by payment id), so duplicated
notifications count once. Counter failures never break a payment: a screen that cannot read
them holds the payment for review (fail closed); an observation that cannot write them is
logged.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from parovoz_kit.clock import Clock
from parovoz_kit.infrastructure import Infrastructure
from parovoz_kit.uow import UnitOfWorkFactory
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.clients.user_service import UserServiceClient
from parovoz_payment.db.audit import record
from parovoz_payment.db.currency_rates import SqlCurrencyRates
from parovoz_payment.db.fraud import SqlFraudRules, SqlPaymentHolds
from parovoz_payment.db.fraud_counters import FraudCounters
from parovoz_payment.db.payments import SqlPayments
from parovoz_payment.domain.audit import AuditRecord
from parovoz_payment.domain.fraud import (
    ALLOWED_ACTIONS,
    CARD_FAILURE_REASONS,
    DEFAULT_PARAMETERS,
    FraudRule,
    FraudRuleKind,
    FraudVerdict,
    PaymentFacts,
    PaymentHold,
    evaluate,
)
from parovoz_payment.domain.payment_vocabulary import PaymentStatus
from parovoz_payment.domain.payments import Payment
from parovoz_payment.domain.providers import ProviderPayment

if TYPE_CHECKING:
    from parovoz_payment.use_cases.payment_flow import PaymentOrder

log = logging.getLogger(__name__)


def _rule(rules: list[FraudRule], kind: FraudRuleKind) -> FraudRule:
    """The stored rule of ``kind`` (its defaults, disabled, if the row is missing)."""
    for rule in rules:
        if rule.kind is kind:
            return rule
    default_action = ALLOWED_ACTIONS[kind][0]
    return FraudRule(uuid.UUID(int=0), kind, False, DEFAULT_PARAMETERS[kind], default_action)


class FraudScreen:
    def __init__(
        self, unit_of_work: UnitOfWorkFactory, counters: FraudCounters, users: UserServiceClient
    ) -> None:
        self._unit_of_work = unit_of_work
        self.counters = counters
        #: The process's one user-service client (and circuit breaker): the payment flow asks
        #: it for the buyer's e-mail too.
        self.users = users

    async def aclose(self) -> None:
        await self.users.aclose()

    async def screen(self, order: PaymentOrder, now: datetime) -> FraudVerdict:
        """Raise ``PAYMENT_BLOCKED`` / ``CARD_LOCKED``; else which rules ask for review."""
        async with self._unit_of_work() as uow:
            rules = await SqlFraudRules(uow.session).all()
            rates = await SqlCurrencyRates(uow.session).current(now)
        enabled = {rule.kind for rule in rules if rule.enabled}
        user = None
        if enabled & {FraudRuleKind.BLOCKED_USER, FraudRuleKind.NEW_ACCOUNT_LARGE_PAYMENT}:
            user = await self.users.facts(order.user_id)
        try:
            card_state = await self._card_state(order, rules, enabled, now)
        except RedisError as error:
            log.warning("fraud counters unreadable: %s", type(error).__name__)
            verdict = evaluate(rules, PaymentFacts(now, rates.to_rub(order.amount), user))
            return FraudVerdict((*verdict.review, ("counters_unavailable", "counters unreadable")))
        distinct, locked_until = card_state
        facts = PaymentFacts(now, rates.to_rub(order.amount), user, distinct, locked_until)
        return evaluate(rules, facts)

    async def _card_state(
        self,
        order: PaymentOrder,
        rules: list[FraudRule],
        enabled: set[FraudRuleKind],
        now: datetime,
    ) -> tuple[int, datetime | None]:
        saved = order.choice.saved_method_id
        card = None if saved is None else await self.counters.saved_method_card(saved)
        distinct = 0
        if FraudRuleKind.DISTINCT_CARDS in enabled:
            window = _rule(rules, FraudRuleKind.DISTINCT_CARDS).window()
            cards = await self.counters.user_cards(order.user_id, now, window)
            distinct = len(cards | ({card} if card else set()))
        locked_until = None
        if card is not None and FraudRuleKind.CARD_FAILURES in enabled:
            locked_until = await self.counters.card_locked_until(card)
        return distinct, locked_until

    async def observe(self, payment: Payment, confirmed: ProviderPayment, clock: Clock) -> None:
        """A provider's report about ``payment`` named its card: remember the card for the
        user (and the saved method), count a card failure, lock the card past the limit."""
        card = confirmed.card_fingerprint
        if card is None:
            return
        now = clock.now()
        try:
            async with self._unit_of_work() as uow:
                rules = await SqlFraudRules(uow.session).all()
            if payment.saved_method_id is not None:
                await self.counters.remember_saved_method_card(payment.saved_method_id, card)
            distinct_rule = _rule(rules, FraudRuleKind.DISTINCT_CARDS)
            await self.counters.record_user_card(payment.user_id, card, now, distinct_rule.window())
            failed = (
                confirmed.status is PaymentStatus.CANCELLED
                and confirmed.cancellation_reason in CARD_FAILURE_REASONS
            )
            if not failed:
                return
            rule = _rule(rules, FraudRuleKind.CARD_FAILURES)
            failures = await self.counters.record_card_failure(card, payment.id, now, rule.window())
            if failures is not None and rule.enabled and failures > rule.param("max_failures"):
                until = now + rule.window("lock_seconds")
                await self.counters.lock_card(card, until, now)
                await self._audit_lock(payment, card, failures, until)
        except RedisError as error:
            log.warning("fraud counters not updated: %s", type(error).__name__)

    async def _audit_lock(
        self, payment: Payment, card: str, failures: int, until: datetime
    ) -> None:
        async with self._unit_of_work() as uow:
            await record(
                uow.session,
                AuditRecord(
                    actor="system:fraud-rules",
                    action="card.locked",
                    subject_type="card",
                    subject_id=card,
                    after={
                        "user_id": str(payment.user_id),
                        "payment_id": str(payment.id),
                        "failures": failures,
                        "locked_until": until.isoformat(),
                    },
                ),
            )
            await uow.commit()
        log.warning("card locked after %d failures (payment %s)", failures, payment.id)


async def hold_for_review(
    session: AsyncSession,
    payment: Payment,
    verdict: FraudVerdict,
    return_url: str | None,
    actor: str,
    request_id: str | None,
    now: datetime,
) -> Payment:
    """Store ``payment`` on hold with why (in the caller's transaction; the caller commits):
    no provider hears of it until an admin releases it."""
    held = payment.hold(now)
    await SqlPayments(session).add(held)
    await SqlPaymentHolds(session).add(PaymentHold(held.id, verdict.review, return_url, now))
    await record(session, hold_audit(held, actor, "payment.held", request_id, verdict.review))
    return held


def hold_audit(
    payment: Payment,
    actor: str,
    action: str,
    request_id: str | None,
    reasons: tuple[tuple[str, str], ...] = (),
    comment: str | None = None,
    *,
    before: Payment | None = None,
) -> AuditRecord:
    """The whole payment after the hold's step (with the rules that held it and the admin's
    comment), and before it when the step changed a held payment."""
    return AuditRecord(
        actor=actor,
        action=action,
        subject_type="payment",
        subject_id=str(payment.id),
        before=None if before is None else before.audit_state(),
        after={
            **payment.audit_state(),
            "rules": [rule for rule, _ in reasons],
            "comment": comment,
        },
        request_id=request_id,
    )


def fraud_screen(infrastructure: Infrastructure) -> FraudScreen:
    """The process's one screen (one user-service client and circuit breaker), shared by REST
    and gRPC; closed at stop."""
    settings = infrastructure.settings

    def build() -> FraudScreen:
        users = UserServiceClient(
            settings.user_service_url,  # type: ignore[attr-defined]
            timeout_seconds=settings.user_service_timeout_seconds,  # type: ignore[attr-defined]
        )
        return FraudScreen(infrastructure.unit_of_work, FraudCounters(infrastructure.redis), users)

    return infrastructure.shared("fraud_screen", build)
