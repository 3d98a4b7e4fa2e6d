"""What a settled payment writes: its ledger transaction and its outcome events."""

from __future__ import annotations

from parovoz_events.money import Money as EventMoney
from parovoz_events.payment import PaymentCancelled, PaymentSucceeded
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db.ledger import PostedTransaction, account_for, post
from parovoz_payment.domain.ledger import AccountPurpose, Entry, OwnerType, credit, debit
from parovoz_payment.domain.methods import PaymentMethod, Provider
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payments import Payment, PaymentPurpose


async def settle(
    session: AsyncSession, payment: Payment, provider: Provider | None
) -> PostedTransaction:
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
    if payment.purpose is PaymentPurpose.WALLET_TOP_UP:
        target = await account_for(
            session, OwnerType.USER, payment.user_id, AccountPurpose.USER_WALLET, currency
        )
    else:
        target = await account_for(
            session, OwnerType.PLATFORM, None, AccountPurpose.PLATFORM_REVENUE, currency
        )
    entries.append(credit(target, payment.captured_amount))
    return await post(
        session,
        f"payment:{payment.id}:succeeded",
        payment.purpose.value if payment.purpose is PaymentPurpose.WALLET_TOP_UP else "payment",
        entries,
        reference=str(payment.id),
    )


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
