"""Paying held streamer payouts out: the ``streamer-payouts-execute`` job and the provider's
answers — the developer payouts' machinery (``payout_execution``) with a streamer's wallet for
a bank account: a claimed row lease, the provider's ``Idempotence-Key`` = payout id (a retry
is paid once), the outcome from the create answer, a notification or a poll, applied once on
the locked row.

Ledger: the hold is the streamer's ``payout_clearing`` account (set aside by the
``streamer-payouts`` job). Succeeded → hold to the provider's payout clearing, ``completed``;
canceled or refused → the hold goes back, ``failed``: to the streamer's debt first (a donation
refunded meanwhile), the rest to their balance, where the next period picks it up.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from parovoz_kit.clock import Clock
from parovoz_kit.errors import ParovozError
from parovoz_kit.sealing import Sealer, Unsealable
from parovoz_kit.uow import UnitOfWorkFactory
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.clients.providers.payouts import PROVIDER, YooKassaPayouts, refusal_failure
from parovoz_payment.clients.providers.yookassa_http import YooKassaRefused
from parovoz_payment.db.audit import record
from parovoz_payment.db.donations import lock_streamer_balances
from parovoz_payment.db.ledger import account_for, post
from parovoz_payment.db.streamer_payouts import SqlStreamerPayouts
from parovoz_payment.domain.audit import AuditRecord
from parovoz_payment.domain.donations import repay_owed
from parovoz_payment.domain.ledger import AccountPurpose, OwnerType, credit, debit
from parovoz_payment.domain.payouts import (
    DEFAULT_TIMING,
    PayoutFailure,
    PayoutTiming,
    ProviderPayout,
    ProviderPayoutStatus,
    failure_from_provider,
)
from parovoz_payment.domain.streamer_payouts import StreamerPayoutState, WalletDestination

log = logging.getLogger(__name__)

JOB_ACTOR = "system:streamer-payouts-execute"
DESCRIPTION = "Выплата стримеру Parovoz"


async def execute_streamer_payouts(
    unit_of_work: UnitOfWorkFactory,
    clock: Clock,
    provider: YooKassaPayouts,
    sealer: Sealer,
    timing: PayoutTiming = DEFAULT_TIMING,
) -> int:
    """The job: sends or re-checks every due streamer payout; returns how many it finished."""
    async with unit_of_work() as uow:
        claimed = await SqlStreamerPayouts(uow.session).claim_due(
            clock.now(), timing.lease, timing.batch
        )
        await uow.commit()
    finished = 0
    for state in claimed:
        try:
            if state.provider_payout_id is None:
                final = await _send(unit_of_work, clock, provider, sealer, state, timing)
            else:
                confirmed = await provider.get_payout(state.provider_payout_id)
                final = await apply_streamer_payout(
                    unit_of_work, clock, state.payout.id, confirmed, actor=JOB_ACTOR
                )
        except ParovozError as error:  # the provider is down: the lease lapses, next run retries
            log.warning("streamer payout %s not advanced: %s", state.payout.id, error.code)
            continue
        finished += final
    return finished


async def _send(
    unit_of_work: UnitOfWorkFactory,
    clock: Clock,
    provider: YooKassaPayouts,
    sealer: Sealer,
    state: StreamerPayoutState,
    timing: PayoutTiming,
) -> bool:
    payout = state.payout
    async with unit_of_work() as uow:
        sealed = await SqlStreamerPayouts(uow.session).destination(payout.streamer_id)
    wallet = None
    if sealed is not None:
        try:
            number = sealer.open(sealed.key_id, sealed.ciphertext, payout.streamer_id.bytes)
            wallet = WalletDestination(number.decode("ascii"))
        except Unsealable:
            log.error("streamer %s: payout destination does not open", payout.streamer_id)
    if wallet is None:
        return await _fail(
            unit_of_work, clock, payout.id, PayoutFailure.PAYOUT_METHOD_UNAVAILABLE,
            "No payout destination is registered.",
        )  # fmt: skip
    metadata = {"streamer_id": str(payout.streamer_id), "period": payout.period_key}
    try:
        answer = await provider.create_payout(
            payout.id, payout.amount, wallet, DESCRIPTION, metadata
        )
    except YooKassaRefused as refused:
        if refused.key_reused:
            # Another body under this key: the first request may have paid. Never return the
            # hold on a guess; a person looks (the row stays processing, the lease retries).
            log.error("streamer payout %s: provider saw other details under its key", payout.id)
            raise
        return await _fail(unit_of_work, clock, payout.id, refusal_failure(refused), refused.detail)
    return await apply_streamer_payout(
        unit_of_work, clock, payout.id, answer, actor=JOB_ACTOR,
        last4=wallet.last4, poll_after=timing.poll_after,
    )  # fmt: skip


async def apply_streamer_payout(
    unit_of_work: UnitOfWorkFactory,
    clock: Clock,
    payout_id: uuid.UUID,
    confirmed: ProviderPayout,
    *,
    actor: str = f"provider:{PROVIDER}",
    last4: str | None = None,
    poll_after: timedelta = PayoutTiming.poll_after,
) -> bool:
    """What the provider says of the streamer payout, applied once on the locked row; True
    when the payout is final. False too for a payout id that is not a streamer payout."""
    async with unit_of_work() as uow:
        session = uow.session
        payouts = SqlStreamerPayouts(session)
        before = await payouts.get(payout_id, for_update=True)
        if before is None:
            return False
        if before.provider_payout_id not in (None, confirmed.provider_payout_id):
            log.warning("provider payout %s is not streamer payout %s", confirmed, payout_id)
            return before.is_final
        if before.is_final or (
            confirmed.status is ProviderPayoutStatus.PENDING and before.provider_payout_id
        ):
            return before.is_final  # a duplicate, a poll crossing a notification, still pending
        now = clock.now()
        current = before.sent(confirmed.provider_payout_id, last4)
        if confirmed.status is ProviderPayoutStatus.SUCCEEDED:
            current = current.complete()
            await _clear(session, current)
        elif confirmed.status is ProviderPayoutStatus.CANCELED:
            reason = confirmed.cancellation_reason
            current = current.fail(
                failure_from_provider(reason), f"The provider cancelled it: {reason}."
            )
            await _release(session, current)
        await payouts.save(current, now, now + poll_after)
        await _audit(session, actor, current)
        await uow.commit()
    return current.is_final


async def _fail(
    unit_of_work: UnitOfWorkFactory,
    clock: Clock,
    payout_id: uuid.UUID,
    failure: PayoutFailure,
    message: str,
) -> bool:
    """Before the provider has it: ``failed``, the hold returned."""
    async with unit_of_work() as uow:
        payouts = SqlStreamerPayouts(uow.session)
        before = await payouts.get(payout_id, for_update=True)
        if before is None or before.is_final or before.provider_payout_id is not None:
            return True  # decided meanwhile; a sent payout is decided by the provider only
        current = before.fail(failure, message)
        await _release(uow.session, current)
        await payouts.save(current, clock.now(), None)
        await _audit(uow.session, JOB_ACTOR, current)
        await uow.commit()
    return True


async def _clear(session: AsyncSession, state: StreamerPayoutState) -> None:
    """hold → the provider's payout clearing: the streamer was paid."""
    payout = state.payout
    currency = payout.amount.currency
    hold = await account_for(
        session, OwnerType.STREAMER, payout.streamer_id, AccountPurpose.PAYOUT_CLEARING, currency
    )
    clearing = await account_for(
        session, OwnerType.PROVIDER, PROVIDER, AccountPurpose.PAYOUT_CLEARING, currency
    )
    await post(
        session,
        f"streamer-payout:{payout.id}:completed",
        "streamer_payout_completed",
        [debit(hold, payout.amount), credit(clearing, payout.amount)],
        reference=str(payout.id),
    )


async def _release(session: AsyncSession, state: StreamerPayoutState) -> None:
    """hold → the streamer's debt first, the rest their balance: the payout failed."""
    payout = state.payout
    currency = payout.amount.currency
    owed, balance = await lock_streamer_balances(session, payout.streamer_id, currency)
    hold = await account_for(
        session, OwnerType.STREAMER, payout.streamer_id, AccountPurpose.PAYOUT_CLEARING, currency
    )
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


async def _audit(session: AsyncSession, actor: str, state: StreamerPayoutState) -> None:
    await record(
        session,
        AuditRecord(
            actor=actor,
            action=f"streamer_payout.{state.status.value}",
            subject_type="streamer_payout",
            subject_id=str(state.payout.id),
            after={
                "status": state.status.value,
                "streamer_id": str(state.payout.streamer_id),
                "amount_minor": state.payout.amount.amount_minor,
                "currency": state.payout.amount.currency,
                "failure_reason_code": state.failure.value if state.failure else None,
                "provider_payout_id": state.provider_payout_id,
                "account_last4": state.destination_last4,
            },
        ),
    )


__all__ = ["apply_streamer_payout", "execute_streamer_payouts"]
