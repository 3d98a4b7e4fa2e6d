"""Gift cards and their holds: tables and repository (the caller's session; the caller commits).

A card row carries its counters (see :mod:`parovoz_payment.domain.gift_cards`); a hold is one
payment's part of one card: ``reserved`` while the payment is pending, then ``redeemed`` or
``released``. Counters change only under the card's row lock, and the database refuses a card
whose parts exceed its value, so two payments can never spend the same kopeck.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    String,
    Table,
    UniqueConstraint,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db.metadata import metadata
from parovoz_payment.domain.gift_cards import GiftCard, GiftCardOrigin


class HoldStatus(StrEnum):
    RESERVED = "reserved"
    REDEEMED = "redeemed"
    RELEASED = "released"
    #: A bought card's value paid back to its buyer (the hold's ``payment_id`` is the refund's).
    REFUNDED = "refunded"


COUNTERS_CHECK = (
    "initial_minor > 0 AND reserved_minor >= 0 AND redeemed_minor >= 0 AND broken_minor >= 0"
    " AND refunded_minor >= 0"
    " AND reserved_minor + redeemed_minor + broken_minor + refunded_minor <= initial_minor"
)

gift_cards = Table(
    "gift_cards",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    #: SHA-256 of the code; the code itself is never stored.
    Column("code_hash", String(64), nullable=False, unique=True),
    Column("currency", String(3), nullable=False),
    Column("initial_minor", BigInteger, nullable=False),
    Column("reserved_minor", BigInteger, nullable=False),
    Column("redeemed_minor", BigInteger, nullable=False),
    #: Expired unused and moved to platform revenue (breakage).
    Column("broken_minor", BigInteger, nullable=False),
    #: A bought card's value refunded to its buyer (``use_cases.gift_card_purchases``).
    Column("refunded_minor", BigInteger, nullable=False, server_default="0"),
    Column("origin", String(16), nullable=False),
    Column("issued_by", String(200), nullable=False),
    #: The admin's Idempotency-Key of a promotional issue (a retry finds the card, not a twin).
    Column("issue_key", String(300), nullable=True, unique=True),
    Column("payment_id", UUID(as_uuid=True), nullable=True, unique=True),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    CheckConstraint(COUNTERS_CHECK, name="counters"),
    Index("ix_gift_cards_expires_at", "expires_at"),
)

HOLD_STATUS_CHECK = "status IN ('reserved', 'redeemed', 'released', 'refunded')"

gift_card_holds = Table(
    "gift_card_holds",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("gift_card_id", UUID(as_uuid=True), ForeignKey("gift_cards.id"), nullable=False),
    Column("payment_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("amount_minor", BigInteger, nullable=False),
    Column("status", String(8), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("gift_card_id", "payment_id", name="uq_gift_card_holds_card_payment"),
    CheckConstraint("amount_minor > 0", name="amount_positive"),
    CheckConstraint(HOLD_STATUS_CHECK, name="status"),
)


def _card(row: Row[Any]) -> GiftCard:
    return GiftCard(
        id=row.id,
        currency=row.currency,
        initial_minor=row.initial_minor,
        reserved_minor=row.reserved_minor,
        redeemed_minor=row.redeemed_minor,
        broken_minor=row.broken_minor,
        refunded_minor=row.refunded_minor,
        origin=GiftCardOrigin(row.origin),
        issued_at=row.issued_at,
        expires_at=row.expires_at,
        payment_id=row.payment_id,
    )


class SqlGiftCards:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self, card: GiftCard, code_hash: str, issued_by: str, issue_key: str | None = None
    ) -> None:
        await self._session.execute(
            insert(gift_cards).values(
                id=card.id,
                code_hash=code_hash,
                currency=card.currency,
                initial_minor=card.initial_minor,
                reserved_minor=0,
                redeemed_minor=0,
                broken_minor=0,
                origin=card.origin.value,
                issued_by=issued_by,
                issue_key=issue_key,
                payment_id=card.payment_id,
                issued_at=card.issued_at,
                expires_at=card.expires_at,
            )
        )

    async def get(self, card_id: uuid.UUID, *, for_update: bool = False) -> GiftCard | None:
        query = select(gift_cards).where(gift_cards.c.id == card_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        return None if row is None else _card(row)

    async def by_hash(self, code_hash: str) -> GiftCard | None:
        query = select(gift_cards).where(gift_cards.c.code_hash == code_hash)
        row = (await self._session.execute(query)).first()
        return None if row is None else _card(row)

    async def of_payment(
        self, payment_id: uuid.UUID, *, for_update: bool = False
    ) -> GiftCard | None:
        """The card a ``gift_card`` payment bought."""
        query = select(gift_cards).where(gift_cards.c.payment_id == payment_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        return None if row is None else _card(row)

    async def by_issue_key(self, issue_key: str) -> GiftCard | None:
        query = select(gift_cards).where(gift_cards.c.issue_key == issue_key)
        row = (await self._session.execute(query)).first()
        return None if row is None else _card(row)

    async def lock_by_hashes(self, hashes: Sequence[str]) -> dict[str, GiftCard]:
        """The cards with these code hashes, locked in id order (no deadlock between orders)."""
        rows = await self._session.execute(
            select(gift_cards)
            .where(gift_cards.c.code_hash.in_(hashes))
            .order_by(gift_cards.c.id)
            .with_for_update()
        )
        return {row.code_hash: _card(row) for row in rows}

    async def hold(
        self, card: GiftCard, payment_id: uuid.UUID, amount_minor: int, now: datetime
    ) -> None:
        """Reserve ``amount_minor`` of the (locked) card for the payment."""
        await self._session.execute(
            update(gift_cards)
            .where(gift_cards.c.id == card.id)
            .values(reserved_minor=gift_cards.c.reserved_minor + amount_minor)
        )
        await self._session.execute(
            insert(gift_card_holds).values(
                id=uuid.uuid4(),
                gift_card_id=card.id,
                payment_id=payment_id,
                amount_minor=amount_minor,
                status=HoldStatus.RESERVED.value,
                created_at=now,
                updated_at=now,
            )
        )

    async def finish_holds(self, payment_id: uuid.UUID, status: HoldStatus, now: datetime) -> int:
        """The payment's reserved holds become ``status`` (redeemed or released) and the cards'
        counters follow; returns the minor units moved (0 when nothing was reserved: a repeated
        call changes nothing). Cards are locked in id order, like at creation."""
        holds = (
            await self._session.execute(
                select(gift_card_holds)
                .where(
                    gift_card_holds.c.payment_id == payment_id,
                    gift_card_holds.c.status == HoldStatus.RESERVED.value,
                )
                .order_by(gift_card_holds.c.gift_card_id)
                .with_for_update()
            )
        ).all()
        moved = 0
        for hold in holds:
            counters: dict[str, Any] = {
                "reserved_minor": gift_cards.c.reserved_minor - hold.amount_minor
            }
            if status is HoldStatus.REDEEMED:
                counters["redeemed_minor"] = gift_cards.c.redeemed_minor + hold.amount_minor
            elif status is HoldStatus.REFUNDED:
                counters["refunded_minor"] = gift_cards.c.refunded_minor + hold.amount_minor
            await self._session.execute(
                update(gift_cards).where(gift_cards.c.id == hold.gift_card_id).values(counters)
            )
            await self._session.execute(
                update(gift_card_holds)
                .where(gift_card_holds.c.id == hold.id)
                .values(status=status.value, updated_at=now)
            )
            moved += hold.amount_minor
        return moved

    async def due_for_breakage(self, now: datetime, limit: int) -> list[uuid.UUID]:
        """Expired cards with value neither redeemed, broken nor held by a pending payment."""
        rows = await self._session.execute(
            select(gift_cards.c.id)
            .where(
                gift_cards.c.expires_at <= now,
                gift_cards.c.initial_minor
                > gift_cards.c.reserved_minor
                + gift_cards.c.redeemed_minor
                + gift_cards.c.broken_minor
                + gift_cards.c.refunded_minor,
            )
            .order_by(gift_cards.c.expires_at)
            .limit(limit)
        )
        return list(rows.scalars())

    async def record_breakage(self, card_id: uuid.UUID, amount_minor: int) -> None:
        await self._session.execute(
            update(gift_cards)
            .where(gift_cards.c.id == card_id)
            .values(broken_minor=gift_cards.c.broken_minor + amount_minor)
        )
