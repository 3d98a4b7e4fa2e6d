"""The posting engine and the ledger check on the real payment database.

Every test owns its accounts (random owner ids), so it never depends on what else is in the
shared database; tests that tamper with data do it in a transaction they roll back.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator

import pytest
from parovoz_kit.errors import BusinessRuleViolation, Conflict, ValidationFailed
from parovoz_payment.db.ledger import account_for, entries_of, get_account, post
from parovoz_payment.db.ledger_tables import ledger_accounts, ledger_entries, ledger_transactions
from parovoz_payment.domain.ledger import Account, AccountPurpose, OwnerType, credit, debit
from parovoz_payment.domain.money import CurrencyMismatch, Money
from parovoz_payment.jobs.ledger_check import check_ledger
from parovoz_payment.settings import PaymentSettings
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool


@pytest.fixture
async def sessions() -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine: AsyncEngine = create_async_engine(PaymentSettings().database_url, poolclass=NullPool)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


def rub(kopecks: int) -> Money:
    return Money(kopecks, "RUB")


async def funded_wallet(
    sessions: async_sessionmaker[AsyncSession], amount: int
) -> tuple[Account, Account]:
    """A new user's RUB wallet topped up with ``amount`` from a new test provider's clearing."""
    async with sessions.begin() as session:
        wallet = await account_for(
            session, OwnerType.USER, uuid.uuid4(), AccountPurpose.USER_WALLET, "RUB"
        )
        clearing = await account_for(
            session, "provider", f"test-{uuid.uuid4()}", "provider_clearing", "RUB"
        )
        if amount:
            await post(
                session,
                f"test-top-up:{uuid.uuid4()}",
                "wallet_top_up",
                [debit(clearing, rub(amount)), credit(wallet, rub(amount))],
            )
    return wallet, clearing


async def balance(sessions: async_sessionmaker[AsyncSession], account: Account) -> Money:
    async with sessions() as session:
        return (await get_account(session, account.id)).credit_balance


async def test_account_for_creates_once_even_when_first_uses_race(sessions) -> None:
    owner = uuid.uuid4()

    async def first_use() -> uuid.UUID:
        async with sessions.begin() as session:
            found = await account_for(
                session, "developer", owner, "developer_payable_pending", "RUB"
            )
            return found.id

    ids = await asyncio.gather(*(first_use() for _ in range(5)))
    assert len(set(ids)) == 1
    async with sessions() as session:
        created = await get_account(session, ids[0])
    assert created.limit.value == "debits_must_not_exceed_credits"
    assert created.key.owner_id == str(owner)


async def test_a_retried_key_posts_once(sessions) -> None:
    wallet, clearing = await funded_wallet(sessions, 0)
    key = f"test-payment:{uuid.uuid4()}"
    entries = [debit(clearing, rub(500_00)), credit(wallet, rub(500_00))]
    async with sessions.begin() as session:
        first = await post(session, key, "wallet_top_up", entries, reference="order-1")
    async with sessions.begin() as session:
        again = await post(session, key, "wallet_top_up", list(reversed(entries)), "order-1")
    assert (first.replayed, again.replayed) == (False, True)
    assert again.id == first.id and again.created_at == first.created_at
    assert await balance(sessions, wallet) == rub(500_00)
    async with sessions() as session:
        assert len(await entries_of(session, first.id)) == 2


async def test_the_same_key_posted_concurrently_posts_once(sessions) -> None:
    wallet, clearing = await funded_wallet(sessions, 0)
    key = f"test-payment:{uuid.uuid4()}"

    async def attempt():
        async with sessions.begin() as session:
            entries = [debit(clearing, rub(100)), credit(wallet, rub(100))]
            return await post(session, key, "wallet_top_up", entries)

    results = await asyncio.gather(*(attempt() for _ in range(6)))
    assert sorted(result.replayed for result in results) == [False] + [True] * 5
    assert await balance(sessions, wallet) == rub(100)


async def test_the_same_key_with_other_entries_is_a_conflict(sessions) -> None:
    wallet, clearing = await funded_wallet(sessions, 0)
    other_wallet, _ = await funded_wallet(sessions, 0)
    key = f"test-payment:{uuid.uuid4()}"
    async with sessions.begin() as session:
        await post(
            session, key, "wallet_top_up", [debit(clearing, rub(100)), credit(wallet, rub(100))]
        )
    for entries in (
        [debit(clearing, rub(101)), credit(wallet, rub(101))],  # another amount
        [debit(clearing, rub(100)), credit(other_wallet, rub(100))],  # another account
    ):
        async with sessions.begin() as session:
            with pytest.raises(Conflict) as refused:
                await post(session, key, "wallet_top_up", entries)
        assert refused.value.code == "LEDGER_KEY_REUSED"
    async with sessions.begin() as session:
        with pytest.raises(Conflict):  # another kind is another request too
            await post(
                session, key, "refund", [debit(clearing, rub(100)), credit(wallet, rub(100))]
            )
    assert await balance(sessions, wallet) == rub(100)
    assert await balance(sessions, other_wallet) == rub(0)


async def test_insufficient_funds_writes_nothing_and_leaves_the_transaction_usable(
    sessions,
) -> None:
    wallet, clearing = await funded_wallet(sessions, 300)
    async with sessions.begin() as session:
        with pytest.raises(BusinessRuleViolation) as refused:
            await post(
                session, f"test:{uuid.uuid4()}", "purchase",
                [debit(wallet, rub(301)), credit(clearing, rub(301))],
            )  # fmt: skip
        assert refused.value.code == "INSUFFICIENT_FUNDS"
        # The caller can go on (e.g. pay the rest by card) in the same database transaction.
        await post(
            session, f"test:{uuid.uuid4()}", "purchase",
            [debit(wallet, rub(300)), credit(clearing, rub(300))],
        )  # fmt: skip
    assert await balance(sessions, wallet) == rub(0)


async def test_malformed_postings_are_refused_before_writing(sessions) -> None:
    wallet, clearing = await funded_wallet(sessions, 1_000)
    async with sessions.begin() as session:
        kzt_clearing = await account_for(
            session, "provider", f"test-{uuid.uuid4()}", "provider_clearing", "KZT"
        )
        with pytest.raises(CurrencyMismatch):
            await post(
                session, f"test:{uuid.uuid4()}", "purchase",
                [debit(wallet, Money(10, "KZT")), credit(kzt_clearing, Money(10, "KZT"))],
            )  # fmt: skip
        with pytest.raises(ValidationFailed) as unbalanced:
            await post(
                session, f"test:{uuid.uuid4()}", "purchase",
                [debit(wallet, rub(10)), credit(clearing, rub(9))],
            )  # fmt: skip
        assert unbalanced.value.code == "LEDGER_TRANSACTION_UNBALANCED"
        with pytest.raises(ValidationFailed) as unknown:
            await post(
                session, f"test:{uuid.uuid4()}", "purchase",
                [debit(wallet, rub(10)), credit(uuid.uuid4(), rub(10))],
            )  # fmt: skip
        assert unknown.value.code == "LEDGER_UNKNOWN_ACCOUNT"
    assert await balance(sessions, wallet) == rub(1_000)


EDITS = {
    "update-entry": "UPDATE ledger_entries SET amount = amount + 1 WHERE transaction_id = :posted",
    "delete-entry": "DELETE FROM ledger_entries WHERE transaction_id = :posted",
    "update-transaction": "UPDATE ledger_transactions SET kind = 'edited' WHERE id = :posted",
    "delete-transaction": "DELETE FROM ledger_transactions WHERE id = :posted",
    "truncate-entries": "TRUNCATE ledger_entries",
}


@pytest.mark.parametrize("edit", EDITS.values(), ids=EDITS.keys())
async def test_history_cannot_be_edited(sessions, edit: str) -> None:
    wallet, _ = await funded_wallet(sessions, 200)
    async with sessions() as session:
        posted = await session.scalar(
            select(ledger_entries.c.transaction_id).where(ledger_entries.c.account_id == wallet.id)
        )
        try:  # never committed: even a broken guard could not destroy shared history
            with pytest.raises(DBAPIError, match="immutable"):
                await session.execute(text(edit), {"posted": posted} if ":posted" in edit else {})
        finally:
            await session.rollback()
    assert await balance(sessions, wallet) == rub(200)


async def test_the_database_refuses_to_commit_an_unbalanced_transaction(sessions) -> None:
    wallet, clearing = await funded_wallet(sessions, 0)
    transaction_id = uuid.uuid4()
    async with sessions() as session:
        await session.execute(
            ledger_transactions.insert().values(
                id=transaction_id, idempotency_key=str(transaction_id), request_digest="-",
                kind="forged", metadata={},
            )
        )  # fmt: skip
        await session.execute(
            ledger_entries.insert(),
            [
                {"transaction_id": transaction_id, "account_id": wallet.id,
                 "direction": "credit", "amount": 1_000_000, "currency": "RUB"},
                {"transaction_id": transaction_id, "account_id": clearing.id,
                 "direction": "debit", "amount": 1, "currency": "RUB"},
            ],
        )  # fmt: skip
        with pytest.raises(DBAPIError, match="does not balance"):
            await session.commit()
    async with sessions() as session:
        found = select(ledger_transactions.c.id).where(ledger_transactions.c.id == transaction_id)
        assert (await session.execute(found)).first() is None


async def test_the_database_refuses_to_commit_a_transaction_without_entries(sessions) -> None:
    transaction_id = uuid.uuid4()
    async with sessions() as session:
        await session.execute(
            ledger_transactions.insert().values(
                id=transaction_id, idempotency_key=str(transaction_id), request_digest="-",
                kind="forged", metadata={},
            )
        )  # fmt: skip
        with pytest.raises(DBAPIError, match="fewer than two entries"):
            await session.commit()


async def test_the_check_detects_a_corrupted_balance_and_nothing_stays_corrupted(sessions) -> None:
    wallet, _ = await funded_wallet(sessions, 700)
    async with sessions() as session:
        try:
            # Tamper inside a transaction that is always rolled back.
            await session.execute(
                update(ledger_accounts)
                .where(ledger_accounts.c.id == wallet.id)
                .values(credits_posted=ledger_accounts.c.credits_posted + 7)
            )
            report = await check_ledger(session)
        finally:
            await session.rollback()
    assert not report.ok
    mismatches = report.violation("balance_mismatches")
    assert mismatches is not None and any(str(wallet.id) in line for line in mismatches.samples)
    assert report.violation("unbalanced_currencies") is not None  # RUB no longer sums to zero
    assert "FAILED" in report.render()
    async with sessions() as session:
        assert (await check_ledger(session)).violation("balance_mismatches") is None


async def test_the_check_detects_unbalanced_and_empty_transactions(sessions) -> None:
    wallet, _ = await funded_wallet(sessions, 0)
    lopsided, empty = uuid.uuid4(), uuid.uuid4()
    async with sessions() as session:
        try:
            for transaction_id in (lopsided, empty):
                await session.execute(
                    ledger_transactions.insert().values(
                        id=transaction_id, idempotency_key=str(transaction_id),
                        request_digest="-", kind="forged", metadata={},
                    )
                )  # fmt: skip
            # The deferred trigger would refuse this at commit; the check sees it before.
            await session.execute(
                ledger_entries.insert().values(
                    transaction_id=lopsided, account_id=wallet.id, direction="credit",
                    amount=5, currency="RUB",
                )
            )  # fmt: skip
            report = await check_ledger(session)
        finally:
            await session.rollback()
    unbalanced = report.violation("unbalanced_transactions")
    short = report.violation("short_transactions")
    assert unbalanced is not None and any(str(lopsided) in s for s in unbalanced.samples)
    assert short is not None
    assert {str(lopsided), str(empty)} <= {sample.split(":")[0] for sample in short.samples}


def test_the_command_prints_what_it_checked_and_passes_on_the_live_database() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "parovoz_payment.jobs.ledger_check"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "every stored balance equals the one re-derived from entries" in done.stdout
    assert done.stdout.strip().endswith("ledger check: OK")


async def test_the_database_itself_refuses_a_negative_wallet(sessions) -> None:
    """Second line of defence: even SQL that bypasses post() cannot overdraw a wallet."""
    wallet, _ = await funded_wallet(sessions, 100)
    async with sessions() as session:
        try:
            with pytest.raises(DBAPIError, match="limits_hold"):
                await session.execute(
                    update(ledger_accounts)
                    .where(ledger_accounts.c.id == wallet.id)
                    .values(debits_posted=ledger_accounts.c.credits_posted + 1)
                )
        finally:
            await session.rollback()
    assert await balance(sessions, wallet) == rub(100)
