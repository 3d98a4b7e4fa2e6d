"""Test helpers for donations: a donation request through the API, money on a streamer's
balance as a settled donation leaves it, and the streamer's account balances."""

from __future__ import annotations

import uuid

import httpx
from ledger_support import credit_from_clearing
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.db.ledger import find_account
from parovoz_payment.domain.ledger import AccountKey, AccountPurpose, OwnerType
from parovoz_testing.tokens import auth

DONATIONS = "/api/v1/payments/donations"


def body(streamer_id: uuid.UUID | str, minor: int, **extra: object) -> dict:
    attributes = {
        "streamer_id": str(streamer_id),
        "amount": {"amount_minor": minor, "currency": "RUB"},
        "method": "wallet",
        "use_wallet": True,
        "message": "gg",
        **extra,
    }
    return {"data": {"type": "donation", "attributes": attributes}}


async def donate(
    client: httpx.AsyncClient, user_id: uuid.UUID, payload: dict, key: str | None = None
) -> httpx.Response:
    headers = {**auth(user_id), "Idempotency-Key": key or str(uuid.uuid4())}
    return await client.post(DONATIONS, json=payload, headers=headers)


async def donated(infrastructure: Infrastructure, streamer_id: uuid.UUID, minor: int) -> None:
    """Money on the streamer's balance, as a settled donation leaves it."""
    await credit_from_clearing(
        infrastructure,
        OwnerType.STREAMER,
        streamer_id,
        AccountPurpose.STREAMER_BALANCE,
        minor,
        key=f"test-donation:{uuid.uuid4()}",
        kind="payment",
    )


async def balance(infrastructure: Infrastructure, streamer_id: uuid.UUID, purpose: str) -> int:
    """The credit balance of the streamer's ``purpose`` account in RUB (0 before it exists)."""
    key = AccountKey.of(OwnerType.STREAMER, streamer_id, purpose, "RUB")
    async with infrastructure.session_factory() as session:
        account = await find_account(session, key)
    return 0 if account is None else account.credit_balance.amount_minor
