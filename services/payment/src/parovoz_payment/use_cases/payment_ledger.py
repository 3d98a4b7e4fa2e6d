"""What a settled payment writes: its ledger transaction and its outcome events."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from parovoz_events.payment import PaymentCancelled, PaymentSucceeded
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db.ledger import PostedTransaction, account_for, locked_account, post
from parovoz_payment.domain.ledger import (
    AccountPurpose,
    Entry,
    OwnerType,
    credit,
    debit,
)
from parovoz_payment.domain.methods import PaymentMethod, Provider
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose
from parovoz_payment.domain.payments import Payment
from parovoz_payment.domain.wallet import Wallet
from parovoz_payment.settings import process_settings
from parovoz_payment.use_cases.discounts import consume_discounts
from parovoz_payment.use_cases.donations import donation_credits
from parovoz_payment.use_cases.gift_card_purchases import gift_card_purchase_credits
from parovoz_payment.use_cases.payment_events import event_money, payment_facts
from parovoz_payment.use_cases.preorder_ledger import advance_credit, preorder_payment_settled
from parovoz_payment.use_cases.sales import SalesPorts, is_sale, sale_credits
from parovoz_payment.use_cases.user_debts import repay_debt_first
from parovoz_payment.use_cases.wallet_holds import wallet_source

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Settlement:
    posted: PostedTransaction
    #: The part of a top-up past the wallet cap, owed back to the card (zero otherwise).
    cap_overflow: Money


async def settle(
    session: AsyncSession,
    payment: Payment,
    provider: Provider | None,
    *,
    sales: SalesPorts | None = None,
) -> Settlement:
    """The succeeded payment's money: the provider's clearing (card part) and the user's wallet
    (wallet part) are debited; the user's wallet (a top-up) or platform revenue is credited.
    Keyed by the payment, so it posts once whatever calls it twice.

    A game purchase's credit is split between the developer and the platform
    (``use_cases.sales``; ``sales`` defaults to the settings' rules)."""
    currency = payment.currency
    entries: list[Entry] = []
    # Gift cards first (their rows, then the ledger's accounts: the lock order everywhere).
    await consume_discounts(session, payment, payment.succeeded_at or payment.updated_at)
    card = payment.captured_amount - payment.wallet_amount - payment.gift_card_amount
    if card.is_positive:
        if provider is None:
            raise ValueError("a card part needs the provider that took it")
        clearing = await account_for(
            session, OwnerType.PROVIDER, provider.value, AccountPurpose.PROVIDER_CLEARING, currency
        )
        entries.append(debit(clearing, card))
    if payment.wallet_amount.is_positive:
        wallet = await wallet_source(session, payment)
        entries.append(debit(wallet, payment.wallet_amount))
    if payment.gift_card_amount.is_positive:
        # Redeemed: the platform no longer owes that part of the cards' value.
        liability = await account_for(
            session, OwnerType.PLATFORM, None, AccountPurpose.GIFT_CARD_LIABILITY, currency
        )
        entries.append(debit(liability, payment.gift_card_amount))
    overflow = Money.zero(currency)
    if payment.purpose is PaymentPurpose.WALLET_TOP_UP:
        credits, overflow = await _top_up_credits(session, payment)
        entries.extend(credits)
    key = f"payment:{payment.id}:succeeded"
    # A game purchase splits into the developer's pending payable and platform revenue.
    sale = await sale_credits(session, payment, key, sales) if is_sale(payment) else None
    if sale is not None:
        entries.extend(sale.entries)
    elif payment.purpose is PaymentPurpose.PREORDER:
        # Not a sale before the release: the user's advance (``use_cases.preorder_ledger``).
        entries.append(await advance_credit(session, payment))
    elif (donation := await donation_credits(session, payment)) is not None:
        # A donation: the streamer's balance less the platform's commission.
        entries.extend(donation)
    elif (bought := await gift_card_purchase_credits(session, payment)) is not None:
        # A bought gift card: the platform owes its value; the card is issued here, once.
        entries.extend(bought)
    elif payment.purpose is not PaymentPurpose.WALLET_TOP_UP:
        target = await account_for(
            session, OwnerType.PLATFORM, None, AccountPurpose.PLATFORM_REVENUE, currency
        )
        entries.append(credit(target, payment.captured_amount))
    posted = await post(
        session,
        key,
        payment.purpose.value if payment.purpose is PaymentPurpose.WALLET_TOP_UP else "payment",
        entries,
        reference=str(payment.id),
        metadata=sale.metadata if sale is not None else None,
    )
    if sale is not None:
        await sale.recorded(posted)  # the sale row, the game's gross, the sale event
    if payment.purpose is PaymentPurpose.PREORDER and not posted.replayed:
        await preorder_payment_settled(session, payment, payment.succeeded_at or payment.updated_at)
    return Settlement(posted, Money.zero(currency) if posted.replayed else overflow)


async def _top_up_credits(session: AsyncSession, payment: Payment) -> tuple[list[Entry], Money]:
    """The 161-FZ cap at settlement. Top-ups are checked against the cap when created, but
    several may be pending at once and each fits alone. The wallet row is locked (concurrent
    settlements of one user's top-ups queue here), what the user owes is repaid first
    (``use_cases.user_debts``), then the wallet is credited what still fits of the rest; the
    rest of that is the platform's debt to the card, credited to ``refunds_payable`` and
    logged: the wallet never holds more than the cap and the ledger stays balanced. The caller
    refunds that overflow to the card after the commit (``refund_wallet_cap_overflow``)."""
    currency = payment.currency
    wallet = await locked_account(
        session, OwnerType.USER, payment.user_id, AccountPurpose.USER_WALLET, currency
    )
    rules = process_settings().wallet_rules()
    wallet_now = Wallet(payment.user_id, wallet.credit_balance, rules)
    # What the user owes (a lost dispute's top-up) is repaid first; the cap applies to the rest.
    entries, amount = await repay_debt_first(session, payment.user_id, payment.captured_amount)
    fits = wallet_now.fitting(amount)
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


def _facts(payment: Payment) -> dict[str, object]:
    return {
        **payment_facts(payment, payment.amount),
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
        wallet_amount=event_money(payment.wallet_amount),
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
