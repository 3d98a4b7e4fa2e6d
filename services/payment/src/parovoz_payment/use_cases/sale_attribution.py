"""Game sales held in suspense (``unattributed_sales``) because developer-portal could not say
who earns when they settled: once it answers (GetGame, which also fills the ``game_owners``
read model), the sale is split as it would have been at settlement, in one balanced posting
keyed ``sale-attribution:<payment>`` (so a rerun or a second runner posts it once):

- suspense debited the gross; the developer's pending payable and platform revenue credited,
  with the sale row, the game's lifetime gross and ``payment.sale.recorded.v1`` -- the hold
  still counts from the sale;
- a game developer-portal does not know, or a sale refunded while it waited (the refund took
  the money back from platform revenue, as for any sale without a sale row): suspense moves to
  platform revenue whole, logged for review;
- developer-portal still down: nothing is written, the next run asks again.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from parovoz_kit.errors import NotFound, Unavailable
from parovoz_kit.uow import UnitOfWorkFactory
from sqlalchemy import text

from parovoz_payment.db.game_owners import SqlGameOwners
from parovoz_payment.db.ledger import account_for, post
from parovoz_payment.db.payments import SqlPayments
from parovoz_payment.db.refunds import SqlRefunds
from parovoz_payment.domain.games import GameCatalogue, owner_of_game
from parovoz_payment.domain.ledger import AccountPurpose, OwnerType, credit, debit
from parovoz_payment.domain.refunds import RefundStatus
from parovoz_payment.use_cases.sales import SalesPorts, new_sale_posting

log = logging.getLogger(__name__)

#: Settled sales credited to suspense and not yet attributed, oldest first.
_WAITING = text(
    """
    SELECT t.reference
      FROM ledger_transactions t
      JOIN ledger_entries e ON e.transaction_id = t.id AND e.direction = 'credit'
      JOIN ledger_accounts a ON a.id = e.account_id AND a.purpose = :purpose
     WHERE NOT EXISTS (
           SELECT 1 FROM ledger_transactions done
            WHERE done.idempotency_key = 'sale-attribution:' || t.reference)
     ORDER BY t.created_at
     LIMIT :limit
    """
)

_DONE = text("SELECT 1 FROM ledger_transactions WHERE idempotency_key = :key")


def attribution_key(payment_id: uuid.UUID) -> str:
    return f"sale-attribution:{payment_id}"


@dataclass
class AttributionRun:
    attributed: int = 0
    to_platform: int = 0
    #: Left in suspense: developer-portal still could not answer.
    waiting: int = 0


async def attribute_waiting_sales(
    unit_of_work: UnitOfWorkFactory,
    catalogue: GameCatalogue,
    ports: SalesPorts,
    *,
    batch: int = 100,
) -> AttributionRun:
    async with unit_of_work() as uow:
        rows = await uow.session.execute(
            _WAITING, {"purpose": AccountPurpose.UNATTRIBUTED_SALES.value, "limit": batch}
        )
        waiting = [uuid.UUID(reference) for reference in rows.scalars()]
    run = AttributionRun()
    for payment_id in waiting:
        try:
            split = await attribute_sale(unit_of_work, catalogue, ports, payment_id)
        except Unavailable:
            run.waiting += 1
            continue
        if split:
            run.attributed += 1
        else:
            run.to_platform += 1
    return run


async def attribute_sale(
    unit_of_work: UnitOfWorkFactory,
    catalogue: GameCatalogue,
    ports: SalesPorts,
    payment_id: uuid.UUID,
) -> bool:
    """Move one sale out of suspense; True when its developer was credited."""
    async with unit_of_work() as uow:
        session = uow.session
        # The payment row first: the settlement's and the refunds' lock order.
        stored = await SqlPayments(session).get(payment_id, for_update=True)
        assert stored is not None and stored.payment.game_id is not None
        payment = stored.payment
        key = attribution_key(payment.id)
        done = await session.execute(_DONE, {"key": key})
        if done.first() is not None:
            return False  # another runner came first (it held the payment row till then)
        try:
            owner = await owner_of_game(payment.game_id, SqlGameOwners(session), catalogue)
        except NotFound:
            owner = None
        refunds = await SqlRefunds(session).of_payment(payment.id)
        refunded = any(refund.status is not RefundStatus.FAILED for refund in refunds)
        gross = payment.captured_amount
        suspense = await account_for(
            session, OwnerType.PLATFORM, None, AccountPurpose.UNATTRIBUTED_SALES, gross.currency
        )
        sale = None
        if owner is not None and not refunded:
            sale = await new_sale_posting(session, payment, owner.developer_id, key, ports)
            entries = [debit(suspense, gross), *sale.entries]
            metadata = dict(sale.metadata)
        else:
            log.error(
                "held sale moved to platform revenue: game unknown or refunded meanwhile",
                extra={"payment_id": str(payment.id), "game_id": str(payment.game_id)},
            )
            revenue = await account_for(
                session, OwnerType.PLATFORM, None, AccountPurpose.PLATFORM_REVENUE, gross.currency
            )
            entries = [debit(suspense, gross), credit(revenue, gross)]
            metadata = {"payment_id": str(payment.id), "game_id": str(payment.game_id)}
        posted = await post(
            session, key, "sale_attribution", entries, reference=str(payment.id), metadata=metadata
        )
        if sale is not None:
            await sale.recorded(posted)
        await uow.commit()
    return sale is not None
