"""The end of a sale's hold: its developer share moves from pending to available, once.

Each sale is released in its own transaction on its locked row: the row says whether it was
released already, and the ledger key ``sale:{payment}:release`` would replay rather than post
twice, so two runners (or a runner and a retry) never move a share twice. What reversals took
during the hold is not moved (it already left pending). A developer who owes the platform
(``developer_receivable``: a share taken back after it was paid out) repays from the released
share first; only the rest becomes available.
"""

from __future__ import annotations

import uuid

from parovoz_kit.clock import Clock
from parovoz_kit.uow import UnitOfWorkFactory

from parovoz_payment.db import sales as db
from parovoz_payment.db.ledger import account_for, post
from parovoz_payment.domain.ledger import AccountPurpose, Entry, OwnerType, credit, debit
from parovoz_payment.domain.revenue_share import release_share

RELEASE_KIND = "developer_funds_release"
#: Sales looked up per round; each is still released in its own short transaction.
BATCH = 100


async def release_matured_shares(
    unit_of_work: UnitOfWorkFactory, clock: Clock, *, batch: int = BATCH
) -> int:
    """Release every sale whose hold has ended by ``clock.now()``; the number released."""
    released = 0
    while True:
        async with unit_of_work() as uow:
            due = await db.matured_unreleased(uow.session, clock.now(), batch)
        for payment_id in due:
            released += await release_sale(unit_of_work, clock, payment_id)
        if len(due) < batch:
            return released


async def release_sale(
    unit_of_work: UnitOfWorkFactory, clock: Clock, payment_id: uuid.UUID
) -> bool:
    """Move one matured sale's remaining share; False when it is not due or already moved."""
    now = clock.now()
    async with unit_of_work() as uow:
        session = uow.session
        sale = await db.get_sale(session, payment_id, for_update=True)
        if sale is None or sale.released_at is not None or sale.available_at > now:
            return False
        remaining = sale.pending_share
        if remaining.is_positive:
            currency = sale.currency
            debt, _ = await db.lock_developer_balances(session, sale.developer_id, currency)
            owed = debt.debit_balance
            release = release_share(remaining, owed)

            async def account(purpose: AccountPurpose):  # type: ignore[no-untyped-def]
                return await account_for(
                    session, OwnerType.DEVELOPER, sale.developer_id, purpose, currency
                )

            entries: list[Entry] = [
                debit(await account(AccountPurpose.DEVELOPER_PAYABLE_PENDING), remaining)
            ]
            if release.repays_debt.is_positive:
                receivable = await account(AccountPurpose.DEVELOPER_RECEIVABLE)
                entries.append(credit(receivable, release.repays_debt))
            if release.to_available.is_positive:
                available = await account(AccountPurpose.DEVELOPER_PAYABLE_AVAILABLE)
                entries.append(credit(available, release.to_available))
            await post(
                session,
                f"sale:{payment_id}:release",
                RELEASE_KIND,
                entries,
                reference=str(payment_id),
                metadata={
                    "payment_id": str(payment_id),
                    "game_id": str(sale.game_id),
                    "developer_id": str(sale.developer_id),
                    "repays_debt_minor": release.repays_debt.amount_minor,
                },
            )
        await db.mark_released(session, payment_id, remaining, now)
        await uow.commit()
    return True
