"""A streamer payout's money in the ledger and its audit rows.

balance --held (``streamer-payouts`` job)--> the streamer's payout clearing account (the hold)
--completed--> the provider's payout clearing (the money left through the provider) or
--released--> the streamer's debt first (a donation refunded meanwhile), the rest their
balance, where the next period picks it up. Each posting is keyed by the payout id, so a
retried step posts once.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.clients.providers.payouts import PROVIDER
from parovoz_payment.db.audit import record
from parovoz_payment.db.donations import lock_streamer_balances
from parovoz_payment.db.ledger import account_for, post
from parovoz_payment.domain.audit import AuditRecord
from parovoz_payment.domain.donations import repay_owed
from parovoz_payment.domain.ledger import Account, AccountPurpose, OwnerType, credit, debit
from parovoz_payment.domain.streamer_payouts import StreamerPayout, StreamerPayoutState


async def _hold_account(session: AsyncSession, streamer_id: uuid.UUID, currency: str) -> Account:
    """The streamer's payout clearing account: where a held payout waits for the provider."""
    return await account_for(
        session, OwnerType.STREAMER, streamer_id, AccountPurpose.PAYOUT_CLEARING, currency
    )


async def hold_streamer_payout(
    session: AsyncSession, payout: StreamerPayout, balance: Account
) -> None:
    """The streamer's balance → the hold: the period's payout set aside."""
    hold = await _hold_account(session, payout.streamer_id, payout.amount.currency)
    await _move(
        session, payout, f"streamer-payout:{payout.id}", "streamer_payout_hold", balance, hold
    )


async def clear_streamer_payout(session: AsyncSession, state: StreamerPayoutState) -> None:
    """hold → the provider's payout clearing: the streamer was paid."""
    payout = state.payout
    currency = payout.amount.currency
    hold = await _hold_account(session, payout.streamer_id, currency)
    clearing = await account_for(
        session, OwnerType.PROVIDER, PROVIDER, AccountPurpose.PAYOUT_CLEARING, currency
    )
    key = f"streamer-payout:{payout.id}:completed"
    await _move(session, payout, key, "streamer_payout_completed", hold, clearing)


async def _move(
    session: AsyncSession, payout: StreamerPayout, key: str, kind: str, source: Account,
    target: Account,
) -> None:  # fmt: skip
    await post(
        session,
        key,
        kind,
        [debit(source, payout.amount), credit(target, payout.amount)],
        reference=str(payout.id),
    )


async def release_streamer_payout(session: AsyncSession, state: StreamerPayoutState) -> None:
    """hold → the streamer's debt first, the rest their balance: the payout failed."""
    payout = state.payout
    currency = payout.amount.currency
    owed, balance = await lock_streamer_balances(session, payout.streamer_id, currency)
    hold = await _hold_account(session, payout.streamer_id, currency)
    repays, back = repay_owed(payout.amount, owed.debit_balance)
    entries = [debit(hold, payout.amount)]
    if repays.is_positive:
        entries.append(credit(owed, repays))
    if back.is_positive:
        entries.append(credit(balance, back))
    await post(
        session,
        f"streamer-payout:{payout.id}:released",
        "streamer_payout_released",
        entries,
        reference=str(payout.id),
    )


async def audit_streamer_payout(
    session: AsyncSession,
    actor: str,
    state: StreamerPayoutState,
    before: StreamerPayoutState | None = None,
) -> None:
    """The whole payout after its step, and before it when the step changed it."""
    await record(
        session,
        AuditRecord(
            actor=actor,
            action=f"streamer_payout.{state.status.value}",
            subject_type="streamer_payout",
            subject_id=str(state.payout.id),
            before=None if before is None else _streamer_payout_state(before),
            after=_streamer_payout_state(state),
        ),
    )


def _streamer_payout_state(state: StreamerPayoutState) -> dict[str, object]:
    return {
        "status": state.status.value,
        "streamer_id": str(state.payout.streamer_id),
        "period": state.payout.period_key,
        "amount_minor": state.payout.amount.amount_minor,
        "currency": state.payout.amount.currency,
        "failure_reason_code": state.failure.value if state.failure else None,
        "provider_payout_id": state.provider_payout_id,
        "account_last4": state.destination_last4,
    }
