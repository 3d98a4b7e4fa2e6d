"""A payout request from developer-portal (``developer.payout.requested.v1``), taken in the
consumer's inbox transaction: one payout per request, the money held or a ``failed`` answer.

The payout row is inserted first (unique per ``payout_request_id``): a second event for the same
request — redelivered with another event id, or sent twice — finds it and does nothing. Then
the rules: roubles only, at least the minimum (PRODUCT.md: 1,000.00 RUB), and enough available
balance net of what the developer owes (``developer_receivable``: a share taken back after it
was paid out) — read on the locked accounts (the lock every balance move of a developer's
money takes first), so two requests at once can never both spend the same money, and a debt is
never withdrawn around.
"""

from __future__ import annotations

import logging
import uuid

from parovoz_events.developer import PayoutRequested
from parovoz_kit.clock import Clock
from parovoz_kit.errors import BusinessRuleViolation
from parovoz_kit.events import Event, stage_events
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db.payouts import SqlPayouts
from parovoz_payment.db.sales import lock_developer_balances
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payouts import (
    PAYOUT_CURRENCY,
    Payout,
    PayoutFailure,
    PayoutRequest,
    refusal,
)
from parovoz_payment.use_cases.payout_ledger import audit_payout, hold_payout, status_event

log = logging.getLogger(__name__)


def payout_request(data: PayoutRequested) -> PayoutRequest:
    return PayoutRequest(
        payout_request_id=data.payout_request_id,
        developer_id=data.developer_id,
        payout_method_id=data.payout_method_id,
        amount=Money(data.amount.amount_minor, data.amount.currency),
        trigger=data.trigger,
        requested_at=data.requested_at,
        requested_by_user_id=data.requested_by_user_id,
    )


async def accept_payout_request(
    session: AsyncSession,
    clock: Clock,
    source: str,
    request: PayoutRequest,
    minimum_minor: int,
) -> Payout | None:
    """Create the payout and hold its money, or fail it; None for a request already taken.
    Runs in the caller's transaction (the inbox's), which commits the event with it."""
    now = clock.now()
    payout = Payout.accept(uuid.uuid4(), request, now)
    payouts = SqlPayouts(session)
    if not await payouts.add_new(payout):
        log.info("payout request %s already taken", request.payout_request_id)
        return None
    actor = (
        str(request.requested_by_user_id)
        if request.requested_by_user_id
        else "service:developer-portal"
    )
    refused = refusal(request, Money(minimum_minor, PAYOUT_CURRENCY))
    if refused is None:
        owed, available = await lock_developer_balances(
            session, request.developer_id, request.amount.currency
        )
        # What the developer owes is not theirs to withdraw: it nets their next revenue.
        if available.credit_balance - owed.debit_balance < request.amount:
            refused = (
                PayoutFailure.INSUFFICIENT_BALANCE,
                "The available balance, less what is owed, is smaller than the payout.",
            )
    if refused is None:
        try:
            await hold_payout(session, payout)
        except BusinessRuleViolation as error:
            if error.code != "INSUFFICIENT_FUNDS":
                raise
            refused = (
                PayoutFailure.INSUFFICIENT_BALANCE,
                "The available balance is smaller than the payout.",
            )
    if refused is not None:
        payout = payout.fail(*refused, now)
        await payouts.save(payout)
        await audit_payout(session, actor, "payout.refused", None, payout)
    else:
        await audit_payout(session, actor, "payout.held", None, payout)
    model = status_event(payout)
    await stage_events(session, [(type(model).topic, Event.from_data(model, source, time=now))])
    return payout
