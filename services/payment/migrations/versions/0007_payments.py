"""Payments: one row per payment, its state machine's state and the provider's ids.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "payments",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("reference", sa.String(255), nullable=True),
        sa.Column("game_id", UUID(as_uuid=True), nullable=True),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("wallet_amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("captured_amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("refunded_amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("method", sa.String(16), nullable=True),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("cancellation_reason", sa.String(48), nullable=True),
        sa.Column("region", sa.String(2), nullable=False),
        sa.Column("provider", sa.String(16), nullable=True),
        sa.Column("provider_payment_id", sa.String(64), nullable=True),
        sa.Column("confirmation_url", sa.Text(), nullable=True),
        sa.Column("saved_method_id", UUID(as_uuid=True), nullable=True),
        sa.Column("save_method", sa.Boolean(), nullable=False),
        sa.Column("metadata", JSONB(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("succeeded_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_payments"),
        sa.UniqueConstraint("provider", "provider_payment_id", name="uq_payments_provider_payment"),
        sa.CheckConstraint(
            "amount_minor > 0 AND wallet_amount_minor BETWEEN 0 AND amount_minor "
            "AND captured_amount_minor BETWEEN 0 AND amount_minor "
            "AND refunded_amount_minor BETWEEN 0 AND captured_amount_minor",
            name="ck_payments_amounts",
        ),
    )
    op.create_index("ix_payments_user_id", "payments", ["user_id", "created_at"])


def downgrade() -> None:
    op.drop_table("payments")
