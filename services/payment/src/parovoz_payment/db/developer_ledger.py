"""Read side of a developer's ledger: their accounts' balances and movements, newest first.

A developer owns, per currency, a pending payable (sales in their hold), an available payable,
a payout hold and a receivable (what they owe back: a share taken back after it was paid out).
The movements the developer sees are ledger *transactions*, each with its net effect on their
money: moves between their own accounts (a release from pending to available, a payout request
into the hold) change nothing for them and are left out. These queries only read.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db.ledger_tables import ledger_accounts, ledger_entries, ledger_transactions
from parovoz_payment.domain.ledger import AccountPurpose, Direction, OwnerType
from parovoz_payment.domain.money import Money

DEVELOPER_PURPOSES = (
    AccountPurpose.DEVELOPER_PAYABLE_PENDING,
    AccountPurpose.DEVELOPER_PAYABLE_AVAILABLE,
    AccountPurpose.DEVELOPER_PAYOUT_HOLD,
    AccountPurpose.DEVELOPER_RECEIVABLE,
)


@dataclass(frozen=True, slots=True)
class DeveloperBalance:
    currency: str
    pending: Money
    available: Money
    in_payout: Money
    #: What the developer owes back (repaid from their next released sales).
    owed: Money


def _developer_accounts(developer_id: uuid.UUID) -> Any:
    return (
        (ledger_accounts.c.owner_type == OwnerType.DEVELOPER.value)
        & (ledger_accounts.c.owner_id == str(developer_id))
        & ledger_accounts.c.purpose.in_([purpose.value for purpose in DEVELOPER_PURPOSES])
    )


async def developer_balances(
    session: AsyncSession, developer_id: uuid.UUID
) -> list[DeveloperBalance]:
    """One balance per currency the developer has an account in, sorted by currency; none for
    a developer who never sold anything."""
    rows = await session.execute(
        select(
            ledger_accounts.c.purpose,
            ledger_accounts.c.currency,
            ledger_accounts.c.debits_posted,
            ledger_accounts.c.credits_posted,
        ).where(_developer_accounts(developer_id))
    )
    by_currency: dict[str, dict[AccountPurpose, Money]] = {}
    for row in rows:
        held = by_currency.setdefault(row.currency, {})
        held[AccountPurpose(row.purpose)] = Money(
            row.credits_posted - row.debits_posted, row.currency
        )
    return [
        DeveloperBalance(
            currency=currency,
            pending=held.get(AccountPurpose.DEVELOPER_PAYABLE_PENDING, Money.zero(currency)),
            available=held.get(AccountPurpose.DEVELOPER_PAYABLE_AVAILABLE, Money.zero(currency)),
            in_payout=held.get(AccountPurpose.DEVELOPER_PAYOUT_HOLD, Money.zero(currency)),
            # The receivable is an asset (debits): what they owe shows as a positive amount.
            owed=-held.get(AccountPurpose.DEVELOPER_RECEIVABLE, Money.zero(currency)),
        )
        for currency, held in sorted(by_currency.items())
    ]


@dataclass(frozen=True, slots=True)
class DeveloperEntry:
    """One ledger transaction as the developer sees it."""

    #: The ledger transaction's id.
    id: uuid.UUID
    #: Net, from the developer's side: credits add (+), debits take away (-).
    amount: Money
    transaction_kind: str
    transaction_reference: str | None
    transaction_metadata: dict[str, Any]
    created_at: datetime


#: The position after an entry, for the next page: (created_at, transaction id).
Cursor = tuple[datetime, uuid.UUID]


async def developer_entries(
    session: AsyncSession, developer_id: uuid.UUID, *, limit: int, after: Cursor | None = None
) -> list[DeveloperEntry]:
    """Up to ``limit`` movements of the developer's money, newest first (created_at, then
    id), after ``after`` when given; transactions netting to zero for them are left out."""
    signed = case(
        (ledger_entries.c.direction == Direction.CREDIT.value, ledger_entries.c.amount),
        else_=-ledger_entries.c.amount,
    )
    net = func.sum(signed).label("net")
    t = ledger_transactions.c
    query = (
        select(t.id, t.kind, t.reference, t.metadata, t.created_at, ledger_entries.c.currency, net)
        .select_from(
            ledger_entries.join(
                ledger_accounts, ledger_accounts.c.id == ledger_entries.c.account_id
            ).join(ledger_transactions, t.id == ledger_entries.c.transaction_id)
        )
        .where(_developer_accounts(developer_id))
        .group_by(t.id, ledger_entries.c.currency)
        .having(func.sum(signed) != 0)
        .order_by(t.created_at.desc(), t.id.desc())
        .limit(limit)
    )
    if after is not None:
        query = query.where(tuple_(t.created_at, t.id) < tuple_(*after))
    rows = await session.execute(query)
    return [
        DeveloperEntry(
            id=row.id,
            amount=Money(int(row.net), row.currency),
            transaction_kind=row.kind,
            transaction_reference=row.reference,
            transaction_metadata=dict(row.metadata or {}),
            created_at=row.created_at,
        )
        for row in rows
    ]
