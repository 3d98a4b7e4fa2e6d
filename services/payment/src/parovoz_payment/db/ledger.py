"""The posting engine: writes ledger transactions inside the caller's database transaction.

Usage (inside a unit of work; the caller commits)::

    wallet = await account_for(session, OwnerType.USER, user_id, AccountPurpose.USER_WALLET, "RUB")
    clearing = await account_for(session, OwnerType.PROVIDER, "yookassa",
                                 AccountPurpose.PROVIDER_CLEARING, "RUB")
    await post(session, f"top-up:{payment_id}", "wallet_top_up",
               [debit(clearing, amount), credit(wallet, amount)], reference=str(payment_id))

Concurrency: the touched accounts are locked with ``SELECT ... ORDER BY id FOR UPDATE`` (one
order for everybody, so two postings never deadlock on each other), limits are checked on the
locked balances, then balances and entries are written. Two requests with the same key
serialise on the same account locks (or on the transaction row), so a retry posts once.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from parovoz_kit.errors import BusinessRuleViolation, Conflict, NotFound, ValidationFailed
from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db.ledger_tables import ledger_accounts, ledger_entries, ledger_transactions
from parovoz_payment.domain.ledger import (
    Account,
    AccountKey,
    AccountPurpose,
    BalanceLimit,
    Direction,
    Entry,
    OwnerType,
    apply_entries,
    request_digest,
    transaction_id_for,
    validate_entries,
)
from parovoz_payment.domain.money import Money


@dataclass(frozen=True, slots=True)
class PostedTransaction:
    id: uuid.UUID
    kind: str
    reference: str | None
    created_at: datetime
    #: True when the key had already posted this same request: nothing was written this time.
    replayed: bool


async def account_for(
    session: AsyncSession,
    owner_type: OwnerType | str,
    owner_id: uuid.UUID | str | None,
    purpose: AccountPurpose | str,
    currency: str,
) -> Account:
    """The account of this owner, purpose and currency, created on first use."""
    key = AccountKey.of(owner_type, owner_id, purpose, currency)
    found = await find_account(session, key)
    if found is not None:
        return found
    limit = key.purpose.limit
    # Two first uses may race: the loser's insert does nothing and both read the winner's row.
    await session.execute(
        insert(ledger_accounts)
        .values(
            id=uuid.uuid4(),
            owner_type=key.owner_type.value,
            owner_id=key.owner_id,
            purpose=key.purpose.value,
            currency=key.currency,
            debits_must_not_exceed_credits=limit is BalanceLimit.DEBITS_MUST_NOT_EXCEED_CREDITS,
            credits_must_not_exceed_debits=limit is BalanceLimit.CREDITS_MUST_NOT_EXCEED_DEBITS,
        )
        .on_conflict_do_nothing(constraint="uq_ledger_accounts_owner_type")
    )
    created = await find_account(session, key)
    assert created is not None  # inserted above or by the racing winner
    return created


async def locked_account(
    session: AsyncSession,
    owner_type: OwnerType | str,
    owner_id: uuid.UUID | str | None,
    purpose: AccountPurpose | str,
    currency: str,
) -> Account:
    """The account (created on first use) with its row locked until the caller commits, read
    as of the lock: a move that depends on its balance queues behind any other such move."""
    account = await account_for(session, owner_type, owner_id, purpose, currency)
    await session.execute(
        select(ledger_accounts.c.id).where(ledger_accounts.c.id == account.id).with_for_update()
    )
    locked = await find_account(session, account.key)  # re-read: as of the lock
    assert locked is not None
    return locked


async def get_account(session: AsyncSession, account_id: uuid.UUID) -> Account:
    row = (
        await session.execute(select(ledger_accounts).where(ledger_accounts.c.id == account_id))
    ).first()
    if row is None:
        raise NotFound(
            f"ledger account {account_id} does not exist", code="LEDGER_ACCOUNT_NOT_FOUND"
        )
    return _account(row)


async def post(
    session: AsyncSession,
    key: str,
    kind: str,
    entries: Iterable[Entry],
    reference: str | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> PostedTransaction:
    """Post one balanced transaction, at most once per ``key``, in the caller's transaction.

    Same key + same request (kind, reference, entries) → the existing transaction
    (``replayed=True``); same key + another request → ``Conflict`` ``LEDGER_KEY_REUSED``.
    A limit that would break → ``BusinessRuleViolation`` (``INSUFFICIENT_FUNDS`` for a wallet)
    and nothing is written (the caller's transaction stays usable).
    """
    entries = list(entries)
    if not kind or len(kind) > 48:
        raise ValidationFailed("a ledger kind has 1 to 48 characters", code="LEDGER_INVALID_KIND")
    validate_entries(entries)
    transaction_id = transaction_id_for(key)
    digest = request_digest(kind, reference, entries)

    locked = await _lock_accounts(session, {entry.account_id for entry in entries})
    try:
        after = apply_entries(locked, entries)
    except (BusinessRuleViolation, ValidationFailed):
        # A replay must be answered even when today's balances would refuse the request.
        existing = await _existing(session, transaction_id, digest)
        if existing is not None:
            return existing
        raise

    before = {account.id: account for account in locked}
    changed = [
        account
        for account in after
        if (account.debits_posted, account.credits_posted)
        != (before[account.id].debits_posted, before[account.id].credits_posted)
    ]
    # One round trip writes the transaction row, the balances and the entries -- or nothing,
    # when the key already has a transaction (ON CONFLICT: the others depend on its RETURNING).
    created_at = (
        await session.execute(
            _WRITE_TRANSACTION,
            {
                "id": transaction_id,
                "key": key,
                "digest": digest,
                "kind": kind,
                "reference": reference,
                "metadata": json.dumps(dict(metadata or {}), default=str),
                "account_ids": [account.id for account in changed],
                "debits": [a.debits_posted - before[a.id].debits_posted for a in changed],
                "credits": [a.credits_posted - before[a.id].credits_posted for a in changed],
                "entry_accounts": [entry.account_id for entry in entries],
                "directions": [entry.direction.value for entry in entries],
                "amounts": [entry.money.amount_minor for entry in entries],
                "currencies": [entry.money.currency for entry in entries],
            },
        )
    ).scalar_one_or_none()
    if created_at is None:
        existing = await _existing(session, transaction_id, digest)
        assert existing is not None  # the conflicting row is committed and visible now
        return existing
    return PostedTransaction(transaction_id, kind, reference, created_at, replayed=False)


async def entries_of(session: AsyncSession, transaction_id: uuid.UUID) -> list[Entry]:
    """A posted transaction's entries, in the order they were posted (e.g. to reverse them)."""
    rows = await session.execute(
        select(ledger_entries)
        .where(ledger_entries.c.transaction_id == transaction_id)
        .order_by(ledger_entries.c.id)
    )
    return [
        Entry(row.account_id, Direction(row.direction), Money(row.amount, row.currency))
        for row in rows
    ]


# Balances move by increments rather than being set from the values read under the lock, so
# they stay right even for a caller that bypassed the locks.
_WRITE_TRANSACTION = text(
    """
    WITH new_transaction AS (
        INSERT INTO ledger_transactions
            (id, idempotency_key, request_digest, kind, reference, metadata)
        VALUES (:id, :key, :digest, :kind, :reference, CAST(:metadata AS jsonb))
        ON CONFLICT (id) DO NOTHING
        RETURNING id, created_at
    ), balances AS (
        UPDATE ledger_accounts AS account
        SET debits_posted = account.debits_posted + delta.debits,
            credits_posted = account.credits_posted + delta.credits
        FROM new_transaction,
             unnest(CAST(:account_ids AS uuid[]), CAST(:debits AS bigint[]),
                    CAST(:credits AS bigint[])) AS delta(id, debits, credits)
        WHERE account.id = delta.id
    ), entries AS (
        INSERT INTO ledger_entries (transaction_id, account_id, direction, amount, currency)
        SELECT new_transaction.id, entry.account_id, entry.direction, entry.amount,
               entry.currency
        FROM new_transaction,
             unnest(CAST(:entry_accounts AS uuid[]), CAST(:directions AS text[]),
                    CAST(:amounts AS bigint[]), CAST(:currencies AS text[]))
                 WITH ORDINALITY AS entry(account_id, direction, amount, currency, position)
        ORDER BY entry.position
    )
    SELECT created_at FROM new_transaction
    """
)


async def _lock_accounts(session: AsyncSession, ids: set[uuid.UUID]) -> list[Account]:
    rows = await session.execute(
        select(ledger_accounts)
        .where(ledger_accounts.c.id.in_(ids))
        .order_by(ledger_accounts.c.id)
        .with_for_update()
    )
    return [_account(row) for row in rows]


async def _existing(
    session: AsyncSession, transaction_id: uuid.UUID, digest: str
) -> PostedTransaction | None:
    row = (
        await session.execute(
            select(ledger_transactions).where(ledger_transactions.c.id == transaction_id)
        )
    ).first()
    if row is None:
        return None
    if row.request_digest != digest:
        raise Conflict(
            "this idempotency key already posted a different ledger transaction",
            code="LEDGER_KEY_REUSED",
        )
    return PostedTransaction(row.id, row.kind, row.reference, row.created_at, replayed=True)


async def find_account(session: AsyncSession, key: AccountKey) -> Account | None:
    owner = (
        ledger_accounts.c.owner_id.is_(None)
        if key.owner_id is None
        else ledger_accounts.c.owner_id == key.owner_id
    )
    row = (
        await session.execute(
            select(ledger_accounts).where(
                ledger_accounts.c.owner_type == key.owner_type.value,
                owner,
                ledger_accounts.c.purpose == key.purpose.value,
                ledger_accounts.c.currency == key.currency,
            )
        )
    ).first()
    return None if row is None else _account(row)


def _account(row: Row[Any]) -> Account:
    if row.debits_must_not_exceed_credits:
        limit = BalanceLimit.DEBITS_MUST_NOT_EXCEED_CREDITS
    elif row.credits_must_not_exceed_debits:
        limit = BalanceLimit.CREDITS_MUST_NOT_EXCEED_DEBITS
    else:
        limit = BalanceLimit.NONE
    key = AccountKey(
        OwnerType(row.owner_type), row.owner_id, AccountPurpose(row.purpose), row.currency
    )
    return Account(row.id, key, limit, row.debits_posted, row.credits_posted)


async def transaction_exists(session: AsyncSession, idempotency_key: str) -> bool:
    """Whether the key has posted (its id derives from the key, so this is one index probe)."""
    query = select(ledger_transactions.c.id).where(
        ledger_transactions.c.id == transaction_id_for(idempotency_key)
    )
    return (await session.execute(query)).first() is not None
