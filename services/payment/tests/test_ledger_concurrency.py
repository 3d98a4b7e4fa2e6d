"""Concurrent postings on the real database: a wallet is never overdrawn, nothing deadlocks.

Each attempt runs in its own connection and database transaction; all of them are released
together once every connection is open, so they really contend for the same rows.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from parovoz_kit.errors import BusinessRuleViolation
from parovoz_payment.db.ledger import account_for, get_account, post
from parovoz_payment.domain.ledger import Account, AccountPurpose, OwnerType, credit, debit
from parovoz_payment.domain.money import Money
from parovoz_payment.jobs.ledger_check import check_ledger
from parovoz_payment.settings import PaymentSettings
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

SESSIONS = 20


@pytest.fixture
async def sessions() -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_async_engine(PaymentSettings().database_url, poolclass=NullPool)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


def rub(kopecks: int) -> Money:
    return Money(kopecks, "RUB")


async def new_account(sessions, owner_type: OwnerType, purpose: AccountPurpose) -> Account:
    async with sessions.begin() as session:
        owner = f"test-{uuid.uuid4()}" if owner_type is OwnerType.PROVIDER else uuid.uuid4()
        return await account_for(session, owner_type, owner, purpose, "RUB")


async def top_up(sessions, wallet: Account, amount: int) -> None:
    clearing = await new_account(sessions, OwnerType.PROVIDER, AccountPurpose.PROVIDER_CLEARING)
    async with sessions.begin() as session:
        await post(
            session,
            f"test-top-up:{uuid.uuid4()}",
            "wallet_top_up",
            [debit(clearing, rub(amount)), credit(wallet, rub(amount))],
        )


async def all_at_once(
    sessions, attempts: list[Callable[[AsyncSession], Awaitable[None]]]
) -> list[BaseException | None]:
    """Open one connection per attempt, then release them together; each commits its own."""
    ready = asyncio.Barrier(len(attempts))

    async def run(attempt) -> BaseException | None:
        async with sessions() as session:
            await session.execute(text("SELECT 1"))  # connected and in a transaction
            await ready.wait()
            try:
                await attempt(session)
                await session.commit()
            except BusinessRuleViolation as refused:
                await session.rollback()
                return refused
        return None

    return await asyncio.gather(*(run(attempt) for attempt in attempts))


async def credit_balance(sessions, account: Account) -> int:
    async with sessions() as session:
        return (await get_account(session, account.id)).credit_balance.amount_minor


async def test_concurrent_spends_never_overdraw_a_wallet(sessions) -> None:
    starting = 10_000_00
    wallet = await new_account(sessions, OwnerType.USER, AccountPurpose.USER_WALLET)
    payee = await new_account(
        sessions, OwnerType.DEVELOPER, AccountPurpose.DEVELOPER_PAYABLE_PENDING
    )
    await top_up(sessions, wallet, starting)
    # Every spend is more than a tenth of the balance: at most nine can fit, never all twenty.
    rng = random.Random(5)
    amounts = [rng.randint(starting // 10 + 1, starting // 4) for _ in range(SESSIONS)]

    def spend(amount: int):
        async def attempt(session: AsyncSession) -> None:
            entries = [debit(wallet, rub(amount)), credit(payee, rub(amount))]
            await post(session, f"test-spend:{uuid.uuid4()}", "game_purchase", entries)

        return attempt

    outcomes = await all_at_once(sessions, [spend(amount) for amount in amounts])

    spent = [a for a, outcome in zip(amounts, outcomes, strict=True) if outcome is None]
    refused = [a for a, outcome in zip(amounts, outcomes, strict=True) if outcome is not None]
    assert all(outcome.code == "INSUFFICIENT_FUNDS" for outcome in outcomes if outcome)
    assert spent and refused
    assert sum(spent) <= starting
    left = await credit_balance(sessions, wallet)
    assert left == starting - sum(spent) >= 0
    # The balance only went down, so every refused spend was bigger than what was left then.
    assert left < min(refused)
    assert await credit_balance(sessions, payee) == sum(spent)


async def test_transfers_in_both_directions_do_not_deadlock(sessions) -> None:
    alice = await new_account(sessions, OwnerType.USER, AccountPurpose.USER_WALLET)
    bob = await new_account(sessions, OwnerType.USER, AccountPurpose.USER_WALLET)
    await top_up(sessions, alice, 1_000_00)
    await top_up(sessions, bob, 1_000_00)

    def transfer(source: Account, target: Account):
        async def attempt(session: AsyncSession) -> None:
            # Lock order follows the account ids, not the argument order: A->B and B->A
            # postings queue behind each other instead of deadlocking.
            entries = [credit(target, rub(10_00)), debit(source, rub(10_00))]
            await post(session, f"test-transfer:{uuid.uuid4()}", "wallet_transfer", entries)

        return attempt

    directions = [(alice, bob), (bob, alice)] * (SESSIONS // 2)
    outcomes = await all_at_once(sessions, [transfer(*pair) for pair in directions])

    assert outcomes == [None] * SESSIONS  # no refusal, and a deadlock would have raised
    assert await credit_balance(sessions, alice) == 1_000_00
    assert await credit_balance(sessions, bob) == 1_000_00
    async with sessions() as session:
        report = await check_ledger(session)
    assert report.violation("balance_mismatches") is None, report.render()
