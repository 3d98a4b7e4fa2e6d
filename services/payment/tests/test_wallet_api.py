"""`GET /api/v1/payments/wallet` on the real engines: the app runs in this process against the
payment database and the auth stand-in's real tokens; balances come from real ledger postings."""

from __future__ import annotations

import uuid

import httpx
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.db.ledger import account_for, post
from parovoz_payment.db.ledger_tables import ledger_accounts
from parovoz_payment.domain.ledger import AccountPurpose, OwnerType, credit, debit
from parovoz_payment.domain.money import Money
from parovoz_testing.tokens import auth
from sqlalchemy import func, select

WALLET = "/api/v1/payments/wallet"


async def move(
    infrastructure: Infrastructure, user_id: uuid.UUID, top_up: int, spend: int = 0
) -> None:
    """A top-up (provider clearing debit → wallet credit), then optionally a spend back."""
    rub = "RUB"
    async with infrastructure.session_factory.begin() as session:
        wallet = await account_for(
            session, OwnerType.USER, user_id, AccountPurpose.USER_WALLET, rub
        )
        clearing = await account_for(
            session,
            OwnerType.PROVIDER,
            f"test-{uuid.uuid4()}",
            AccountPurpose.PROVIDER_CLEARING,
            rub,
        )
        amount = Money(top_up, rub)
        await post(
            session,
            f"test-top-up:{uuid.uuid4()}",
            "wallet_top_up",
            [debit(clearing, amount), credit(wallet, amount)],
        )
        if spend:
            spent = Money(spend, rub)
            await post(
                session,
                f"test-spend:{uuid.uuid4()}",
                "wallet_payment",
                [debit(wallet, spent), credit(clearing, spent)],
            )


async def wallet_accounts(infrastructure: Infrastructure, user_id: uuid.UUID) -> int:
    async with infrastructure.session_factory() as session:
        return (
            await session.execute(
                select(func.count()).where(ledger_accounts.c.owner_id == str(user_id))
            )
        ).scalar_one()


async def test_a_new_user_sees_an_empty_wallet_and_no_account_is_created(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    user_id = uuid.uuid4()
    response = await client.get(WALLET, headers=auth(user_id))
    assert response.status_code == 200, response.text
    assert response.json() == {
        "data": {
            "type": "wallet",
            "id": str(user_id),
            "attributes": {
                "balance": {"amount_minor": 0, "currency": "RUB"},
                "locked": False,
                "limits": {
                    "min_top_up": {"amount_minor": 10_000, "currency": "RUB"},
                    "max_top_up": {"amount_minor": 1_500_000, "currency": "RUB"},
                    "balance_cap": {"amount_minor": 6_000_000, "currency": "RUB"},
                },
            },
            "links": {"self": WALLET},
        }
    }
    assert await wallet_accounts(infrastructure, user_id) == 0


async def test_the_balance_is_what_the_ledger_posted_for_this_user_only(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    me, neighbour = uuid.uuid4(), uuid.uuid4()
    await move(infrastructure, me, top_up=150_000, spend=45_050)
    await move(infrastructure, me, top_up=10_000)
    await move(infrastructure, neighbour, top_up=999_900)

    mine = (await client.get(WALLET, headers=auth(me))).json()["data"]
    assert mine["id"] == str(me)
    assert mine["attributes"]["balance"] == {"amount_minor": 114_950, "currency": "RUB"}
    theirs = (await client.get(WALLET, headers=auth(neighbour))).json()["data"]
    assert theirs["attributes"]["balance"] == {"amount_minor": 999_900, "currency": "RUB"}


async def test_without_a_valid_token_the_answer_is_401(client: httpx.AsyncClient) -> None:
    missing = await client.get(WALLET)
    assert missing.status_code == 401
    assert missing.json()["errors"][0]["code"] == "TOKEN_MISSING"
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    forged = await client.get(WALLET, headers={"Authorization": "Bearer not-a-jwt"})
    assert forged.status_code == 401


async def test_a_service_token_is_refused_with_403(client: httpx.AsyncClient) -> None:
    response = await client.get(WALLET, headers=auth("service:subscription", ["service"]))
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "USER_TOKEN_REQUIRED"
