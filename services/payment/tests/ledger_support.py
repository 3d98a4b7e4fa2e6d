"""Test helpers for money already in the ledger: a wallet funded by a direct posting (as if a
top-up had settled) and a settled game purchase, for tests that start from there; and a card
payment still pending at its provider, for tests that confirm it."""

from __future__ import annotations

import uuid
from datetime import datetime

from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.db.ledger import account_for, post
from parovoz_payment.db.payments import SqlPayments
from parovoz_payment.domain.ledger import AccountPurpose, OwnerType, credit, debit
from parovoz_payment.domain.methods import MethodChoice, PaymentMethod, Provider
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_creation import start_payment
from parovoz_payment.domain.payments import Payment, PaymentPurpose
from parovoz_payment.use_cases.payment_ledger import settle


async def fund_wallet(infrastructure: Infrastructure, user_id: uuid.UUID, minor: int) -> None:
    """``minor`` kopecks into the user's RUB wallet, from YooKassa's clearing account."""
    amount = Money(minor, "RUB")
    async with infrastructure.session_factory.begin() as session:
        wallet = await account_for(
            session, OwnerType.USER, user_id, AccountPurpose.USER_WALLET, "RUB"
        )
        clearing = await account_for(
            session, OwnerType.PROVIDER, "yookassa", AccountPurpose.PROVIDER_CLEARING, "RUB"
        )
        await post(
            session,
            f"test-top-up:{uuid.uuid4()}",
            "wallet_top_up",
            [debit(clearing, amount), credit(wallet, amount)],
        )


async def sell_game(
    infrastructure: Infrastructure,
    game_id: uuid.UUID,
    minor: int,
    *,
    now: datetime | None = None,
    region: str = "RU",
) -> Payment:
    """A card-paid purchase of the game, settled as ``apply_confirmed_status`` settles it (the
    revenue split included); ``now`` defaults to the infrastructure's clock."""
    now = now or infrastructure.clock.now()
    payment = start_payment(
        user_id=uuid.uuid4(),
        purpose=PaymentPurpose.GAME_PURCHASE,
        amount=Money(minor, "RUB"),
        region=region,
        now=now,
        choice=MethodChoice(PaymentMethod.BANK_CARD),
        game_id=game_id,
    ).assign_provider(Provider.YOOKASSA, f"test-{uuid.uuid4()}", now)
    payment = payment.succeed(now)
    async with infrastructure.session_factory.begin() as session:
        await SqlPayments(session).add(payment)
        await settle(session, payment, payment.provider)
    return payment


async def pending_at_provider(
    infrastructure: Infrastructure,
    purpose: PaymentPurpose,
    minor: int,
    *,
    provider: Provider = Provider.YOOKASSA,
    provider_id: str | None = None,
    save_method: bool = False,
    game_id: uuid.UUID | None = None,
) -> tuple[uuid.UUID, uuid.UUID, str]:
    """A pending card payment already at ``provider``, as create_payment leaves it: (payment
    id, payer, the provider's payment id)."""
    user_id, provider_id = uuid.uuid4(), provider_id or f"test-{uuid.uuid4()}"
    now = infrastructure.clock.now()
    payment = start_payment(
        user_id=user_id,
        purpose=purpose,
        amount=Money(minor, "RUB"),
        region="RU",
        now=now,
        choice=MethodChoice(PaymentMethod.BANK_CARD),
        save_method=save_method,
        game_id=game_id,
    ).assign_provider(provider, provider_id, now)
    async with infrastructure.session_factory.begin() as session:
        await SqlPayments(session).add(payment)
    return payment.id, user_id, provider_id
