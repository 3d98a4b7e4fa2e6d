"""What a succeeded refund writes: the ledger reversal of its payment's settlement, and the
refund outcome events."""

from __future__ import annotations

from datetime import datetime

from parovoz_events.payment import RefundFailed, RefundSucceeded
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db.ledger import PostedTransaction, account_for, locked_account, post
from parovoz_payment.domain.ledger import AccountPurpose, Entry, OwnerType, credit, debit
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose
from parovoz_payment.domain.payments import Payment
from parovoz_payment.domain.refunds import Refund, RefundReason
from parovoz_payment.use_cases.donation_reversals import donation_reversal_debits
from parovoz_payment.use_cases.gift_card_purchases import gift_card_refund_debits
from parovoz_payment.use_cases.payment_events import event_money, payment_facts
from parovoz_payment.use_cases.preorder_ledger import preorder_refund_source
from parovoz_payment.use_cases.sale_reversals import sale_reversal_debits
from parovoz_payment.use_cases.sales import is_sale
from parovoz_payment.use_cases.user_debts import repay_debt_first


async def reverse_settlement(
    session: AsyncSession, payment: Payment, refund: Refund
) -> PostedTransaction:
    """Undo ``refund.amount`` of the settlement posting (see ``payment_ledger.settle``): what
    was credited (platform revenue, or the wallet for a top-up) is debited; the provider's
    clearing gets back the part returned to the card, the user's wallet the part returned there
    (what the user owes after a disputed top-up is repaid out of it first: ``user_debts``).
    Keyed by the refund, so it posts once whatever calls it twice.

    A top-up's cap overflow never reached the wallet: its settlement credited
    ``refunds_payable``, so that debt is what the refund pays off. A game sale's refund debits
    the developer's payable and platform revenue in the sale's proportion (``use_cases.sales``).
    """
    currency = payment.currency
    if refund.reason is RefundReason.WALLET_CAP_OVERFLOW:
        source = await account_for(
            session, OwnerType.PLATFORM, None, AccountPurpose.REFUNDS_PAYABLE, currency
        )
    elif payment.purpose is PaymentPurpose.WALLET_TOP_UP:
        source = await account_for(
            session, OwnerType.USER, payment.user_id, AccountPurpose.USER_WALLET, currency
        )
    elif payment.purpose is PaymentPurpose.PREORDER:
        # The advance before the release, a sale after it (``use_cases.preorder_ledger``).
        source = await preorder_refund_source(session, payment)
    else:
        source = await account_for(
            session, OwnerType.PLATFORM, None, AccountPurpose.PLATFORM_REVENUE, currency
        )
    key = f"refund:{refund.id}:succeeded"
    # A game sale gives back the developer's and the platform's shares in proportion.
    sale = None
    sold = is_sale(payment) or payment.purpose is PaymentPurpose.PREORDER  # no sale row: None
    if sold and refund.reason is not RefundReason.WALLET_CAP_OVERFLOW:
        now = refund.succeeded_at or refund.updated_at
        sale = await sale_reversal_debits(
            session, payment, refund.amount, key, now, refund_id=refund.id
        )
    # A donation gives back the streamer's share and the commission in proportion; a bought
    # gift card its liability (the card's refunded value).
    other = None
    if sale is None and refund.reason is not RefundReason.WALLET_CAP_OVERFLOW:
        other = await donation_reversal_debits(
            session, payment, refund.amount, key
        ) or await gift_card_refund_debits(session, payment, refund)
    entries: list[Entry] = list(sale.entries) if sale else other or [debit(source, refund.amount)]
    if refund.to_method.is_positive:
        if payment.provider is None:
            raise ValueError("a refund to the card needs the provider that took the payment")
        clearing = await account_for(
            session,
            OwnerType.PROVIDER,
            payment.provider.value,
            AccountPurpose.PROVIDER_CLEARING,
            currency,
        )
        entries.append(credit(clearing, refund.to_method))
    if refund.to_wallet.is_positive:
        # The wallet first, then its owner's debt (``use_cases.user_debts``): repaid first.
        wallet = await locked_account(
            session, OwnerType.USER, payment.user_id, AccountPurpose.USER_WALLET, currency
        )
        repaying, to_wallet = await repay_debt_first(session, payment.user_id, refund.to_wallet)
        entries.extend(repaying)
        if to_wallet.is_positive:
            entries.append(credit(wallet, to_wallet))
    posted = await post(
        session,
        key,
        "refund",
        entries,
        reference=str(refund.id),
        metadata={"payment_id": str(payment.id), **(sale.metadata if sale else {})},
    )
    if sale is not None:
        await sale.recorded(posted)  # the reversal row, the game's gross, the sale event
    return posted


def _facts(payment: Payment, refund: Refund) -> dict[str, object]:
    return {
        **payment_facts(payment, refund.amount),
        "refund_id": refund.id,
        "refund_reason": refund.reason.value,
    }


def refund_succeeded_event(payment: Payment, refund: Refund) -> RefundSucceeded:
    """``payment`` already counts this refund in its refunded amount."""
    assert refund.succeeded_at is not None
    total = payment.refunded_amount
    return RefundSucceeded(
        **_facts(payment, refund),
        destination=refund.destination.value,
        refunded_total=event_money(total),
        fully_refunded=total == payment.captured_amount,
        succeeded_at=refund.succeeded_at,
    )


def refund_failed_event(payment: Payment, refund: Refund, failed_at: datetime) -> RefundFailed:
    return RefundFailed(
        **_facts(payment, refund),
        failure_reason=refund.failure_reason or "Failed.",
        failed_at=failed_at,
    )
