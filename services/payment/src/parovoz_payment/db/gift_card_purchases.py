"""Gift cards bought by users: table and repository (the caller's session; the caller commits).

A row is the buyer's order (value, optional recipient), stored before its ``gift_card``
payment exists; the payment's ``reference`` names it. When the payment settles the card is
issued and its code sealed here (AES-256-GCM, the row's id as associated data) — the only
place the code exists in any form but its hash — until the buyer reveals it once; then the
ciphertext is erased.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    LargeBinary,
    String,
    Table,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db.metadata import metadata
from parovoz_payment.domain.gift_card_purchases import MESSAGE_MAX_LENGTH, PurchaseOrder
from parovoz_payment.domain.money import Money

gift_card_purchases = Table(
    "gift_card_purchases",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("user_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("currency", String(3), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("recipient_email", String(254), nullable=True),
    Column("message", String(MESSAGE_MAX_LENGTH), nullable=True),
    #: The ``gift_card`` payment that paid for it (set when it settles and the card is issued).
    Column("payment_id", UUID(as_uuid=True), nullable=True, unique=True),
    Column("gift_card_id", UUID(as_uuid=True), ForeignKey("gift_cards.id"), nullable=True),
    #: The sealed code and its key id, until revealed.
    Column("code_key_id", String(32), nullable=True),
    Column("code_ciphertext", LargeBinary, nullable=True),
    Column("revealed_at", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("amount_minor > 0", name="amount_positive"),
    CheckConstraint("(code_ciphertext IS NULL) = (code_key_id IS NULL)", name="sealed_with_key_id"),
    CheckConstraint("revealed_at IS NULL OR code_ciphertext IS NULL", name="erased_when_revealed"),
)


@dataclass(frozen=True)
class GiftCardPurchase(PurchaseOrder):
    """The stored order, with what became of it."""

    payment_id: uuid.UUID | None = None
    gift_card_id: uuid.UUID | None = None
    revealed_at: datetime | None = None


@dataclass(frozen=True)
class SealedCode:
    key_id: str
    ciphertext: bytes


def _purchase(row: Row[Any]) -> GiftCardPurchase:
    return GiftCardPurchase(
        id=row.id,
        user_id=row.user_id,
        amount=Money(row.amount_minor, row.currency),
        recipient_email=row.recipient_email,
        message=row.message,
        created_at=row.created_at,
        payment_id=row.payment_id,
        gift_card_id=row.gift_card_id,
        revealed_at=row.revealed_at,
    )


class SqlGiftCardPurchases:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, purchase: PurchaseOrder) -> None:
        await self._session.execute(
            insert(gift_card_purchases).values(
                id=purchase.id,
                user_id=purchase.user_id,
                currency=purchase.amount.currency,
                amount_minor=purchase.amount.amount_minor,
                recipient_email=purchase.recipient_email,
                message=purchase.message,
                created_at=purchase.created_at,
            )
        )

    async def get(
        self, purchase_id: uuid.UUID, *, for_update: bool = False
    ) -> GiftCardPurchase | None:
        query = select(gift_card_purchases).where(gift_card_purchases.c.id == purchase_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        return None if row is None else _purchase(row)

    async def of_payment(
        self, payment_id: uuid.UUID, *, for_update: bool = False
    ) -> tuple[GiftCardPurchase, SealedCode | None] | None:
        query = select(gift_card_purchases).where(gift_card_purchases.c.payment_id == payment_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        if row is None:
            return None
        sealed = (
            SealedCode(row.code_key_id, bytes(row.code_ciphertext))
            if row.code_ciphertext is not None
            else None
        )
        return _purchase(row), sealed

    async def issued(
        self,
        purchase_id: uuid.UUID,
        payment_id: uuid.UUID,
        gift_card_id: uuid.UUID,
        sealed: SealedCode,
    ) -> None:
        await self._session.execute(
            update(gift_card_purchases)
            .where(gift_card_purchases.c.id == purchase_id)
            .values(
                payment_id=payment_id,
                gift_card_id=gift_card_id,
                code_key_id=sealed.key_id,
                code_ciphertext=sealed.ciphertext,
            )
        )

    async def revealed(self, purchase_id: uuid.UUID, now: datetime) -> None:
        """The code was shown: its ciphertext is erased, for good."""
        await self._session.execute(
            update(gift_card_purchases)
            .where(gift_card_purchases.c.id == purchase_id)
            .values(revealed_at=now, code_key_id=None, code_ciphertext=None)
        )
