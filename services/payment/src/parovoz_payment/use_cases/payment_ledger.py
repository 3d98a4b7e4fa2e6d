"""What a settled payment writes: its ledger transaction and its outcome events."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from parovoz_events.money import Money as EventMoney
from parovoz_events.payment import PaymentCancelled, PaymentSucceeded
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db.ledger import PostedTransaction, account_for, find_account, post
from parovoz_payment.db.ledger_tables import ledger_accounts
from parovoz_payment.domain.ledger import (
    AccountKey,
    AccountPurpose,
    Entry,
    OwnerType,
    credit,
    debit,
)
from parovoz_payment.domain.methods import PaymentMethod, Provider
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payments import Payment, PaymentPurpose
from parovoz_payment.domain.wallet import WalletRules

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Settlement:
    posted: PostedTransaction
    #: The part of a top-up past the wallet cap, owed back to the card (zero otherwise).
    cap_overflow: Money


async def settle(session: AsyncSession, payment: Payment, provider: Provider | None) -> Settlement:
    """The succeeded payment's money: the provider's clearing (card part) and the user's wallet
    (wallet part) are debited; the user's wallet (a top-up) or platform revenue is credited.
    Keyed by the payment, so it posts once whatever calls it twice.

    Issue 6 splits game revenue between the developer and the platform; until then the whole
    amount is platform revenue."""
    currency = payment.currency
    entries: list[Entry] = []
    card = payment.captured_amount - payment.wallet_amount
    if card.is_positive:
        if provider is None:
            raise ValueError("a card part needs the provider that took it")
        clearing = await account_for(
            session, OwnerType.PROVIDER, provider.value, AccountPurpose.PROVIDER_CLEARING, currency
        )
        entries.append(debit(clearing, card))
    if payment.wallet_amount.is_positive:
        wallet = await account_for(
            session, OwnerType.USER, payment.user_id, AccountPurpose.USER_WALLET, currency
        )
        entries.append(debit(wallet, payment.wallet_amount))
    overflow = Money.zero(currency)
    if payment.purpose is PaymentPurpose.WALLET_TOP_UP:
        credits, overflow = await _top_up_credits(session, payment)
        entries.extend(credits)
    else:
        target = await account_for(
            session, OwnerType.PLATFORM, None, AccountPurpose.PLATFORM_REVENUE, currency
        )
        entries.append(credit(target, payment.captured_amount))
    posted = await post(
        session,
        f"payment:{payment.id}:succeeded",
        payment.purpose.value if payment.purpose is PaymentPurpose.WALLET_TOP_UP else "payment",
        entries,
        reference=str(payment.id),
    )
    return Settlement(posted, Money.zero(currency) if posted.replayed else overflow)


async def _top_up_credits(session: AsyncSession, payment: Payment) -> tuple[list[Entry], Money]:
    """The 161-FZ cap at settlement. Top-ups are checked against the cap when created, but
    several may be pending at once and each fits alone. The wallet row is locked (concurrent
    settlements of one user's top-ups queue here), then the wallet is credited what still
    fits; the rest is the platform's debt to the card, credited to ``refunds_payable`` and
    logged: the wallet never holds more than the cap and the ledger stays balanced. The caller
    refunds that overflow to the card after the commit (``refund_wallet_cap_overflow``)."""
    currency = payment.currency
    wallet = await account_for(
        session, OwnerType.USER, payment.user_id, AccountPurpose.USER_WALLET, currency
    )
    await session.execute(
        select(ledger_accounts.c.id).where(ledger_accounts.c.id == wallet.id).with_for_update()
    )
    locked = await find_account(
        session,
        AccountKey.of(OwnerType.USER, payment.user_id, AccountPurpose.USER_WALLET, currency),
    )
    balance = locked.credit_balance if locked is not None else Money.zero(currency)
    rules = WalletRules()
    cap = Money(rules.balance_cap, currency) if currency == rules.currency else None
    amount = payment.captured_amount
    headroom = None if cap is None else max(0, cap.amount_minor - balance.amount_minor)
    fits = amount if headroom is None else Money(min(amount.amount_minor, headroom), currency)
    entries: list[Entry] = []
    if fits.is_positive:
        entries.append(credit(wallet, fits))
    overflow = amount - fits
    if overflow.is_positive:
        log.warning(
            "top-up %s passes the wallet cap: %s of %s minor units owed back to the card",
            payment.id,
            overflow.amount_minor,
            amount.amount_minor,
        )
        payable = await account_for(
            session, OwnerType.PLATFORM, None, AccountPurpose.REFUNDS_PAYABLE, currency
        )
        entries.append(credit(payable, overflow))
    return entries, overflow


def _money(money: Money) -> EventMoney:
    return EventMoney(amount_minor=money.amount_minor, currency=money.currency)


def _facts(payment: Payment) -> dict[str, object]:
    return {
        "payment_id": payment.id,
        "user_id": payment.user_id,
        "purpose": payment.purpose.value,
        "reference": payment.reference,
        "game_id": payment.game_id,
        "amount": _money(payment.amount),
        "region": payment.region,
        "saved_method_id": payment.saved_method_id,
        "metadata": dict(payment.metadata),
    }


def succeeded_event(payment: Payment) -> PaymentSucceeded:
    assert payment.succeeded_at is not None
    return PaymentSucceeded(
        **_facts(payment),
        # Chosen on the provider's page and not reported back yet: a card is the default there.
        method_type=(payment.method or PaymentMethod.BANK_CARD).value,
        wallet_amount=_money(payment.wallet_amount),
        succeeded_at=payment.succeeded_at,
    )


def cancelled_event(payment: Payment) -> PaymentCancelled:
    assert payment.cancellation_reason is not None
    return PaymentCancelled(
        **_facts(payment),
        method_type=payment.method.value if payment.method else None,
        cancellation_reason=payment.cancellation_reason.value,
        cancelled_at=payment.updated_at,
    )
