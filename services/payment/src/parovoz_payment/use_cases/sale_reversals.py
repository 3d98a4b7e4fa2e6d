"""A game sale taken back, fully or partly (a refund; a chargeback uses the same): the
developer's and the platform's shares give back in the sale's proportion, exact to the
kopeck, never more than the sale (``domain.revenue_share.reverse_sale``).

Where the developer's part comes from: the pending payable while the sale is in its hold; once
released, the available payable; what is no longer there (paid out, or held for a payout)
becomes ``developer_receivable`` -- the developer's debt to the platform, repaid from their next
released sales (``use_cases.funds_release``). So a reversal always posts, balanced.

Runs in the caller's transaction (holding the payment row), like the settlement's side.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db import sales as db
from parovoz_payment.db.ledger import PostedTransaction, account_for
from parovoz_payment.domain.ledger import (
    AccountPurpose,
    Entry,
    OwnerType,
    debit,
    transaction_id_for,
)
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payments import Payment
from parovoz_payment.domain.revenue_share import (
    DeveloperTakeBack,
    SaleReversal,
    reverse_sale,
    take_back,
)
from parovoz_payment.use_cases.sales import SalePosting, sale_event, stage_sale_event


async def sale_reversal_debits(
    session: AsyncSession,
    payment: Payment,
    amount: Money,
    reversal_key: str,
    now: datetime,
    *,
    kind: str = "refund",
    refund_id: uuid.UUID | None = None,
) -> SalePosting | None:
    """The developer's and the platform's debits for ``amount`` of the sale taken back
    (``kind`` refund or chargeback); None when the payment has no sale (it settled as all
    platform revenue, so that is what gives the money back)."""
    sale = await db.get_sale(session, payment.id, for_update=True)
    if sale is None:
        return None
    transaction_id = transaction_id_for(reversal_key)
    earlier = await db.get_reversal(session, transaction_id)
    if earlier is not None:  # posted before: the same debits, so the posting replays
        reversal, taken = earlier
        return SalePosting(
            await _debits(session, sale, reversal, taken),
            _reversal_metadata(sale, reversal, refund_id),
        )
    reversal = reverse_sale(sale.split, sale.reversed, amount)
    # Lock order: sale, game, accounts -- the settlement's order, so the two never deadlock.
    await db.lock_game_revenue(session, sale.game_id, now)
    available = await _locked_available(session, sale)
    taken = take_back(reversal.developer, sale.released_at is not None, available)

    async def record(posted: PostedTransaction) -> None:
        await db.add_reversal(
            session, sale, posted.id, reversal, taken, kind=kind, refund_id=refund_id, now=now
        )
        await db.add_game_revenue(
            session,
            sale.game_id,
            lifetime_delta=-reversal.tier_weight,
            sold=Money.zero(sale.currency),
            refunded=reversal.gross,
            now=now,
        )
        event = sale_event(sale, posted.id, reversal, now, kind=kind, refund_id=refund_id)
        await stage_sale_event(session, event, now)

    return SalePosting(
        await _debits(session, sale, reversal, taken),
        _reversal_metadata(sale, reversal, refund_id),
        record,
    )


async def _locked_available(session: AsyncSession, sale: db.StoredSale) -> Money:
    """The developer's available balance as of their balance lock (released shares only)."""
    if sale.released_at is None:
        return Money.zero(sale.currency)
    _, available = await db.lock_developer_balances(session, sale.developer_id, sale.currency)
    return available.credit_balance


async def _debits(
    session: AsyncSession, sale: db.StoredSale, reversal: SaleReversal, taken: DeveloperTakeBack
) -> list[Entry]:
    entries = []
    for purpose, part in (
        (AccountPurpose.DEVELOPER_PAYABLE_PENDING, taken.from_pending),
        (AccountPurpose.DEVELOPER_PAYABLE_AVAILABLE, taken.from_available),
        (AccountPurpose.DEVELOPER_RECEIVABLE, taken.owed),
    ):
        if part.is_positive:
            account = await account_for(
                session, OwnerType.DEVELOPER, sale.developer_id, purpose, sale.currency
            )
            entries.append(debit(account, part))
    if reversal.platform.is_positive:
        revenue = await account_for(
            session, OwnerType.PLATFORM, None, AccountPurpose.PLATFORM_REVENUE, sale.currency
        )
        entries.append(debit(revenue, reversal.platform))
    return entries


def _reversal_metadata(
    sale: db.StoredSale, reversal: SaleReversal, refund_id: uuid.UUID | None
) -> dict[str, object]:
    return {
        "payment_id": str(sale.payment_id),
        "game_id": str(sale.game_id),
        "developer_id": str(sale.developer_id),
        "region": sale.region,
        "refund_id": None if refund_id is None else str(refund_id),
        "gross_amount_minor": -reversal.gross.amount_minor,
        "platform_fee_amount_minor": -reversal.platform.amount_minor,
    }
