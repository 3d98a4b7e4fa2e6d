"""The wallet part of a split payment (wallet + card) is held when the payment is created, so
the card can never be charged for an order the wallet can no longer pay: the money moves from
the user's wallet to their wallet hold (the wallet's limit refuses an overdraw), then the
settlement takes it from the hold, or a cancellation gives it back. Each movement is keyed by
the payment, so it happens once whoever calls it twice."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db.ledger import account_for, post, transaction_exists
from parovoz_payment.domain.ledger import Account, AccountPurpose, OwnerType, credit, debit
from parovoz_payment.domain.payments import Payment


def _hold_key(payment: Payment) -> str:
    return f"payment:{payment.id}:wallet-hold"


def _release_key(payment: Payment) -> str:
    return f"payment:{payment.id}:wallet-release"


async def _accounts(session: AsyncSession, payment: Payment) -> tuple[Account, Account]:
    currency = payment.currency
    wallet = await account_for(
        session, OwnerType.USER, payment.user_id, AccountPurpose.USER_WALLET, currency
    )
    hold = await account_for(
        session, OwnerType.USER, payment.user_id, AccountPurpose.USER_WALLET_HOLD, currency
    )
    return wallet, hold


async def hold_wallet_part(session: AsyncSession, payment: Payment) -> None:
    """At creation of a payment the provider still has to confirm."""
    if not payment.wallet_amount.is_positive:
        return
    wallet, hold = await _accounts(session, payment)
    amount = payment.wallet_amount
    await post(
        session,
        _hold_key(payment),
        "wallet_hold",
        [debit(wallet, amount), credit(hold, amount)],
        reference=str(payment.id),
    )


async def release_wallet_hold(session: AsyncSession, payment: Payment) -> None:
    """The payment was cancelled or expired: the held part is spendable again."""
    if not payment.wallet_amount.is_positive or not await transaction_exists(
        session, _hold_key(payment)
    ):
        return
    wallet, hold = await _accounts(session, payment)
    amount = payment.wallet_amount
    await post(
        session,
        _release_key(payment),
        "wallet_release",
        [debit(hold, amount), credit(wallet, amount)],
        reference=str(payment.id),
    )


async def wallet_source(session: AsyncSession, payment: Payment) -> Account:
    """The account the settlement takes the wallet part from: the hold when the payment held
    it at creation, the wallet itself otherwise (a wallet-only payment settles at once)."""
    held = await transaction_exists(session, _hold_key(payment))
    purpose = AccountPurpose.USER_WALLET_HOLD if held else AccountPurpose.USER_WALLET
    return await account_for(session, OwnerType.USER, payment.user_id, purpose, payment.currency)
