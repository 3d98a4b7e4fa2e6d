"""Test helpers for money already in the ledger: a wallet funded by a direct posting (as if a
top-up had settled) and a settled game purchase, for tests that start from there; a card
payment still pending at its provider, for tests that confirm it; and what to look at after:
the entries one ledger transaction posted, the ledger check's violations."""

from __future__ import annotations

import uuid
from datetime import datetime

from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.db.ledger import account_for, post, transaction_id_for
from parovoz_payment.db.payments import SqlPayments
from parovoz_payment.domain.ledger import AccountPurpose, OwnerType, credit, debit
from parovoz_payment.domain.methods import MethodChoice, PaymentMethod, Provider
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_creation import start_payment
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose
from parovoz_payment.domain.payments import Payment
from parovoz_payment.jobs.ledger_check import check_ledger
from parovoz_payment.use_cases.payment_ledger import settle
from sqlalchemy import text


async def fund_wallet(infrastructure: Infrastructure, user_id: uuid.UUID, minor: int) -> None:
    """``minor`` kopecks into the user's RUB wallet, from YooKassa's clearing account."""
    await credit_from_clearing(
        infrastructure,
        OwnerType.USER,
        user_id,
        AccountPurpose.USER_WALLET,
        minor,
        key=f"test-top-up:{uuid.uuid4()}",
        kind="wallet_top_up",
    )


async def credit_from_clearing(
    infrastructure: Infrastructure,
    owner_type: OwnerType,
    owner_id: uuid.UUID,
    purpose: AccountPurpose,
    minor: int,
    *,
    key: str,
    kind: str,
) -> None:
    """``minor`` kopecks into the owner's RUB ``purpose`` account from YooKassa's clearing
    account, posted under ``key`` as a ``kind`` transaction."""
    amount = Money(minor, "RUB")
    async with infrastructure.session_factory.begin() as session:
        account = await account_for(session, owner_type, owner_id, purpose, "RUB")
        clearing = await account_for(
            session, OwnerType.PROVIDER, "yookassa", AccountPurpose.PROVIDER_CLEARING, "RUB"
        )
        await post(session, key, kind, [debit(clearing, amount), credit(account, amount)])


async def sell_game(
    infrastructure: Infrastructure,
    game_id: uuid.UUID,
    minor: int,
    *,
    now: datetime | None = None,
    region: str = "RU",
) -> Payment:
    """A card-paid purchase of the game, settled as ``apply_confirmed_status`` settles it (the
    revenue split included); ``now`` defaults to the infrastructure's clock."""
    now = now or infrastructure.clock.now()
    payment = start_payment(
        user_id=uuid.uuid4(),
        purpose=PaymentPurpose.GAME_PURCHASE,
        amount=Money(minor, "RUB"),
        region=region,
        now=now,
        choice=MethodChoice(PaymentMethod.BANK_CARD),
        game_id=game_id,
    ).assign_provider(Provider.YOOKASSA, f"test-{uuid.uuid4()}", now)
    payment = payment.succeed(now)
    async with infrastructure.session_factory.begin() as session:
        await SqlPayments(session).add(payment)
        await settle(session, payment, payment.provider)
    return payment


async def pending_at_provider(
    infrastructure: Infrastructure,
    purpose: PaymentPurpose,
    minor: int,
    *,
    provider: Provider = Provider.YOOKASSA,
    provider_id: str | None = None,
    save_method: bool = False,
    game_id: uuid.UUID | None = None,
) -> tuple[uuid.UUID, uuid.UUID, str]:
    """A pending card payment already at ``provider``, as create_payment leaves it: (payment
    id, payer, the provider's payment id)."""
    user_id, provider_id = uuid.uuid4(), provider_id or f"test-{uuid.uuid4()}"
    now = infrastructure.clock.now()
    payment = start_payment(
        user_id=user_id,
        purpose=purpose,
        amount=Money(minor, "RUB"),
        region="RU",
        now=now,
        choice=MethodChoice(PaymentMethod.BANK_CARD),
        save_method=save_method,
        game_id=game_id,
    ).assign_provider(provider, provider_id, now)
    async with infrastructure.session_factory.begin() as session:
        await SqlPayments(session).add(payment)
    return payment.id, user_id, provider_id


async def posted(infrastructure: Infrastructure, key: str) -> list[tuple[str, str, str, int]]:
    """(owner type, purpose, direction, amount) of the ledger transaction ``key`` posted."""
    async with infrastructure.session_factory() as session:
        rows = await session.execute(
            text(
                "SELECT a.owner_type, a.purpose, e.direction, e.amount FROM ledger_entries e "
                "JOIN ledger_accounts a ON a.id = e.account_id WHERE e.transaction_id = :id "
                "ORDER BY a.purpose, e.direction"
            ),
            {"id": transaction_id_for(key)},
        )
        return [tuple(row) for row in rows]


async def net_credits(
    infrastructure: Infrastructure, reference: object, kind: str | None = None
) -> dict[str, int]:
    """Net credits (credit - debit) per account purpose of the postings referring to
    ``reference`` (only those of ``kind`` when given)."""
    query = (
        "SELECT a.purpose, sum(CASE e.direction WHEN 'credit' THEN e.amount"
        " ELSE -e.amount END) FROM ledger_transactions t"
        " JOIN ledger_entries e ON e.transaction_id = t.id"
        " JOIN ledger_accounts a ON a.id = e.account_id"
        " WHERE t.reference = :ref AND (CAST(:kind AS text) IS NULL OR t.kind = :kind)"
        " GROUP BY a.purpose"
    )
    async with infrastructure.session_factory() as session:
        rows = await session.execute(text(query), {"ref": str(reference), "kind": kind})
        return {purpose: int(net) for purpose, net in rows}


async def ledger_violations(infrastructure: Infrastructure) -> list[object]:
    async with infrastructure.session_factory() as session:
        return list((await check_ledger(session)).violations)
