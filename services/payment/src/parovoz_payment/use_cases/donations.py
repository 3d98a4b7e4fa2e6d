"""Donations: create one (a ``donation`` payment through the ordinary creation use case) and
what it credits when that payment settles (the streamer's balance and the commission)."""

from __future__ import annotations

import uuid

from parovoz_kit.uow import UnitOfWorkFactory
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db.donations import SqlDonations, lock_streamer_balances
from parovoz_payment.db.ledger import account_for, find_account
from parovoz_payment.domain.donations import (
    DONATION_CURRENCY,
    REFERENCE_PREFIX,
    Donation,
    repay_owed,
    split_donation,
)
from parovoz_payment.domain.ledger import AccountKey, AccountPurpose, Entry, OwnerType, credit
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose
from parovoz_payment.domain.payments import Payment
from parovoz_payment.domain.references import id_from_reference
from parovoz_payment.settings import process_settings


async def record_donation(unit_of_work: UnitOfWorkFactory, donation: Donation) -> None:
    """The donor's intent, stored before its payment exists: a wallet-only payment settles
    inside the creation use case and must find it."""
    async with unit_of_work() as uow:
        await SqlDonations(uow.session).add(donation)
        await uow.commit()


async def donation_credits(
    session: AsyncSession, payment: Payment, commission_bp: int | None = None
) -> list[Entry] | None:
    """The credits of a settled donation payment: the streamer's balance gets the amount less
    the commission (less what repays a debt the streamer owes from an earlier refund: that
    credits their receivable), platform revenue the commission. None for any other payment
    (and for a ``donation`` payment made without a donation row: all platform revenue)."""
    donation = await donation_of(session, payment)
    if donation is None:
        return None
    bp = process_settings().donation_commission_bp if commission_bp is None else commission_bp
    split = split_donation(payment.captured_amount, bp)
    currency = payment.currency
    entries: list[Entry] = []
    if split.streamer.is_positive:
        owed, balance = await lock_streamer_balances(session, donation.streamer_id, currency)
        repays, to_balance = repay_owed(split.streamer, owed.debit_balance)
        if repays.is_positive:
            entries.append(credit(owed, repays))
        if to_balance.is_positive:
            entries.append(credit(balance, to_balance))
    if split.commission.is_positive:
        revenue = await account_for(
            session, OwnerType.PLATFORM, None, AccountPurpose.PLATFORM_REVENUE, currency
        )
        entries.append(credit(revenue, split.commission))
    return entries


async def donation_of(session: AsyncSession, payment: Payment) -> Donation | None:
    """The donation a ``donation`` payment pays (its payer's own), or None."""
    if payment.purpose is not PaymentPurpose.DONATION:
        return None
    donation_id = id_from_reference(payment.reference, REFERENCE_PREFIX)
    donation = None if donation_id is None else await SqlDonations(session).get(donation_id)
    if donation is None or donation.user_id != payment.user_id:
        return None
    return donation


async def streamer_balance(session: AsyncSession, streamer_id: uuid.UUID) -> Money:
    """What the platform owes the streamer (a read never creates an account)."""
    key = AccountKey.of(
        OwnerType.STREAMER, streamer_id, AccountPurpose.STREAMER_BALANCE, DONATION_CURRENCY
    )
    account = await find_account(session, key)
    return Money.zero(DONATION_CURRENCY) if account is None else account.credit_balance


__all__ = ["donation_credits", "donation_of", "record_donation", "streamer_balance"]
