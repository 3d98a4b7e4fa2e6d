"""Test helpers for money already in the ledger: a wallet funded by a direct posting (as if a
top-up had settled), for tests that start from a balance rather than from a top-up."""

from __future__ import annotations

import uuid

from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.db.ledger import account_for, post
from parovoz_payment.domain.ledger import AccountPurpose, OwnerType, credit, debit
from parovoz_payment.domain.money import Money


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
