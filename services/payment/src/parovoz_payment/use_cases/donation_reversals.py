"""A donation refunded, fully or partly: the streamer's share and the platform's commission give
back in the donation's proportion, exact to the kopeck (``domain.donations.take_back_donation``).

The streamer's part comes from their balance as far as it still holds it; what already left
(set aside for a payout, paid out) becomes ``streamer_receivable`` -- the streamer's debt,
repaid from their next donations before anything reaches the balance
(``use_cases.donations.donation_credits``). So a refund always posts, balanced, and the
platform never pays a streamer's share twice.

Runs in the caller's transaction (holding the payment row), like the settlement's side.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db.donations import lock_streamer_balances
from parovoz_payment.db.ledger import account_for, entries_of, find_account
from parovoz_payment.domain.donations import take_back_donation
from parovoz_payment.domain.ledger import (
    AccountKey,
    AccountPurpose,
    Direction,
    Entry,
    OwnerType,
    debit,
    transaction_id_for,
)
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payments import Payment
from parovoz_payment.use_cases.donations import donation_of


async def donation_reversal_debits(
    session: AsyncSession, payment: Payment, amount: Money, reversal_key: str
) -> list[Entry] | None:
    """The debits taking ``amount`` of a donation back (the caller adds the credits: the card,
    the wallet); None for any other payment, or a donation that settled as all revenue.
    ``payment.refunded_amount`` is what was refunded before this reversal."""
    donation = await donation_of(session, payment)
    if donation is None:
        return None
    currency = payment.currency
    earlier = transaction_id_for(reversal_key)
    posted = [e for e in await entries_of(session, earlier) if e.direction is Direction.DEBIT]
    if posted:  # posted before: the same debits, so the posting replays
        return posted
    share = await _streamer_share(session, payment, donation.streamer_id)
    if share is None:
        return None
    owed, balance = await lock_streamer_balances(session, donation.streamer_id, currency)
    taken = take_back_donation(
        share, payment.captured_amount, payment.refunded_amount, amount, balance.credit_balance
    )
    entries = []
    if taken.from_balance.is_positive:
        entries.append(debit(balance, taken.from_balance))
    if taken.owed.is_positive:
        entries.append(debit(owed, taken.owed))
    if taken.commission.is_positive:
        revenue = await account_for(
            session, OwnerType.PLATFORM, None, AccountPurpose.PLATFORM_REVENUE, currency
        )
        entries.append(debit(revenue, taken.commission))
    return entries


async def _streamer_share(
    session: AsyncSession, payment: Payment, streamer_id: uuid.UUID
) -> Money | None:
    """What the settlement credited the streamer (their balance, plus any debt it repaid): read
    from the posting, so a commission changed since does not change the split."""
    settlement = await entries_of(session, transaction_id_for(f"payment:{payment.id}:succeeded"))
    ids = set()
    for purpose in (AccountPurpose.STREAMER_BALANCE, AccountPurpose.STREAMER_RECEIVABLE):
        key = AccountKey.of(OwnerType.STREAMER, streamer_id, purpose, payment.currency)
        account = await find_account(session, key)
        if account is not None:
            ids.add(account.id)
    if not settlement:
        return None
    minor = sum(
        e.money.amount_minor
        for e in settlement
        if e.direction is Direction.CREDIT and e.account_id in ids
    )
    return Money(minor, payment.currency)


__all__ = ["donation_reversal_debits"]
