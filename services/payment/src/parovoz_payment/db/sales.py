"""Game sales, their reversals and each game's lifetime gross (the caller's session and
transaction; the caller commits).

Lock order, the same everywhere: the payment row (the caller's), then the sale row, then the
game's revenue row, then the ledger accounts (``post``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db.ledger import locked_account
from parovoz_payment.db.sales_tables import (
    game_revenue,
    game_revenue_currencies,
    game_sale_reversals,
    game_sales,
)
from parovoz_payment.domain.ledger import Account, AccountPurpose, OwnerType
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.revenue_share import DeveloperTakeBack, SaleReversal, SaleSplit


@dataclass(frozen=True, slots=True)
class StoredSale:
    payment_id: uuid.UUID
    game_id: uuid.UUID
    developer_id: uuid.UUID
    region: str
    split: SaleSplit
    lifetime_before: int
    reversed: SaleReversal
    ledger_transaction_id: uuid.UUID
    recorded_at: datetime
    available_at: datetime
    released_at: datetime | None = None
    released: Money | None = None

    @property
    def currency(self) -> str:
        return self.split.gross.currency

    @property
    def pending_share(self) -> Money:
        """The developer's share still owed from this sale (less what reversals took)."""
        return self.split.developer - self.reversed.developer


async def lock_game_revenue(session: AsyncSession, game_id: uuid.UUID, now: datetime) -> int:
    """The game's lifetime gross, its row locked until the caller commits: two sales of one
    game queue here, so the second sees the first's total (never both the old tier)."""
    await session.execute(
        pg_insert(game_revenue)
        .values(game_id=game_id, lifetime_gross_minor=0, updated_at=now)
        .on_conflict_do_nothing(index_elements=[game_revenue.c.game_id])
    )
    query = select(game_revenue.c.lifetime_gross_minor).where(game_revenue.c.game_id == game_id)
    return int((await session.execute(query.with_for_update())).scalar_one())


async def add_game_revenue(
    session: AsyncSession,
    game_id: uuid.UUID,
    *,
    lifetime_delta: int,
    sold: Money,
    refunded: Money,
    now: datetime,
) -> None:
    """Move the (locked) game's totals: a sale adds, a reversal subtracts (net of refunds)."""
    await session.execute(
        update(game_revenue)
        .where(game_revenue.c.game_id == game_id)
        .values(
            lifetime_gross_minor=game_revenue.c.lifetime_gross_minor + lifetime_delta,
            updated_at=now,
        )
    )
    table = game_revenue_currencies.c
    if not sold.is_positive:  # a reversal: its sale wrote the row
        await session.execute(
            update(game_revenue_currencies)
            .where(table.game_id == game_id, table.currency == refunded.currency)
            .values(refunded_minor=table.refunded_minor + refunded.amount_minor, updated_at=now)
        )
        return
    statement = pg_insert(game_revenue_currencies).values(
        game_id=game_id,
        currency=sold.currency,
        gross_minor=sold.amount_minor,
        refunded_minor=refunded.amount_minor,
        updated_at=now,
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[table.game_id, table.currency],
            set_={
                "gross_minor": table.gross_minor + statement.excluded.gross_minor,
                "refunded_minor": table.refunded_minor + statement.excluded.refunded_minor,
                "updated_at": statement.excluded.updated_at,
            },
        )
    )


async def get_sale(
    session: AsyncSession, payment_id: uuid.UUID, *, for_update: bool = False
) -> StoredSale | None:
    query = select(game_sales).where(game_sales.c.payment_id == payment_id)
    if for_update:
        query = query.with_for_update()
    row = (await session.execute(query)).first()
    return None if row is None else _sale(row)


async def add_sale(session: AsyncSession, sale: StoredSale) -> None:
    split, reversed_ = sale.split, sale.reversed
    await session.execute(
        insert(game_sales).values(
            payment_id=sale.payment_id,
            game_id=sale.game_id,
            developer_id=sale.developer_id,
            region=sale.region,
            currency=sale.currency,
            gross_minor=split.gross.amount_minor,
            developer_minor=split.developer.amount_minor,
            platform_minor=split.platform.amount_minor,
            tier_weight_minor=split.tier_weight,
            lifetime_before_minor=sale.lifetime_before,
            reversed_gross_minor=reversed_.gross.amount_minor,
            reversed_developer_minor=reversed_.developer.amount_minor,
            reversed_platform_minor=reversed_.platform.amount_minor,
            reversed_tier_weight_minor=reversed_.tier_weight,
            ledger_transaction_id=sale.ledger_transaction_id,
            recorded_at=sale.recorded_at,
            available_at=sale.available_at,
        )
    )


async def add_reversal(
    session: AsyncSession,
    sale: StoredSale,
    transaction_id: uuid.UUID,
    reversal: SaleReversal,
    taken: DeveloperTakeBack,
    *,
    kind: str,
    refund_id: uuid.UUID | None,
    now: datetime,
) -> None:
    """Store one reversal and add it to its (locked) sale's running totals."""
    await session.execute(
        insert(game_sale_reversals).values(
            id=transaction_id,
            payment_id=sale.payment_id,
            refund_id=refund_id,
            kind=kind,
            currency=sale.currency,
            gross_minor=reversal.gross.amount_minor,
            developer_minor=reversal.developer.amount_minor,
            platform_minor=reversal.platform.amount_minor,
            tier_weight_minor=reversal.tier_weight,
            from_pending_minor=taken.from_pending.amount_minor,
            from_available_minor=taken.from_available.amount_minor,
            owed_minor=taken.owed.amount_minor,
            recorded_at=now,
        )
    )
    c = game_sales.c
    await session.execute(
        update(game_sales)
        .where(c.payment_id == sale.payment_id)
        .values(
            reversed_gross_minor=c.reversed_gross_minor + reversal.gross.amount_minor,
            reversed_developer_minor=c.reversed_developer_minor + reversal.developer.amount_minor,
            reversed_platform_minor=c.reversed_platform_minor + reversal.platform.amount_minor,
            reversed_tier_weight_minor=c.reversed_tier_weight_minor + reversal.tier_weight,
        )
    )


async def matured_unreleased(session: AsyncSession, now: datetime, limit: int) -> list[uuid.UUID]:
    """Sales whose hold has ended and whose share has not moved yet, oldest first."""
    query = (
        select(game_sales.c.payment_id)
        .where(game_sales.c.released_at.is_(None), game_sales.c.available_at <= now)
        .order_by(game_sales.c.available_at, game_sales.c.payment_id)
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())


async def mark_released(
    session: AsyncSession, payment_id: uuid.UUID, amount: Money, now: datetime
) -> None:
    await session.execute(
        update(game_sales)
        .where(game_sales.c.payment_id == payment_id)
        .values(released_at=now, released_minor=amount.amount_minor)
    )


async def get_reversal(
    session: AsyncSession, transaction_id: uuid.UUID
) -> tuple[SaleReversal, DeveloperTakeBack] | None:
    query = select(game_sale_reversals).where(game_sale_reversals.c.id == transaction_id)
    row = (await session.execute(query)).first()
    if row is None:
        return None

    def money(amount: int) -> Money:
        return Money(amount, row.currency)

    reversal = SaleReversal(
        money(row.gross_minor),
        money(row.developer_minor),
        money(row.platform_minor),
        row.tier_weight_minor,
    )
    taken = DeveloperTakeBack(
        money(row.from_pending_minor), money(row.from_available_minor), money(row.owed_minor)
    )
    return reversal, taken


async def lock_developer_balances(
    session: AsyncSession, developer_id: uuid.UUID, currency: str
) -> tuple[Account, Account]:
    """The developer's receivable (what they owe) and available payable, locked in this order
    before any other ledger account: every balance-dependent move of a developer's money
    (a release, a reversal of a released share) queues here, so two never read the same
    balance, and ``post``'s own (id-ordered) locks come after."""
    owed = await locked_account(
        session, OwnerType.DEVELOPER, developer_id, AccountPurpose.DEVELOPER_RECEIVABLE, currency
    )
    available = await locked_account(
        session,
        OwnerType.DEVELOPER,
        developer_id,
        AccountPurpose.DEVELOPER_PAYABLE_AVAILABLE,
        currency,
    )
    return owed, available


def _sale(row: Row[Any]) -> StoredSale:
    currency = row.currency

    def money(amount: int) -> Money:
        return Money(amount, currency)

    return StoredSale(
        payment_id=row.payment_id,
        game_id=row.game_id,
        developer_id=row.developer_id,
        region=row.region,
        split=SaleSplit(
            money(row.gross_minor),
            money(row.developer_minor),
            money(row.platform_minor),
            row.tier_weight_minor,
        ),
        lifetime_before=row.lifetime_before_minor,
        reversed=SaleReversal(
            money(row.reversed_gross_minor),
            money(row.reversed_developer_minor),
            money(row.reversed_platform_minor),
            row.reversed_tier_weight_minor,
        ),
        ledger_transaction_id=row.ledger_transaction_id,
        recorded_at=row.recorded_at,
        available_at=row.available_at,
        released_at=row.released_at,
        released=None if row.released_minor is None else money(row.released_minor),
    )
