"""A streamer's payout destination: where the ``streamer-payouts-execute`` job sends their
money (a YooMoney wallet). The number is sealed at once (``parovoz_kit.sealing``, bound to the
streamer's id) and only its last four digits are ever shown or logged."""

from __future__ import annotations

import uuid

from parovoz_kit.clock import Clock
from parovoz_kit.sealing import Sealer
from parovoz_kit.uow import UnitOfWorkFactory

from parovoz_payment.db.audit import record
from parovoz_payment.db.streamer_payouts import SqlStreamerPayouts
from parovoz_payment.domain.audit import AuditRecord
from parovoz_payment.domain.streamer_payouts import SealedDestination, wallet_destination

WALLET = "yoo_money"


async def set_payout_destination(
    unit_of_work: UnitOfWorkFactory,
    clock: Clock,
    sealer: Sealer,
    streamer_id: uuid.UUID,
    account_number: str,
    *,
    request_id: str | None = None,
) -> SealedDestination:
    """Register (or replace) the streamer's wallet; the next payout goes there."""
    wallet = wallet_destination(account_number)
    key_id, blob = sealer.seal(wallet.account_number.encode("ascii"), streamer_id.bytes)
    sealed = SealedDestination(WALLET, key_id, blob, wallet.last4)
    async with unit_of_work() as uow:
        repository = SqlStreamerPayouts(uow.session)
        replaced = await repository.destination(streamer_id)
        await repository.set_destination(streamer_id, sealed, clock.now())
        await record(
            uow.session,
            AuditRecord(
                actor=str(streamer_id),
                action="streamer_payout_destination.set",
                subject_type="streamer",
                subject_id=str(streamer_id),
                # The wallet replaced (never the number: its last digits), and the new one.
                before=None if replaced is None else _destination_state(replaced),
                after=_destination_state(sealed),
                request_id=request_id,
            ),
        )
        await uow.commit()
    return sealed


def _destination_state(sealed: SealedDestination) -> dict[str, str | None]:
    return {"kind": sealed.kind, "account_last4": sealed.account_last4}


async def payout_destination(
    unit_of_work: UnitOfWorkFactory, streamer_id: uuid.UUID
) -> SealedDestination | None:
    async with unit_of_work() as uow:
        return await SqlStreamerPayouts(uow.session).destination(streamer_id)
