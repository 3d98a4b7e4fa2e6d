"""Balances at the running payment service, for any service's tests: a developer's matured
revenue (``developer_payable_available``) or a debt (``developer_receivable``), posted as one
balanced transaction straight into payment's ledger tables (payment has no public operation that
grants money; it holds no other path to a balance than a sale that matures).

The rows are written the way payment's posting engine writes them (an account created on first
use with its purpose's limit, a transaction row whose id derives from its key, the account
balances moved by increments, one entry each side), so payment's own reads, limits and ledger
check see an ordinary posting. No import of payment's code: the table and column names are
payment's database contract here."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from parovoz_testing.platform import DATABASES

#: payment's LEDGER_NAMESPACE (a transaction's id is uuid5 of it and the posting's key).
LEDGER_NAMESPACE = uuid.UUID("6f1c1d2e-5b0e-4c52-9a8e-2d6b1f0c7a41")

#: Purposes whose balance may not go below zero (debits <= credits) or above it (credits <=
#: debits), as payment's domain says for the ones used here.
_DEBITS_LIMITED = {"developer_payable_available"}
_CREDITS_LIMITED = {"developer_receivable"}


@dataclass(frozen=True)
class _Leg:
    owner_type: str
    owner_id: str | None
    purpose: str
    direction: str  # "debit" | "credit"


@asynccontextmanager
async def payment_database(url: str = DATABASES["payment"]) -> AsyncIterator[AsyncEngine]:
    """An engine on the running payment service's database."""
    engine = create_async_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        yield engine
    finally:
        await engine.dispose()


async def seed_available(engine: AsyncEngine, developer_id: uuid.UUID, minor: int) -> None:
    """Matured revenue, posted straight into the developer's available payable."""
    await _post(
        engine,
        f"test-seed:{uuid.uuid4()}",
        "test_seed_available",
        minor,
        [
            _Leg("platform", None, "platform_revenue", "debit"),
            _Leg("developer", str(developer_id), "developer_payable_available", "credit"),
        ],
    )


async def seed_owed(engine: AsyncEngine, developer_id: uuid.UUID, minor: int) -> None:
    """A share taken back after it was paid out: owed by the developer (developer_receivable),
    netted against their next revenue."""
    await _post(
        engine,
        f"test-owed:{uuid.uuid4()}",
        "test_seed_owed",
        minor,
        [
            _Leg("developer", str(developer_id), "developer_receivable", "debit"),
            _Leg("platform", None, "platform_revenue", "credit"),
        ],
    )


async def _post(engine: AsyncEngine, key: str, kind: str, minor: int, legs: Sequence[_Leg]) -> None:
    assert minor > 0, "a ledger entry moves a positive amount"
    async with engine.begin() as connection:
        accounts = [await _account(connection, leg) for leg in legs]
        transaction_id = uuid.uuid5(LEDGER_NAMESPACE, key)
        canonical = sorted(
            (str(account), leg.direction, minor, "RUB")
            for account, leg in zip(accounts, legs, strict=True)
        )
        digest = hashlib.sha256(
            json.dumps([kind, None, canonical], separators=(",", ":")).encode()
        ).hexdigest()
        await connection.execute(
            text(
                "INSERT INTO ledger_transactions (id, idempotency_key, request_digest, kind) "
                "VALUES (:id, :key, :digest, :kind)"
            ),
            {"id": transaction_id, "key": key, "digest": digest, "kind": kind},
        )
        for account, leg in sorted(zip(accounts, legs, strict=True), key=lambda pair: pair[0]):
            debit = leg.direction == "debit"
            await connection.execute(
                text(
                    "UPDATE ledger_accounts SET debits_posted = debits_posted + :debits, "
                    "credits_posted = credits_posted + :credits WHERE id = :id"
                ),
                {"debits": minor if debit else 0, "credits": 0 if debit else minor, "id": account},
            )
        for account, leg in zip(accounts, legs, strict=True):
            await connection.execute(
                text(
                    "INSERT INTO ledger_entries "
                    "(transaction_id, account_id, direction, amount, currency) "
                    "VALUES (:transaction, :account, :direction, :amount, 'RUB')"
                ),
                {
                    "transaction": transaction_id,
                    "account": account,
                    "direction": leg.direction,
                    "amount": minor,
                },
            )


async def _account(connection: AsyncConnection, leg: _Leg) -> uuid.UUID:
    """The account's id, created on first use (a racing creator's row wins)."""
    await connection.execute(
        text(
            "INSERT INTO ledger_accounts (id, owner_type, owner_id, purpose, currency, "
            "debits_must_not_exceed_credits, credits_must_not_exceed_debits) "
            "VALUES (:id, :owner_type, :owner_id, :purpose, 'RUB', :debits_limited, "
            ":credits_limited) ON CONFLICT ON CONSTRAINT uq_ledger_accounts_owner_type DO NOTHING"
        ),
        {
            "id": uuid.uuid4(),
            "owner_type": leg.owner_type,
            "owner_id": leg.owner_id,
            "purpose": leg.purpose,
            "debits_limited": leg.purpose in _DEBITS_LIMITED,
            "credits_limited": leg.purpose in _CREDITS_LIMITED,
        },
    )
    found = await connection.execute(
        text(
            "SELECT id FROM ledger_accounts WHERE owner_type = :owner_type "
            "AND owner_id IS NOT DISTINCT FROM :owner_id AND purpose = :purpose "
            "AND currency = 'RUB'"
        ),
        {"owner_type": leg.owner_type, "owner_id": leg.owner_id, "purpose": leg.purpose},
    )
    account_id: uuid.UUID = found.scalar_one()
    return account_id
