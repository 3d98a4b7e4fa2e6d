"""Payments: table and repository (the caller's session; the caller commits)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db.gift_cards import gift_card_holds, gift_cards
from parovoz_payment.db.metadata import metadata
from parovoz_payment.domain.methods import PaymentMethod, Provider
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_vocabulary import (
    CancellationReason,
    PaymentPurpose,
    PaymentStatus,
)
from parovoz_payment.domain.payments import Payment

payments = Table(
    "payments",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("user_id", UUID(as_uuid=True), nullable=False),
    Column("purpose", String(32), nullable=False),
    Column("reference", String(255), nullable=True),
    Column("game_id", UUID(as_uuid=True), nullable=True),
    Column("currency", String(3), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("wallet_amount_minor", BigInteger, nullable=False),
    Column("captured_amount_minor", BigInteger, nullable=False),
    Column("refunded_amount_minor", BigInteger, nullable=False),
    Column("method", String(16), nullable=True),
    Column("status", String(24), nullable=False),
    Column("cancellation_reason", String(48), nullable=True),
    Column("region", String(2), nullable=False),
    Column("provider", String(16), nullable=True),
    Column("provider_payment_id", String(64), nullable=True),
    #: Where the buyer confirms the payment at the provider; null for wallet-only payments.
    Column("confirmation_url", Text, nullable=True),
    Column("saved_method_id", UUID(as_uuid=True), nullable=True),
    Column("save_method", Boolean, nullable=False),
    Column("metadata", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("succeeded_at", DateTime(timezone=True), nullable=True),
    #: Paid with gift cards (their holds are in gift_card_holds).
    Column("gift_card_amount_minor", BigInteger, nullable=False, server_default="0"),
    #: The coupon's discount; the list price is amount_minor + discount_minor.
    Column("discount_minor", BigInteger, nullable=False, server_default="0"),
    Column("coupon_id", UUID(as_uuid=True), nullable=True),
    # A provider's notification leads to exactly one payment of ours.
    UniqueConstraint("provider", "provider_payment_id", name="uq_payments_provider_payment"),
    CheckConstraint(
        "amount_minor > 0 AND wallet_amount_minor BETWEEN 0 AND amount_minor "
        "AND captured_amount_minor BETWEEN 0 AND amount_minor "
        "AND refunded_amount_minor BETWEEN 0 AND captured_amount_minor",
        name="amounts",
    ),
    Index("ix_payments_user_id", "user_id", "created_at"),
    CheckConstraint(
        "gift_card_amount_minor >= 0 AND discount_minor >= 0"
        " AND wallet_amount_minor + gift_card_amount_minor <= amount_minor",
        name="prepaid_parts",
    ),
)


def _values(payment: Payment) -> dict[str, Any]:
    return {
        "user_id": payment.user_id,
        "purpose": payment.purpose.value,
        "reference": payment.reference,
        "game_id": payment.game_id,
        "currency": payment.currency,
        "amount_minor": payment.amount.amount_minor,
        "wallet_amount_minor": payment.wallet_amount.amount_minor,
        "captured_amount_minor": payment.captured_amount.amount_minor,
        "refunded_amount_minor": payment.refunded_amount.amount_minor,
        "method": payment.method.value if payment.method else None,
        "status": payment.status.value,
        "cancellation_reason": (
            payment.cancellation_reason.value if payment.cancellation_reason else None
        ),
        "region": payment.region,
        "provider": payment.provider.value if payment.provider else None,
        "provider_payment_id": payment.provider_payment_id,
        "saved_method_id": payment.saved_method_id,
        "save_method": payment.save_method,
        "metadata": dict(payment.metadata),
        "created_at": payment.created_at,
        "updated_at": payment.updated_at,
        "expires_at": payment.expires_at,
        "succeeded_at": payment.succeeded_at,
        "gift_card_amount_minor": payment.gift_card_amount_minor,
        "discount_minor": payment.discount_minor,
        "coupon_id": payment.coupon_id,
    }


def _payment(row: Row[Any]) -> Payment:
    def money(minor: int) -> Money:
        return Money(minor, row.currency)

    return Payment(
        id=row.id,
        user_id=row.user_id,
        purpose=PaymentPurpose(row.purpose),
        reference=row.reference,
        amount=money(row.amount_minor),
        wallet_amount=money(row.wallet_amount_minor),
        method=PaymentMethod(row.method) if row.method else None,
        status=PaymentStatus(row.status),
        region=row.region,
        created_at=row.created_at,
        updated_at=row.updated_at,
        expires_at=row.expires_at,
        captured_amount=money(row.captured_amount_minor),
        refunded_amount=money(row.refunded_amount_minor),
        game_id=row.game_id,
        cancellation_reason=(
            CancellationReason(row.cancellation_reason) if row.cancellation_reason else None
        ),
        provider=Provider(row.provider) if row.provider else None,
        provider_payment_id=row.provider_payment_id,
        saved_method_id=row.saved_method_id,
        save_method=row.save_method,
        succeeded_at=row.succeeded_at,
        metadata=dict(row.metadata),
        gift_card_amount_minor=row.gift_card_amount_minor,
        discount_minor=row.discount_minor,
        coupon_id=row.coupon_id,
    )


class StoredPayment:
    """A payment as stored, with what only the row knows (the confirmation URL)."""

    __slots__ = ("confirmation_url", "payment")

    def __init__(self, payment: Payment, confirmation_url: str | None) -> None:
        self.payment = payment
        self.confirmation_url = confirmation_url


class SqlPayments:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, payment: Payment, confirmation_url: str | None = None) -> None:
        values = _values(payment) | {"id": payment.id, "confirmation_url": confirmation_url}
        await self._session.execute(insert(payments).values(values))

    async def save(self, payment: Payment, confirmation_url: str | None = None) -> None:
        """Write the payment's state; a given confirmation URL replaces the stored one."""
        values = _values(payment)
        if confirmation_url is not None:
            values["confirmation_url"] = confirmation_url
        await self._session.execute(
            update(payments).where(payments.c.id == payment.id).values(values)
        )

    async def get(self, payment_id: uuid.UUID, *, for_update: bool = False) -> StoredPayment | None:
        """The payment, or None; ``for_update`` locks the row until the transaction ends, so
        concurrent webhooks of one payment apply one after the other."""
        query = select(payments).where(payments.c.id == payment_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        return None if row is None else StoredPayment(_payment(row), row.confirmation_url)

    async def advance_behind(self, payment: Payment) -> Payment | None:
        """The advance a payment no provider took (paid from the wallet or gift cards) is
        offset against, taken by a provider earlier (54-FZ's closing receipt goes there): the
        purchase of a gift card it spent when it used no wallet money, else the user's latest
        wallet top-up. None when neither was taken by a provider."""
        if payment.wallet_amount.is_zero and payment.gift_card_amount.is_positive:
            bought = await self._latest_succeeded(
                payments.c.id.in_(
                    select(gift_cards.c.payment_id)
                    .join(gift_card_holds, gift_card_holds.c.gift_card_id == gift_cards.c.id)
                    .where(gift_card_holds.c.payment_id == payment.id)
                )
            )
            if bought is not None:
                return bought
        return await self._latest_succeeded(
            payments.c.user_id == payment.user_id,
            payments.c.currency == payment.amount.currency,
            payments.c.purpose == PaymentPurpose.WALLET_TOP_UP.value,
        )

    async def _latest_succeeded(self, *conditions: Any) -> Payment | None:
        query = (
            select(payments)
            .where(
                *conditions,
                payments.c.status == PaymentStatus.SUCCEEDED.value,
                payments.c.provider.is_not(None),
            )
            .order_by(payments.c.succeeded_at.desc())
            .limit(1)
        )
        row = (await self._session.execute(query)).first()
        return None if row is None else _payment(row)

    async def find_by_provider(
        self, provider: Provider, provider_payment_id: str
    ) -> StoredPayment | None:
        query = select(payments).where(
            payments.c.provider == provider.value,
            payments.c.provider_payment_id == provider_payment_id,
        )
        row = (await self._session.execute(query)).first()
        return None if row is None else StoredPayment(_payment(row), row.confirmation_url)
