"""Collecting what a user owes after a disputed top-up (``domain.user_debts``), in the caller's
transaction and posting.

While a user owes, spending is NOT blocked: their wallet is locked only while a dispute is
open (``db.chargebacks.has_open_dispute``); once it is lost, the debt is netted against the
money that next reaches the wallet -- a top-up settling (``payment_ledger``) or a refund to the
wallet (``refund_postings``) -- whose posting credits ``user_receivable`` first and the wallet
only with the rest. The ledger check tells these repayments by their postings' kinds,
``wallet_top_up`` and ``refund`` (``jobs/chargeback_checks.py``): a new way of repaying needs
its kind added there.

Lock order: the caller holds the user's wallet row (``locked_account``), then the receivable
is locked here; every posting that moves a user's receivable (a dispute's opening and outcome,
a repayment) takes the wallet first, so they queue one behind the other and never deadlock.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db.ledger import find_account, locked_account
from parovoz_payment.domain.ledger import (
    Account,
    AccountKey,
    AccountPurpose,
    Entry,
    OwnerType,
    credit,
)
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.user_debts import repay_first


async def user_debt(
    session: AsyncSession, user_id: uuid.UUID, currency: str
) -> tuple[Account | None, Money]:
    """The user's receivable, locked and read as of the lock, and what they owe; no account
    (and nothing owed) when they never owed (none is created for them)."""
    key = AccountKey.of(OwnerType.USER, user_id, AccountPurpose.USER_RECEIVABLE, currency)
    if await find_account(session, key) is None:
        return None, Money.zero(currency)
    receivable = await locked_account(
        session, OwnerType.USER, user_id, AccountPurpose.USER_RECEIVABLE, currency
    )
    return receivable, receivable.debit_balance


async def repay_debt_first(
    session: AsyncSession, user_id: uuid.UUID, amount: Money
) -> tuple[list[Entry], Money]:
    """``amount`` is coming into the user's wallet (its row locked by the caller): the entry
    repaying their debt out of it (none when they owe nothing) and what is left for the
    wallet."""
    receivable, owed = await user_debt(session, user_id, amount.currency)
    repayment = repay_first(amount, owed)
    if receivable is None or not repayment.repays_debt.is_positive:
        return [], amount
    return [credit(receivable, repayment.repays_debt)], repayment.to_wallet
