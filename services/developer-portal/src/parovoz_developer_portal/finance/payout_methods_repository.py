"""Payout methods in storage: sealed on the way in, opened on the way out."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_developer_portal.finance.bank_details_cipher import BankDetailsCipher
from parovoz_developer_portal.finance.domain.payouts import PayoutMethod
from parovoz_developer_portal.finance.tables import payout_methods
from parovoz_developer_portal.tables import developer_accounts

_LIVE = payout_methods.c.deleted_at.is_(None)


class SqlPayoutMethods:
    def __init__(self, session: AsyncSession, cipher: BankDetailsCipher, now: datetime) -> None:
        self._session = session
        self._cipher = cipher
        self._now = now

    def _method(self, row: Any) -> PayoutMethod:
        return PayoutMethod(
            id=row.id,
            developer_id=row.developer_id,
            details=self._cipher.open(row.id, row.key_id, row.details_ciphertext),
            currency=row.currency,
            is_default=row.is_default,
            created_by_user_id=row.created_by_user_id,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    async def add(self, method: PayoutMethod) -> None:
        key_id, sealed = self._cipher.seal(method.id, method.details)
        await self._session.execute(
            insert(payout_methods).values(
                id=method.id,
                developer_id=method.developer_id,
                currency=method.currency,
                is_default=method.is_default,
                key_id=key_id,
                details_ciphertext=sealed,
                created_by_user_id=method.created_by_user_id,
                created_at=method.created_at,
                updated_at=method.updated_at,
            )
        )

    async def get(self, developer_id: uuid.UUID, method_id: uuid.UUID) -> PayoutMethod | None:
        query = select(payout_methods).where(
            payout_methods.c.id == method_id, payout_methods.c.developer_id == developer_id, _LIVE
        )
        row = (await self._session.execute(query)).first()
        return self._method(row) if row else None

    async def list(self, developer_id: uuid.UUID) -> Sequence[PayoutMethod]:
        query = (
            select(payout_methods)
            .where(payout_methods.c.developer_id == developer_id, _LIVE)
            .order_by(payout_methods.c.created_at.desc(), payout_methods.c.id)
        )
        return [self._method(row) for row in await self._session.execute(query)]

    async def default_of(self, developer_id: uuid.UUID) -> PayoutMethod | None:
        query = select(payout_methods).where(
            payout_methods.c.developer_id == developer_id, payout_methods.c.is_default, _LIVE
        )
        row = (await self._session.execute(query)).first()
        return self._method(row) if row else None

    async def lock_account(self, developer_id: uuid.UUID) -> None:
        # The account row always exists: locking it serialises even the account's first method.
        await self._session.execute(
            select(developer_accounts.c.id)
            .where(developer_accounts.c.id == developer_id)
            .with_for_update()
        )

    async def make_default(self, developer_id: uuid.UUID, method_id: uuid.UUID) -> None:
        mine = payout_methods.c.developer_id == developer_id
        # Clear first: the partial unique index allows one default at any moment.
        await self._session.execute(
            update(payout_methods)
            .where(mine, payout_methods.c.is_default, payout_methods.c.id != method_id)
            .values(is_default=False, updated_at=self._now)
        )
        await self._session.execute(
            update(payout_methods)
            .where(mine, payout_methods.c.id == method_id, _LIVE)
            .values(is_default=True, updated_at=self._now)
        )

    async def delete(self, method: PayoutMethod) -> None:
        await self._session.execute(
            update(payout_methods)
            .where(payout_methods.c.id == method.id)
            .values(is_default=False, deleted_at=self._now, updated_at=self._now)
        )
