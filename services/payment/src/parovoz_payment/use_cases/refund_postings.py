"""What a succeeded refund writes: the ledger reversal of its payment's settlement, and the
refund outcome events."""

from __future__ import annotations

from datetime import datetime

from parovoz_events.money import Money as EventMoney
from parovoz_events.payment import RefundFailed, RefundSucceeded
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db.ledger import PostedTransaction, account_for, post
from parovoz_payment.domain.ledger import AccountPurpose, Entry, OwnerType, credit, debit
from parovoz_payment.domain.payments import Payment, PaymentPurpose
from parovoz_payment.domain.refunds import Refund, RefundReason


async def reverse_settlement(
    session: AsyncSession, payment: Payment, refund: Refund
) -> PostedTransaction:
    """Undo ``refund.amount`` of the settlement posting (see ``payment_ledger.settle``): what
    was credited (platform revenue, or the wallet for a top-up) is debited; the provider's
    clearing gets back the part returned to the card, the user's wallet the part returned there.
    Keyed by the refund, so it posts once whatever calls it twice.

    A top-up's cap overflow never reached the wallet: its settlement credited
    ``refunds_payable``, so that debt is what the refund pays off."""
    currency = payment.currency
    if refund.reason is RefundReason.WALLET_CAP_OVERFLOW:
        source = await account_for(
            session, OwnerType.PLATFORM, None, AccountPurpose.REFUNDS_PAYABLE, currency
        )
    elif payment.purpose is PaymentPurpose.WALLET_TOP_UP:
        source = await account_for(
            session, OwnerType.USER, payment.user_id, AccountPurpose.USER_WALLET, currency
        )
    else:
        source = await account_for(
            session, OwnerType.PLATFORM, None, AccountPurpose.PLATFORM_REVENUE, currency
        )
    entries: list[Entry] = [debit(source, refund.amount)]
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
        wallet = await account_for(
            session, OwnerType.USER, payment.user_id, AccountPurpose.USER_WALLET, currency
        )
        entries.append(credit(wallet, refund.to_wallet))
    return await post(
        session,
        f"refund:{refund.id}:succeeded",
        "refund",
        entries,
        reference=str(refund.id),
        metadata={"payment_id": str(payment.id)},
    )


def _facts(payment: Payment, refund: Refund) -> dict[str, object]:
    return {
        "payment_id": payment.id,
        "user_id": payment.user_id,
        "purpose": payment.purpose.value,
        "reference": payment.reference,
        "game_id": payment.game_id,
        "refund_id": refund.id,
        "amount": EventMoney(
            amount_minor=refund.amount.amount_minor, currency=refund.amount.currency
        ),
        "refund_reason": refund.reason.value,
    }


def refund_succeeded_event(payment: Payment, refund: Refund) -> RefundSucceeded:
    """``payment`` already counts this refund in its refunded amount."""
    assert refund.succeeded_at is not None
    total = payment.refunded_amount
    return RefundSucceeded(
        **_facts(payment, refund),
        destination=refund.destination.value,
        refunded_total=EventMoney(amount_minor=total.amount_minor, currency=total.currency),
        fully_refunded=total == payment.captured_amount,
        succeeded_at=refund.succeeded_at,
    )


def refund_failed_event(payment: Payment, refund: Refund, failed_at: datetime) -> RefundFailed:
    return RefundFailed(
        **_facts(payment, refund),
        failure_reason=refund.failure_reason or "Failed.",
        failed_at=failed_at,
    )
