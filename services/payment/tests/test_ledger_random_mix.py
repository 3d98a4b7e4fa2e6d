"""1,000 seeded random ledger operations against a model, then the ledger check is green.

The operations are what payment does: card and wallet top-ups, purchases split 70/30 between
the developer and the platform (by card or from the wallet), partial refunds that reverse the
split in proportion (to the wallet or the card), wallet-to-wallet transfers, releases of the
developer's pending funds, retried keys -- and some are refused for insufficient funds. A pure
Python model predicts every refusal and every balance; the database must agree with it.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest
from parovoz_kit.errors import BusinessRuleViolation
from parovoz_payment.db.ledger import PostedTransaction, account_for, post
from parovoz_payment.db.ledger_tables import ledger_accounts
from parovoz_payment.domain.ledger import Account, Direction, Entry, credit, debit
from parovoz_payment.domain.money import Money
from parovoz_payment.jobs.ledger_check import check_ledger
from parovoz_payment.settings import PaymentSettings
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

SEED = 20261125
OPERATIONS = 1_000


@pytest.fixture
async def sessions() -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_async_engine(PaymentSettings().database_url, pool_size=1)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


@dataclass
class Purchase:
    payer: Account  # the wallet or the provider clearing that paid, and gets refunds
    developer: Account
    revenue: Account
    price: Money
    refunded: Money


@dataclass
class Operation:
    kind: str
    entries: list[Entry]
    #: What the test's bookkeeping must remember once the posting is committed.
    on_posted: Callable[[], None] = lambda: None


class Model:
    """Expected (debits, credits) of every account the test touched, and their limits."""

    def __init__(self) -> None:
        self.posted: dict[uuid.UUID, list[int]] = {}
        self.limited: set[uuid.UUID] = set()

    def track(self, account: Account) -> Account:
        self.posted[account.id] = [account.debits_posted, account.credits_posted]
        if account.limit.value == "debits_must_not_exceed_credits":
            self.limited.add(account.id)
        return account

    def after(self, entries: list[Entry]) -> dict[uuid.UUID, list[int]]:
        after = {key: list(value) for key, value in self.posted.items()}
        for entry in entries:
            side = 0 if entry.direction is Direction.DEBIT else 1
            after[entry.account_id][side] += entry.money.amount_minor
        return after

    def refuses(self, entries: list[Entry]) -> bool:
        after = self.after(entries)
        return any(after[i][0] > after[i][1] for i in self.limited)

    def apply(self, entries: list[Entry]) -> None:
        self.posted = self.after(entries)


def revenue_split(price: Money) -> tuple[Money, Money]:
    developer_share = price.portion(70, 100)
    return developer_share, price - developer_share  # the platform takes the remainder


class Store:
    """The test's owners and accounts, and the seeded operation generators."""

    def __init__(self, rng: random.Random, model: Model) -> None:
        self.rng = rng
        self.model = model
        self.purchases: list[Purchase] = []

    async def open(self, session: AsyncSession, run: str) -> None:
        async def account(owner_type, owner_id, purpose, currency="RUB") -> Account:
            found = await account_for(session, owner_type, owner_id, purpose, currency)
            return self.model.track(found)

        self.wallets = [await account("user", uuid.uuid4(), "user_wallet") for _ in range(8)]
        self.kzt_wallet = await account("user", uuid.uuid4(), "user_wallet", "KZT")
        developers = [uuid.uuid4() for _ in range(3)]
        self.pending = [
            await account("developer", d, "developer_payable_pending") for d in developers
        ]
        self.available = [
            await account("developer", d, "developer_payable_available") for d in developers
        ]
        self.providers = [
            await account("provider", f"test-{run}-{n}", "provider_clearing") for n in range(2)
        ]
        self.kzt_provider = await account("provider", f"test-{run}-k", "provider_clearing", "KZT")
        # The real platform revenue account is shared with everything else in the database; a
        # test-owned account without limits stands in for it so the model can predict it.
        self.revenue = await account("provider", f"test-{run}-revenue", "platform_revenue")

    def rub(self, low: int, high: int) -> Money:
        return Money(self.rng.randint(low, high), "RUB")

    def top_up(self) -> Operation:
        if self.rng.random() < 0.1:
            amount = Money(self.rng.randint(1, 10**6), "KZT")
            wallet, clearing = self.kzt_wallet, self.kzt_provider
        else:
            amount = self.rub(100_00, 15_000_00)
            wallet, clearing = self.rng.choice(self.wallets), self.rng.choice(self.providers)
        return Operation("wallet_top_up", [debit(clearing, amount), credit(wallet, amount)])

    def purchase(self) -> Operation:
        index = self.rng.randrange(len(self.pending))
        price = self.rub(1, 9_000_00)
        by_wallet = self.rng.random() < 0.6
        payer = self.rng.choice(self.wallets if by_wallet else self.providers)
        developer_share, platform_share = revenue_split(price)
        entries = [debit(payer, price), credit(self.pending[index], developer_share)]
        if platform_share.is_positive:
            entries.append(credit(self.revenue, platform_share))
        bought = Purchase(payer, self.pending[index], self.revenue, price, Money.zero("RUB"))
        return Operation("game_purchase", entries, lambda: self.purchases.append(bought))

    def refund(self) -> Operation | None:
        refundable = [p for p in self.purchases if p.refunded < p.price]
        if not refundable:
            return None
        bought = self.rng.choice(refundable)
        left = bought.price - bought.refunded
        amount = self.rub(1, left.amount_minor) if self.rng.random() < 0.5 else left
        # Reverse the revenue share in the purchase's proportion, never losing a kopeck.
        shares = [share.amount_minor for share in revenue_split(bought.price)]
        developer_part, platform_part = amount.allocate(shares)
        entries = [credit(bought.payer, amount)]
        if developer_part.is_positive:
            entries.append(debit(bought.developer, developer_part))
        if platform_part.is_positive:
            entries.append(debit(bought.revenue, platform_part))

        def remember() -> None:
            bought.refunded = bought.refunded + amount

        return Operation("refund", entries, remember)

    def transfer(self) -> Operation:
        source, target = self.rng.sample(self.wallets, 2)
        amount = self.rub(1, 20_000_00)
        return Operation("wallet_transfer", [debit(source, amount), credit(target, amount)])

    def release(self) -> Operation:
        index = self.rng.randrange(len(self.pending))
        amount = self.rub(1, 30_000_00)
        entries = [debit(self.pending[index], amount), credit(self.available[index], amount)]
        return Operation("developer_release", entries)

    def next_operation(self) -> Operation | None:
        weighted = [self.top_up] * 3 + [self.purchase] * 4 + [self.refund] * 2
        return self.rng.choice([*weighted, self.transfer, self.release])()


async def test_a_thousand_random_operations_keep_the_ledger_consistent(sessions) -> None:
    rng = random.Random(SEED)
    model = Model()
    store = Store(rng, model)
    run = uuid.uuid4().hex[:8]  # keys unique per run: the shared database keeps every run
    async with sessions.begin() as session:
        await store.open(session, run)

    history: list[tuple[str, Operation, PostedTransaction]] = []
    counts = {"posted": 0, "refused": 0, "replayed": 0}
    for number in range(OPERATIONS):
        if history and rng.random() < 0.05:
            key, earlier, first = rng.choice(history)  # a retry of an earlier request
            async with sessions.begin() as session:
                again = await post(session, key, earlier.kind, list(reversed(earlier.entries)))
            assert again.replayed and again.id == first.id
            counts["replayed"] += 1
            continue
        operation = store.next_operation()
        if operation is None:
            continue
        key = f"test-mix:{run}:{number}"
        expected_refusal = model.refuses(operation.entries)
        try:
            async with sessions.begin() as session:
                posted = await post(session, key, operation.kind, operation.entries)
        except BusinessRuleViolation as refused:
            assert expected_refusal, f"#{number} {operation.kind} refused unexpectedly"
            assert refused.code == "INSUFFICIENT_FUNDS"
            counts["refused"] += 1
            continue
        assert not expected_refusal, f"#{number} {operation.kind} should have been refused"
        assert not posted.replayed
        model.apply(operation.entries)
        operation.on_posted()
        history.append((key, operation, posted))
        counts["posted"] += 1

    # Every path was exercised, refusals and retries included.
    assert counts["posted"] > 600 and counts["refused"] > 20 and counts["replayed"] > 20, counts
    async with sessions() as session:
        columns = [
            ledger_accounts.c.id,
            ledger_accounts.c.debits_posted,
            ledger_accounts.c.credits_posted,
        ]
        rows = await session.execute(select(*columns).where(ledger_accounts.c.id.in_(model.posted)))
        assert {row.id: [row.debits_posted, row.credits_posted] for row in rows} == model.posted
        report = await check_ledger(session)
    assert report.ok, report.render()
    assert {"RUB", "KZT"} <= set(report.totals)
