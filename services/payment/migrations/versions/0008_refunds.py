"""Refunds: full or partial returns of a succeeded payment, with their review and outcome.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "refunds",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("payment_id", UUID(as_uuid=True), nullable=False),
        sa.Column("user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("to_method_minor", sa.BigInteger(), nullable=False),
        sa.Column("to_wallet_minor", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("destination", sa.String(24), nullable=False),
        sa.Column("requested_destination", sa.String(24), nullable=False),
        sa.Column("requested_by", sa.String(200), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("review_decision", sa.String(16), nullable=True),
        sa.Column("decided_by", sa.String(200), nullable=True),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("provider_refund_id", sa.String(128), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("succeeded_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_refunds"),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name="fk_refunds_payment_id_payments"
        ),
        sa.CheckConstraint(
            "amount_minor > 0 AND to_method_minor >= 0 AND to_wallet_minor >= 0 "
            "AND to_method_minor + to_wallet_minor = amount_minor",
            name="ck_refunds_amounts",
        ),
    )
    op.create_index("ix_refunds_payment_id", "refunds", ["payment_id", "created_at"])
    op.create_index("ix_refunds_status", "refunds", ["status", "created_at"])


def downgrade() -> None:
    op.drop_table("refunds")
