"""The ``streamer-payouts`` job (leased, once per week or month): every streamer balance at
or above the minimum is moved, whole, from the streamer's balance to their payout clearing
account (the hold), with a ``streamer_payouts`` row, in one transaction per streamer.

Held once: the kit's lease runs one runner per period, and even a second run of the same
period finds the row (unique per streamer and period) and the ledger key (derived from it)
already there. The ``streamer-payouts-execute`` job (every minute) then pays each held payout
through the provider (``use_cases.payout_sending`` with ``StreamerPayouts``).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import timedelta

from parovoz_kit.clock import Clock
from parovoz_kit.infrastructure import Infrastructure
from parovoz_kit.jobs import JobContext, PeriodicJob
from parovoz_kit.uow import UnitOfWorkFactory
from sqlalchemy import select

from parovoz_payment.db.ledger import account_for
from parovoz_payment.db.ledger_tables import ledger_accounts
from parovoz_payment.db.streamer_payouts import add_held
from parovoz_payment.domain.donations import DONATION_CURRENCY
from parovoz_payment.domain.ledger import AccountPurpose, OwnerType
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.streamer_payouts import (
    StreamerPayout,
    StreamerPayoutPeriod,
    payout_for,
    period_key,
)
from parovoz_payment.jobs.payouts import payout_run
from parovoz_payment.use_cases.payout_sending import execute_due_payouts
from parovoz_payment.use_cases.streamer_payout_execution import StreamerPayouts
from parovoz_payment.use_cases.streamer_payout_ledger import hold_streamer_payout

log = logging.getLogger(__name__)


async def hold_streamer_payouts(
    unit_of_work: UnitOfWorkFactory,
    clock: Clock,
    period: StreamerPayoutPeriod,
    minimum: Money,
) -> list[StreamerPayout]:
    """Set aside this period's payouts; answers the ones made by this run."""
    now = clock.now()
    key = period_key(period, now)
    async with unit_of_work() as uow:
        rows = await uow.session.execute(
            select(ledger_accounts.c.owner_id).where(
                ledger_accounts.c.purpose == AccountPurpose.STREAMER_BALANCE.value,
                ledger_accounts.c.currency == minimum.currency,
                ledger_accounts.c.credits_posted - ledger_accounts.c.debits_posted
                >= minimum.amount_minor,
            )
        )
        streamers = [uuid.UUID(owner_id) for owner_id in rows.scalars()]
    made = []
    for streamer_id in streamers:
        payout = await _hold_one(unit_of_work, streamer_id, minimum, key, clock)
        if payout is not None:
            made.append(payout)
    return made


async def _hold_one(
    unit_of_work: UnitOfWorkFactory,
    streamer_id: uuid.UUID,
    minimum: Money,
    key: str,
    clock: Clock,
) -> StreamerPayout | None:
    async with unit_of_work() as uow:
        session = uow.session
        balance_account = await account_for(
            session,
            OwnerType.STREAMER,
            streamer_id,
            AccountPurpose.STREAMER_BALANCE,
            minimum.currency,
        )
        # Locked: a donation settling now waits, and the whole balance is what moves.
        locked = (
            await session.execute(
                select(ledger_accounts)
                .where(ledger_accounts.c.id == balance_account.id)
                .with_for_update()
            )
        ).one()
        balance = Money(locked.credits_posted - locked.debits_posted, minimum.currency)
        payout = payout_for(streamer_id, balance, minimum, key, clock.now())
        if payout is None or not await add_held(session, payout):
            return None  # below the minimum now, or this period's payout exists
        await hold_streamer_payout(session, payout, balance_account)
        await uow.commit()
    log.info("streamer payout %s held for period %s", payout.id, key)
    return payout


def streamer_payout_jobs(infrastructure: Infrastructure) -> Sequence[PeriodicJob]:
    settings = infrastructure.settings
    period: StreamerPayoutPeriod = settings.streamer_payout_period  # type: ignore[attr-defined]
    minimum = Money(
        settings.streamer_payout_minimum_minor,  # type: ignore[attr-defined]
        DONATION_CURRENCY,
    )

    async def run(_: JobContext) -> None:
        await hold_streamer_payouts(
            infrastructure.unit_of_work, infrastructure.clock, period, minimum
        )

    async def execute(_: JobContext) -> None:
        sealer = settings.sealer()  # type: ignore[attr-defined]
        await execute_due_payouts(StreamerPayouts(payout_run(infrastructure), sealer))

    return [
        PeriodicJob("streamer-payouts", lambda now: period_key(period, now), run),
        PeriodicJob("streamer-payouts-execute", timedelta(minutes=1), execute),
    ]
