"""54-FZ receipts that offset an advance: purchases paid wholly from the wallet (the top-up),
a preorder's release (its prepayment).

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("receipts", sa.Column("advance_payment_id", UUID(as_uuid=True), nullable=True))
    op.drop_index("uq_receipts_payment", table_name="receipts")
    op.create_index(
        "uq_receipts_payment",
        "receipts",
        ["payment_id"],
        unique=True,
        postgresql_where=sa.text("type = 'payment' AND advance_payment_id IS NULL"),
    )
    op.create_index(
        "uq_receipts_payment_offset",
        "receipts",
        ["payment_id"],
        unique=True,
        postgresql_where=sa.text("type = 'payment' AND advance_payment_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_receipts_payment_offset", table_name="receipts")
    op.drop_index("uq_receipts_payment", table_name="receipts")
    op.create_index(
        "uq_receipts_payment",
        "receipts",
        ["payment_id"],
        unique=True,
        postgresql_where=sa.text("type = 'payment'"),
    )
    op.drop_column("receipts", "advance_payment_id")
