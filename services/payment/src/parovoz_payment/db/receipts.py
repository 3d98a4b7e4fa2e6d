"""54-FZ receipts and the contact each payment's receipt goes to (the caller's session; the
caller commits)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    SmallInteger,
    String,
    Table,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID, insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db.metadata import metadata
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.receipt_rules import PaymentMode, PaymentSubject, VatRate
from parovoz_payment.domain.receipts import (
    Customer,
    Receipt,
    ReceiptItem,
    ReceiptStatus,
    ReceiptType,
)

receipts = Table(
    "receipts",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("payment_id", UUID(as_uuid=True), nullable=False),
    Column("refund_id", UUID(as_uuid=True), nullable=True),
    Column("type", String(16), nullable=False),
    #: Lines as printed: name, quantity, unit_price_minor, vat, subject, mode, line_no.
    Column("items", JSONB, nullable=False),
    #: {"email": ..., "phone": ...}: where the fiscal data operator sends the receipt.
    Column("customer", JSONB, nullable=False),
    Column("tax_system_code", SmallInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("total_minor", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    #: The provider of the payment (where the receipt is registered).
    Column("provider", String(16), nullable=True),
    Column("provider_receipt_id", String(64), nullable=True),
    #: A purchase paid wholly from the wallet: the earlier top-up whose advance it offsets,
    #: where (at that top-up's provider) the closing receipt is registered.
    Column("advance_payment_id", UUID(as_uuid=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # One payment receipt per payment, whatever the number of notifications; and at most one
    # offsetting an advance (a preorder's release receipt, next to its prepayment's own).
    Index(
        "uq_receipts_payment",
        "payment_id",
        unique=True,
        postgresql_where=text("type = 'payment' AND advance_payment_id IS NULL"),
    ),
    Index(
        "uq_receipts_payment_offset",
        "payment_id",
        unique=True,
        postgresql_where=text("type = 'payment' AND advance_payment_id IS NOT NULL"),
    ),
    Index("ix_receipts_status", "status", "created_at"),
)

#: The buyer's contact given at the payment's creation, for its receipt (54-FZ needs one).
receipt_contacts = Table(
    "receipt_contacts",
    metadata,
    Column("payment_id", UUID(as_uuid=True), primary_key=True),
    Column("email", String(254), nullable=True),
    Column("phone", String(16), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class StoredReceipt:
    id: uuid.UUID
    receipt: Receipt
    provider: str | None
    created_at: datetime
    advance_payment_id: uuid.UUID | None = None


def _item_json(item: ReceiptItem) -> dict[str, Any]:
    return {
        "name": item.name,
        "quantity": item.quantity,
        "unit_price_minor": item.unit_price.amount_minor,
        "vat": item.vat.value,
        "payment_subject": item.payment_subject.value,
        "payment_mode": item.payment_mode.value,
        "line_no": item.line_no,
    }


def _item(raw: dict[str, Any], currency: str) -> ReceiptItem:
    return ReceiptItem(
        name=raw["name"],
        quantity=raw["quantity"],
        unit_price=Money(raw["unit_price_minor"], currency),
        vat=VatRate(raw["vat"]),
        payment_subject=PaymentSubject(raw["payment_subject"]),
        payment_mode=PaymentMode(raw["payment_mode"]),
        line_no=raw.get("line_no", 0),
    )


def _stored(row: Row[Any]) -> StoredReceipt:
    receipt = Receipt(
        type=ReceiptType(row.type),
        payment_id=row.payment_id,
        customer=Customer(email=row.customer.get("email"), phone=row.customer.get("phone")),
        items=tuple(_item(raw, row.currency) for raw in row.items),
        tax_system_code=row.tax_system_code,
        refund_id=row.refund_id,
        status=ReceiptStatus(row.status),
        provider_receipt_id=row.provider_receipt_id,
    )
    return StoredReceipt(row.id, receipt, row.provider, row.created_at, row.advance_payment_id)


class SqlReceipts:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        receipt: Receipt,
        provider: str | None,
        now: datetime,
        receipt_id: uuid.UUID,
        advance_payment_id: uuid.UUID | None = None,
    ) -> bool:
        """Store a receipt; False when the payment already has its payment receipt."""
        customer = {
            key: value
            for key, value in (("email", receipt.customer.email), ("phone", receipt.customer.phone))
            if value
        }
        total = receipt.total
        query = (
            insert(receipts)
            .values(
                id=receipt_id,
                payment_id=receipt.payment_id,
                refund_id=receipt.refund_id,
                type=receipt.type.value,
                items=[_item_json(item) for item in receipt.items],
                customer=customer,
                tax_system_code=receipt.tax_system_code,
                currency=total.currency,
                total_minor=total.amount_minor,
                status=receipt.status.value,
                provider=provider,
                provider_receipt_id=receipt.provider_receipt_id,
                advance_payment_id=advance_payment_id,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing()
            .returning(receipts.c.id)
        )
        return (await self._session.execute(query)).first() is not None

    async def of_payment(self, payment_id: uuid.UUID) -> list[StoredReceipt]:
        rows = await self._session.execute(
            select(receipts)
            .where(receipts.c.payment_id == payment_id)
            .order_by(receipts.c.created_at, receipts.c.id)
        )
        return [_stored(row) for row in rows]

    async def get(self, receipt_id: uuid.UUID) -> StoredReceipt | None:
        row = (
            await self._session.execute(select(receipts).where(receipts.c.id == receipt_id))
        ).first()
        return None if row is None else _stored(row)

    async def pending(self, provider: str, limit: int = 100) -> list[StoredReceipt]:
        """Receipts the provider has not confirmed yet, oldest first."""
        rows = await self._session.execute(
            select(receipts)
            .where(
                receipts.c.status == ReceiptStatus.PENDING.value, receipts.c.provider == provider
            )
            .order_by(receipts.c.created_at)
            .limit(limit)
        )
        return [_stored(row) for row in rows]

    async def awaiting_fiscal_answer(
        self, payment_ids: list[uuid.UUID], receipt_type: ReceiptType, total_minor: int
    ) -> list[StoredReceipt]:
        """Pending receipts of these payments (theirs, or closing receipts registered against
        them as advances) of this type and total, oldest first, locked: what a provider's
        fiscal notification, which names only the payment and the amount, can be about."""
        rows = await self._session.execute(
            select(receipts)
            .where(
                (receipts.c.payment_id.in_(payment_ids))
                | (receipts.c.advance_payment_id.in_(payment_ids)),
                receipts.c.type == receipt_type.value,
                receipts.c.total_minor == total_minor,
                receipts.c.status == ReceiptStatus.PENDING.value,
            )
            .order_by(receipts.c.created_at, receipts.c.id)
            .with_for_update()
        )
        return [_stored(row) for row in rows]

    async def find_by_provider_receipt_id(self, provider_receipt_id: str) -> StoredReceipt | None:
        row = (
            await self._session.execute(
                select(receipts).where(receipts.c.provider_receipt_id == provider_receipt_id)
            )
        ).first()
        return None if row is None else _stored(row)

    async def answered(
        self, payment_id: uuid.UUID, receipt_type: ReceiptType, total_minor: int
    ) -> bool:
        """Whether a receipt of this payment (or offsetting it) of this type and total has its
        provider's answer already."""
        query = select(receipts.c.id).where(
            (receipts.c.payment_id == payment_id) | (receipts.c.advance_payment_id == payment_id),
            receipts.c.type == receipt_type.value,
            receipts.c.total_minor == total_minor,
            receipts.c.status != ReceiptStatus.PENDING.value,
        )
        return (await self._session.execute(query.limit(1))).first() is not None

    async def record_provider_state(
        self,
        receipt_id: uuid.UUID,
        provider_receipt_id: str,
        status: ReceiptStatus,
        now: datetime,
    ) -> None:
        """The provider's word on a pending receipt. A receipt the provider already answered
        for stays as it is: a late write (a closing receipt's "sent" mark landing after
        T-Bank's fiscal notification) never turns it back to pending."""
        await self._session.execute(
            update(receipts)
            .where(receipts.c.id == receipt_id, receipts.c.status == ReceiptStatus.PENDING.value)
            .values(provider_receipt_id=provider_receipt_id, status=status.value, updated_at=now)
        )


async def remember_contact(
    session: AsyncSession, payment_id: uuid.UUID, customer: Customer, now: datetime
) -> None:
    await session.execute(
        insert(receipt_contacts)
        .values(payment_id=payment_id, email=customer.email, phone=customer.phone, created_at=now)
        .on_conflict_do_nothing()
    )


async def contact_of(session: AsyncSession, payment_id: uuid.UUID) -> Customer | None:
    row = (
        await session.execute(
            select(receipt_contacts).where(receipt_contacts.c.payment_id == payment_id)
        )
    ).first()
    return None if row is None else Customer(email=row.email, phone=row.phone)
