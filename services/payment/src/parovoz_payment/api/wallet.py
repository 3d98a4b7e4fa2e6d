"""`GET /wallet`: the signed-in user's wallet balance (from the ledger) and its limits."""

from __future__ import annotations

from fastapi import APIRouter
from parovoz_kit.auth import CurrentUserId
from parovoz_kit.infrastructure import Infrastructure
from pydantic import BaseModel, Field

from parovoz_payment.api.schemas import Document, MoneyBody, Resource
from parovoz_payment.db.wallets import wallet_of
from parovoz_payment.domain.wallet import Wallet, WalletRules


class WalletLimits(BaseModel):
    min_top_up: MoneyBody = Field(description="The smallest top-up.")
    max_top_up: MoneyBody = Field(description="The largest top-up.")
    balance_cap: MoneyBody = Field(
        description="161-FZ's cap on the balance of a simplified-identification e-wallet."
    )


class WalletAttributes(BaseModel):
    balance: MoneyBody = Field(description="What is on the wallet, from the ledger.")
    locked: bool = Field(
        description=(
            "True while a payment dispute of the user is open: spending is refused, money "
            "may still come in."
        )
    )
    limits: WalletLimits = Field(description="The top-up limits and the balance cap.")


def wallet_document(wallet: Wallet, rules: WalletRules, prefix: str) -> Document[WalletAttributes]:
    def money(amount_minor: int) -> MoneyBody:
        return MoneyBody(amount_minor=amount_minor, currency=rules.currency)

    return Document(
        data=Resource(
            type="wallet",
            id=str(wallet.user_id),
            attributes=WalletAttributes(
                balance=MoneyBody.of(wallet.balance),
                locked=wallet.locked,
                limits=WalletLimits(
                    min_top_up=money(rules.min_top_up),
                    max_top_up=money(rules.max_top_up),
                    balance_cap=money(rules.balance_cap),
                ),
            ),
            links={"self": f"{prefix}/wallet"},
        )
    )


def wallet_router(infrastructure: Infrastructure, rules: WalletRules) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    router = APIRouter(prefix=prefix, tags=["wallet"])

    @router.get(
        "/wallet",
        response_model=Document[WalletAttributes],
        summary="The signed-in user's wallet: balance, lock and top-up limits",
        description=(
            "The signed-in user's Parovoz wallet: its balance (zero before the first top-up), "
            "whether it is locked by a dispute, and its limits."
        ),
    )
    async def get_wallet(user_id: CurrentUserId) -> Document[WalletAttributes]:
        async with infrastructure.session_factory() as session:
            wallet = await wallet_of(session, user_id, rules)
        return wallet_document(wallet, rules, prefix)

    return router
