"""What a chargeback does to the ledger (the caller's transaction, holding the payment row).

Opened -- the acquirer takes the disputed amount back, so it leaves provider clearing
(``credit``), and what the payment paid for gives it back:

- a game sale: the developer's and the platform's shares in the sale's proportion, exactly as
  a refund (``sale_reversals``; after the funds' release the developer's part may become
  ``developer_receivable``, netted against their next released sales). A dispute larger than
  what the sale still holds (already refunded) costs the platform the rest, in its own posting
  so the sale's reversal posting stays exactly the reversal;
- a wallet top-up: the wallet gives back what it still holds, the rest is the user's debt
  (``user_receivable``). The wallet is locked only while the dispute is open; the debt does
  not block spending after it: it is netted against the money next reaching the wallet (a
  top-up settling, a refund to the wallet), which repays it first (``use_cases.user_debts``);
- anything else (subscriptions, fees, donations, gift cards): platform revenue.

Won -- the acquirer returns the money (``debit`` clearing) and every part goes back where it
came from; a developer's part is re-recorded as a released share: it first repays what they
owe, the rest is available at once (the sale row keeps the reversal; the dispute's own row says
it was won). A top-up's debt is cancelled only as far as the user still owes it: what they
repaid meanwhile goes back to the wallet with what the wallet gave (the debt never existed;
``debt_repaid_minor`` in the posting's metadata). Lost -- nothing moves: the reversal stays.

Keys ``chargeback:{id}:opened`` (``:excess``) and ``chargeback:{id}:won``, reference = the
dispute's id, kinds ``chargeback`` / ``chargeback_won``: each posts once.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db import sales as sales_db
from parovoz_payment.db.ledger import account_for, locked_account, post
from parovoz_payment.domain.chargebacks import Chargeback, take_back_top_up
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
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose
from parovoz_payment.domain.payments import Payment
from parovoz_payment.domain.revenue_share import release_share
from parovoz_payment.domain.user_debts import won_top_up
from parovoz_payment.use_cases.sale_reversals import sale_reversal_debits
from parovoz_payment.use_cases.sales import is_sale, sale_event, stage_sale_event
from parovoz_payment.use_cases.user_debts import user_debt

#: Ledger transaction kinds (the developer's ledger shows both as chargebacks).
OPENED_KIND = "chargeback"
WON_KIND = "chargeback_won"


def opened_key(chargeback: Chargeback) -> str:
    return f"chargeback:{chargeback.id}:opened"


async def _clearing(session: AsyncSession, chargeback: Chargeback) -> Account:
    return await account_for(
        session,
        OwnerType.PROVIDER,
        chargeback.provider.value,
        AccountPurpose.PROVIDER_CLEARING,
        chargeback.amount.currency,
    )


async def _revenue(session: AsyncSession, currency: str) -> Account:
    return await account_for(
        session, OwnerType.PLATFORM, None, AccountPurpose.PLATFORM_REVENUE, currency
    )


async def _locked_wallet(session: AsyncSession, payment: Payment) -> tuple[Account, Money]:
    """The user's wallet and its balance as of its row lock (the settlement's lock, so a
    concurrent spend queues behind the dispute)."""
    wallet = await locked_account(
        session, OwnerType.USER, payment.user_id, AccountPurpose.USER_WALLET, payment.currency
    )
    return wallet, wallet.credit_balance


async def post_opening(
    session: AsyncSession, payment: Payment, chargeback: Chargeback, now: datetime
) -> Chargeback:
    """The dispute's opening postings; a top-up's dispute comes back with its wallet parts."""
    amount, key = chargeback.amount, opened_key(chargeback)
    clearing = await _clearing(session, chargeback)
    reference, metadata = str(chargeback.id), _metadata(payment, chargeback)
    if payment.purpose is PaymentPurpose.WALLET_TOP_UP:
        wallet, balance = await _locked_wallet(session, payment)
        taken = take_back_top_up(amount, balance)
        entries = [credit(clearing, amount)]
        if taken.from_wallet.is_positive:
            entries.append(debit(wallet, taken.from_wallet))
        if taken.owed.is_positive:
            receivable = await account_for(
                session,
                OwnerType.USER,
                payment.user_id,
                AccountPurpose.USER_RECEIVABLE,
                amount.currency,
            )
            entries.append(debit(receivable, taken.owed))
        await post(session, key, OPENED_KIND, entries, reference=reference, metadata=metadata)
        return replace(chargeback, wallet_debited=taken.from_wallet, user_owed=taken.owed)
    from_sale = Money.zero(amount.currency)
    sale = (
        await sales_db.get_sale(session, payment.id, for_update=True) if is_sale(payment) else None
    )
    if sale is not None:
        from_sale = min(amount, sale.split.gross - sale.reversed.gross)
    if from_sale.is_positive:
        reversal = await sale_reversal_debits(
            session, payment, from_sale, key, now, kind=OPENED_KIND
        )
        assert reversal is not None  # the sale row exists
        posted = await post(
            session,
            key,
            OPENED_KIND,
            [credit(clearing, from_sale), *reversal.entries],
            reference=reference,
            metadata={**reversal.metadata, "chargeback_id": reference},
        )
        await reversal.recorded(posted)  # the reversal row, the game's gross, the sale event
        key = f"{key}:excess"
    rest = amount - from_sale
    if rest.is_positive:
        entries = [credit(clearing, rest), debit(await _revenue(session, rest.currency), rest)]
        await post(session, key, OPENED_KIND, entries, reference=reference, metadata=metadata)
    return chargeback


async def post_won(
    session: AsyncSession, payment: Payment, chargeback: Chargeback, now: datetime
) -> None:
    """The money came back: every part of the opening goes back where it came from."""
    amount, currency = chargeback.amount, chargeback.amount.currency
    entries: list[Entry] = [debit(await _clearing(session, chargeback), amount)]
    metadata = _metadata(payment, chargeback)
    to_revenue = amount
    restored = None
    if chargeback.wallet_debited is not None and chargeback.user_owed is not None:
        wallet, _ = await _locked_wallet(session, payment)
        receivable, still_owed = await user_debt(session, payment.user_id, currency)
        back = won_top_up(chargeback.wallet_debited, chargeback.user_owed, still_owed)
        if back.to_wallet.is_positive:
            entries.append(credit(wallet, back.to_wallet))
        if back.cancels_debt.is_positive:
            assert receivable is not None  # something is still owed
            entries.append(credit(receivable, back.cancels_debt))
        metadata["debt_repaid_minor"] = (chargeback.user_owed - back.cancels_debt).amount_minor
        to_revenue = Money.zero(currency)
    elif found := await sales_db.get_reversal(session, transaction_id_for(opened_key(chargeback))):
        reversal, _ = found
        sale = await sales_db.get_sale(session, payment.id, for_update=True)
        assert sale is not None  # a reversal has its sale
        # Released at once: what the developer owes is repaid first (funds_release's rule).
        debt, _ = await sales_db.lock_developer_balances(session, sale.developer_id, currency)
        back = release_share(reversal.developer, debt.debit_balance)
        for purpose, part in (
            (AccountPurpose.DEVELOPER_RECEIVABLE, back.repays_debt),
            (AccountPurpose.DEVELOPER_PAYABLE_AVAILABLE, back.to_available),
        ):
            if part.is_positive:
                account = await account_for(
                    session, OwnerType.DEVELOPER, sale.developer_id, purpose, currency
                )
                entries.append(credit(account, part))
        to_revenue = amount - reversal.developer
        metadata |= {
            "game_id": str(sale.game_id),
            "developer_id": str(sale.developer_id),
            "region": sale.region,
            "gross_amount_minor": reversal.gross.amount_minor,
            "platform_fee_amount_minor": reversal.platform.amount_minor,
        }
        restored = (sale, reversal)
    if to_revenue.is_positive:
        entries.append(credit(await _revenue(session, currency), to_revenue))
    posted = await post(
        session,
        f"chargeback:{chargeback.id}:won",
        WON_KIND,
        entries,
        reference=str(chargeback.id),
        metadata=metadata,
    )
    if restored is not None and not posted.replayed:
        sale, reversal = restored
        # The sale stands again: recorded to the developer as a purchase of the disputed part.
        event = sale_event(sale, posted.id, reversal, now)
        await stage_sale_event(session, event, now)


def _metadata(payment: Payment, chargeback: Chargeback) -> dict[str, object]:
    return {"payment_id": str(payment.id), "chargeback_id": str(chargeback.id)}
