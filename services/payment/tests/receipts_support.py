"""T-Bank payments stored straight in payment's database, as if Init had answered, for the
receipt tests (settlement, fiscalisation notifications)."""

from __future__ import annotations

import uuid

from ledger_support import pending_at_provider
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.db.receipts import remember_contact
from parovoz_payment.domain.methods import Provider
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose, PaymentStatus
from parovoz_payment.domain.providers import ProviderPayment
from parovoz_payment.domain.receipts import Customer


async def pending_at_tbank(
    infrastructure: Infrastructure,
    purpose: PaymentPurpose,
    amount_minor: int,
    *,
    save_method: bool = False,
    email: str | None = None,
) -> tuple[uuid.UUID, uuid.UUID, str]:
    # T-Bank: the receipt stays here (no delivery to YooKassa in the background).
    payment_id, user_id, provider_id = await pending_at_provider(
        infrastructure,
        purpose,
        amount_minor,
        provider=Provider.TBANK,
        provider_id=str(uuid.uuid4().int % 10**12),
        save_method=save_method,
        # A game nobody told us about: the receipt falls back to the generic name.
        game_id=uuid.uuid4() if purpose is PaymentPurpose.GAME_PURCHASE else None,
    )
    if email:
        async with infrastructure.session_factory.begin() as session:
            now = infrastructure.clock.now()
            await remember_contact(session, payment_id, Customer.of(email=email), now)
    return payment_id, user_id, provider_id


def succeeded(provider_id: str, amount_minor: int, token: str | None = None) -> ProviderPayment:
    return ProviderPayment(
        Provider.TBANK,
        provider_id,
        PaymentStatus.SUCCEEDED,
        Money(amount_minor, "RUB"),
        saved_method_token=token,
        method_title="MIR *4444" if token else None,
    )
