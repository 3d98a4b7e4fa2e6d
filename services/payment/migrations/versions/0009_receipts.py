"""54-FZ receipts of payments (and refunds), and the buyer's contact each receipt goes to.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "receipts",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("payment_id", UUID(as_uuid=True), nullable=False),
        sa.Column("refund_id", UUID(as_uuid=True), nullable=True),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("items", JSONB(), nullable=False),
        sa.Column("customer", JSONB(), nullable=False),
        sa.Column("tax_system_code", sa.SmallInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("total_minor", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("provider", sa.String(16), nullable=True),
        sa.Column("provider_receipt_id", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_receipts"),
    )
    op.create_index(
        "uq_receipts_payment",
        "receipts",
        ["payment_id"],
        unique=True,
        postgresql_where=sa.text("type = 'payment'"),
    )
    op.create_index("ix_receipts_status", "receipts", ["status", "created_at"])
    op.create_table(
        "receipt_contacts",
        sa.Column("payment_id", UUID(as_uuid=True), nullable=False),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("phone", sa.String(16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("payment_id", name="pk_receipt_contacts"),
    )


def downgrade() -> None:
    op.drop_table("receipt_contacts")
    op.drop_table("receipts")
