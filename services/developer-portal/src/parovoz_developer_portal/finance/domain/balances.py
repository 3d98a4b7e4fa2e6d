"""A developer's money as payment keeps it: balances per currency and ledger entries.

payment is the authority (its double-entry ledger); developer-portal only shows what payment's
``GetDeveloperBalance`` / ``ListDeveloperLedger`` answer. Amounts are integer minor units.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class CurrencyBalance:
    currency: str
    #: Earned, still inside the 30-day hold.
    pending_minor: int
    #: Out of the hold, not yet requested: may be paid out.
    available_minor: int
    #: Requested and held for a payout in progress.
    in_payout_minor: int
    #: Taken back after it was paid out (refund, chargeback): repaid from the next sales.
    owed_minor: int = 0


@dataclass(frozen=True)
class DeveloperBalance:
    developer_id: uuid.UUID
    balances: tuple[CurrencyBalance, ...]
    as_of: datetime

    def available_in(self, currency: str) -> int:
        return sum(b.available_minor for b in self.balances if b.currency == currency)


@dataclass(frozen=True)
class LedgerEntry:
    id: uuid.UUID
    kind: str
    currency: str
    amount_minor: int
    gross_minor: int | None
    platform_fee_minor: int | None
    game_id: uuid.UUID | None
    payment_id: uuid.UUID | None
    refund_id: uuid.UUID | None
    payout_id: uuid.UUID | None
    region: str | None
    description: str
    created_at: datetime
    available_at: datetime


@dataclass(frozen=True)
class LedgerPage:
    entries: tuple[LedgerEntry, ...]
    #: Opaque cursor of the next page; None on the last page.
    next_cursor: str | None


class DeveloperMoney(Protocol):
    """payment's view of a developer's money (a gRPC client in production)."""

    async def balance(self, developer_id: uuid.UUID) -> DeveloperBalance: ...

    async def ledger(
        self, developer_id: uuid.UUID, page_size: int, cursor: str | None
    ) -> LedgerPage: ...
