"""Paying held streamer payouts out: the ``streamer-payouts-execute`` job and the provider's
answers. The job's mechanics (claim, send or poll, refusals) are ``payout_sending``'s, as for
developer payouts; a streamer's payout goes to the YooMoney wallet they registered (sealed,
opened for the one provider call).

The outcome — from the create answer, a notification or a poll — is applied once on the locked
row: succeeded → hold to the provider's payout clearing, ``completed``; canceled or refused →
the hold goes back (``streamer_payout_ledger``), ``failed``.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from parovoz_kit.clock import Clock
from parovoz_kit.sealing import Sealer, Unsealable
from parovoz_kit.uow import UnitOfWorkFactory

from parovoz_payment.clients.providers.payouts import PROVIDER
from parovoz_payment.db.streamer_payouts import SqlStreamerPayouts
from parovoz_payment.domain.payouts import (
    PayoutFailure,
    PayoutTiming,
    ProviderPayout,
    ProviderPayoutStatus,
    cancellation,
)
from parovoz_payment.domain.streamer_payouts import (
    StreamerPayoutState,
    WalletDestination,
)
from parovoz_payment.use_cases.payout_sending import DestinationUnavailable, PayoutRun
from parovoz_payment.use_cases.streamer_payout_ledger import (
    audit_streamer_payout,
    clear_streamer_payout,
    release_streamer_payout,
)

log = logging.getLogger(__name__)

JOB_ACTOR = "system:streamer-payouts-execute"
DESCRIPTION = "Выплата стримеру Parovoz"


@dataclass(frozen=True)
class StreamerPayouts:
    """Streamer payouts as the job sends them (:class:`PayoutKind`): to the YooMoney wallet the
    streamer registered, opened for the one provider call."""

    description = DESCRIPTION
    payouts = SqlStreamerPayouts
    run: PayoutRun
    sealer: Sealer

    async def destination(self, state: StreamerPayoutState) -> WalletDestination:
        streamer_id = state.payout.streamer_id
        async with self.run.unit_of_work() as uow:
            sealed = await SqlStreamerPayouts(uow.session).destination(streamer_id)
        if sealed is not None:
            try:
                number = self.sealer.open(sealed.key_id, sealed.ciphertext, streamer_id.bytes)
                return WalletDestination(number.decode("ascii"))
            except Unsealable:
                log.error("streamer %s: payout destination does not open", streamer_id)
        raise DestinationUnavailable("No payout destination is registered.")

    def metadata(self, state: StreamerPayoutState) -> dict[str, str]:
        return {"streamer_id": str(state.payout.streamer_id), "period": state.payout.period_key}

    async def fail(self, state: StreamerPayoutState, failure: PayoutFailure, message: str) -> bool:
        async with self.run.unit_of_work() as uow:
            payouts = SqlStreamerPayouts(uow.session)
            before = await payouts.get(state.id, for_update=True)
            if before is None or before.is_final or before.provider_payout_id is not None:
                return True  # decided meanwhile; a sent payout is decided by the provider only
            current = before.fail(failure, message)
            await release_streamer_payout(uow.session, current)
            await payouts.save(current, self.run.clock.now(), None)
            await audit_streamer_payout(uow.session, JOB_ACTOR, current, before)
            await uow.commit()
        return True

    async def apply(
        self,
        state: StreamerPayoutState,
        confirmed: ProviderPayout,
        wallet: WalletDestination | None,
    ) -> bool:
        run = self.run
        return await apply_streamer_payout(
            run.unit_of_work, run.clock, state.id, confirmed, actor=JOB_ACTOR,
            last4=wallet.last4 if wallet else None, poll_after=run.timing.poll_after,
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
        if not before.moved_on_by(confirmed):
            return before.is_final  # a duplicate, a poll crossing a notification, still pending
        now = clock.now()
        current = before.sent(confirmed.provider_payout_id, last4)
        if confirmed.status is ProviderPayoutStatus.SUCCEEDED:
            current = current.complete()
            await clear_streamer_payout(session, current)
        elif confirmed.status is ProviderPayoutStatus.CANCELED:
            current = current.fail(*cancellation(confirmed))
            await release_streamer_payout(session, current)
        await payouts.save(current, now, now + poll_after)
        await audit_streamer_payout(session, actor, current, before)
        await uow.commit()
    return current.is_final


__all__ = ["StreamerPayouts", "apply_streamer_payout"]
