"""Read side of a developer's ledger: their accounts' balances and entries, newest first.

A developer owns three accounts per currency (pending payable, available payable, payout
hold); these queries only read, so they never lock anything.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db.ledger_tables import ledger_accounts, ledger_entries, ledger_transactions
from parovoz_payment.domain.ledger import AccountPurpose, Direction, OwnerType
from parovoz_payment.domain.money import Money

DEVELOPER_PURPOSES = (
    AccountPurpose.DEVELOPER_PAYABLE_PENDING,
    AccountPurpose.DEVELOPER_PAYABLE_AVAILABLE,
    AccountPurpose.DEVELOPER_PAYOUT_HOLD,
)


@dataclass(frozen=True, slots=True)
class DeveloperBalance:
    currency: str
    pending: Money
    available: Money
    in_payout: Money


@dataclass(frozen=True, slots=True)
class DeveloperEntry:
    id: int
    purpose: AccountPurpose
    #: Signed from the developer's side: a credit adds (+), a debit takes away (-).
    amount: Money
    transaction_kind: str
    transaction_reference: str | None
    transaction_metadata: dict[str, Any]
    created_at: datetime


def _developer_accounts(developer_id: uuid.UUID) -> Any:
    return (
        (ledger_accounts.c.owner_type == OwnerType.DEVELOPER.value)
        & (ledger_accounts.c.owner_id == str(developer_id))
        & ledger_accounts.c.purpose.in_([purpose.value for purpose in DEVELOPER_PURPOSES])
    )


async def developer_balances(
    session: AsyncSession, developer_id: uuid.UUID
) -> list[DeveloperBalance]:
    """One balance per currency the developer has an account in, sorted by currency."""
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
        )
        for currency, held in sorted(by_currency.items())
    ]


async def developer_entries(
    session: AsyncSession, developer_id: uuid.UUID, *, limit: int, before_id: int | None = None
) -> list[DeveloperEntry]:
    """Up to ``limit`` entries on the developer's accounts, newest first, older than
    ``before_id`` when given. Entry ids grow with time, so they are the cursor."""
    query = (
        select(
            ledger_entries.c.id,
            ledger_entries.c.direction,
            ledger_entries.c.amount,
            ledger_entries.c.currency,
            ledger_accounts.c.purpose,
            ledger_transactions.c.kind,
            ledger_transactions.c.reference,
            ledger_transactions.c.metadata,
            ledger_transactions.c.created_at,
        )
        .select_from(
            ledger_entries.join(
                ledger_accounts, ledger_accounts.c.id == ledger_entries.c.account_id
            ).join(ledger_transactions, ledger_transactions.c.id == ledger_entries.c.transaction_id)
        )
        .where(_developer_accounts(developer_id))
        .order_by(ledger_entries.c.id.desc())
        .limit(limit)
    )
    if before_id is not None:
        query = query.where(ledger_entries.c.id < before_id)
    rows = await session.execute(query)
    return [
        DeveloperEntry(
            id=row.id,
            purpose=AccountPurpose(row.purpose),
            amount=Money(
                row.amount if row.direction == Direction.CREDIT.value else -row.amount,
                row.currency,
            ),
            transaction_kind=row.kind,
            transaction_reference=row.reference,
            transaction_metadata=dict(row.metadata or {}),
            created_at=row.created_at,
        )
        for row in rows
    ]
