"""A preorder's money in the ledger: an advance until the release, a sale after it.

- Settling a preorder payment (``payment_ledger.settle``) credits the user's
  ``preorder_advance`` (a liability: the platform owes the game or the money back) instead of
  revenue, and tells the preorder (:func:`preorder_payment_settled`, same transaction).
- Once the game is released and the whole price is paid, every payment of the preorder is
  recognised (:func:`recognise_preorder`): one posting per payment, keyed
  ``preorder:<payment id>:recognised`` (kind ``preorder_sale``), debits the advance and
  credits the revenue share exactly as a game purchase's settlement does
  (``use_cases.sales.sale_credits``: the developer's pending payable, platform revenue, the
  ``game_sales`` row and ``payment.sale.recorded.v1``). A partial preorder is two sales (the
  prepayment and the remainder, each of its own payment); their grosses add up to the price.
  The sale's date, and so the start of the developer's hold, is the recognition (the release),
  not the prepayment.
- A refund of a preorder payment gives back from the advance while it is unrecognised
  (:func:`preorder_refund_source`), else like a game sale (``refund_postings``).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db.ledger import account_for, post
from parovoz_payment.db.ledger_tables import ledger_transactions
from parovoz_payment.db.payments import SqlPayments
from parovoz_payment.db.preorders import SqlGameReleases, SqlPreorders
from parovoz_payment.domain.ledger import (
    Account,
    AccountPurpose,
    Entry,
    OwnerType,
    credit,
    debit,
    transaction_id_for,
)
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payments import Payment
from parovoz_payment.domain.preorders import (
    PART_METADATA,
    PREPAYMENT_PART,
    REMAINDER_PART,
    Preorder,
    PreorderStatus,
    PrepaymentKind,
)
from parovoz_payment.use_cases.receipts import store_preorder_release_receipt
from parovoz_payment.use_cases.sales import sale_credits

log = logging.getLogger(__name__)

RECOGNITION_KIND = "preorder_sale"
PART, PREPAYMENT, REMAINDER = PART_METADATA, PREPAYMENT_PART, REMAINDER_PART


def recognition_key(payment_id: uuid.UUID) -> str:
    return f"preorder:{payment_id}:recognised"


async def advance_account(session: AsyncSession, payment: Payment) -> Account:
    return await account_for(
        session, OwnerType.USER, payment.user_id, AccountPurpose.PREORDER_ADVANCE, payment.currency
    )


async def advance_credit(session: AsyncSession, payment: Payment) -> Entry:
    """The settlement's credit of a preorder payment: the user's advance."""
    return credit(await advance_account(session, payment), payment.captured_amount)


async def is_recognised(session: AsyncSession, payment_id: uuid.UUID) -> bool:
    query = select(ledger_transactions.c.id).where(
        ledger_transactions.c.id == transaction_id_for(recognition_key(payment_id))
    )
    return (await session.execute(query)).first() is not None


async def preorder_refund_source(session: AsyncSession, payment: Payment) -> Account:
    """What a refund of a preorder payment debits when the payment has no sale: the advance
    before the release, platform revenue after it (a game nobody claimed settled there)."""
    if await is_recognised(session, payment.id):
        return await account_for(
            session, OwnerType.PLATFORM, None, AccountPurpose.PLATFORM_REVENUE, payment.currency
        )
    return await advance_account(session, payment)


def preorder_id_of(payment: Payment) -> uuid.UUID | None:
    try:
        return uuid.UUID(payment.reference or "")
    except ValueError:
        return None


async def preorder_payment_settled(session: AsyncSession, payment: Payment, now: datetime) -> None:
    """The preorder learns that one of its payments took the money (in the settlement's
    transaction, after its posting). The prepayment makes it ``prepaid`` (completed at once
    when it is the whole price of an already released game); the remainder completes it. A
    payment arriving after a cancellation is owed back (``refund_due``)."""
    preorder_id = preorder_id_of(payment)
    preorders = SqlPreorders(session)
    preorder = await preorders.get(preorder_id, for_update=True) if preorder_id else None
    if preorder is None:
        log.error("preorder payment %s names no preorder", payment.id)
        return
    if payment.metadata.get(PART) == REMAINDER:
        if (
            preorder.status is PreorderStatus.CHARGING_REMAINDER
            and preorder.remainder_payment_id == payment.id
        ):
            completed = preorder.complete(now)
            await preorders.save(completed)
            await recognise_preorder(session, completed, now)
        elif preorder.status is PreorderStatus.CANCELLED:
            await preorders.save(replace(preorder, refund_due=True, updated_at=now))
        else:
            log.error("remainder %s of preorder %s is not its current one", payment.id, preorder.id)
        return
    updated = preorder.prepaid(payment.id, payment.saved_method_id, now)
    released = await SqlGameReleases(session).released_at(preorder.game_id)
    if (
        updated.status is PreorderStatus.PREPAID
        and updated.kind is PrepaymentKind.FULL
        and released is not None
    ):
        updated = updated.complete(now)
        await preorders.save(updated)
        await recognise_preorder(session, updated, now)
        return
    if updated is not preorder:
        await preorders.save(updated)


async def recognise_preorder(session: AsyncSession, preorder: Preorder, now: datetime) -> None:
    """Every payment of the completed preorder becomes a sale (see the module's doc); keyed
    per payment, so a second call posts nothing new."""
    payments = SqlPayments(session)
    for payment_id in await SqlPreorders(session).succeeded_payment_ids(preorder.id):
        stored = await payments.get(payment_id)
        assert stored is not None
        payment = stored.payment
        amount = payment.captured_amount - payment.refunded_amount
        if not amount.is_positive:
            continue
        key = recognition_key(payment.id)
        # The sale is what is left of the payment, dated at the recognition.
        sold = replace(
            payment,
            captured_amount=amount,
            refunded_amount=Money.zero(amount.currency),
            succeeded_at=now,
        )
        entries = [debit(await advance_account(session, payment), amount)]
        sale = await sale_credits(session, sold, key)
        if sale is not None:
            entries.extend(sale.entries)
        else:
            revenue = await account_for(
                session, OwnerType.PLATFORM, None, AccountPurpose.PLATFORM_REVENUE, amount.currency
            )
            entries.append(credit(revenue, amount))
        metadata = {"preorder_id": str(preorder.id), **(sale.metadata if sale else {})}
        posted = await post(
            session, key, RECOGNITION_KIND, entries, reference=str(payment.id), metadata=metadata
        )
        if sale is not None:
            await sale.recorded(posted)
    if preorder.kind is PrepaymentKind.FULL:
        # 54-FZ: the game is handed over against the advance: its full_payment receipt.
        await store_preorder_release_receipt(session, preorder, now)
