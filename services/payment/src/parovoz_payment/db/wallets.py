"""The one way to load a user's wallet: its balance from the ledger, its lock from the open
disputes, and the rules it lives by."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db.chargebacks import has_open_dispute
from parovoz_payment.db.ledger import find_account
from parovoz_payment.domain.ledger import AccountKey, AccountPurpose, OwnerType
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.wallet import Wallet, WalletRules


async def wallet_of(session: AsyncSession, user_id: uuid.UUID, rules: WalletRules) -> Wallet:
    """The user's wallet as the ledger has it; no account yet is an empty wallet (a read
    never creates an account). Locked while a chargeback of the user's is open."""
    key = AccountKey.of(OwnerType.USER, user_id, AccountPurpose.USER_WALLET, rules.currency)
    account = await find_account(session, key)
    locked = await has_open_dispute(session, user_id)
    balance = Money.zero(rules.currency) if account is None else account.credit_balance
    return Wallet(user_id, balance, rules, locked)


__all__ = ["wallet_of"]
