"""Chargebacks (payment disputes).

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chargebacks",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("provider", sa.String(16), nullable=False),
        sa.Column("provider_chargeback_id", sa.String(64), nullable=False),
        sa.Column("payment_id", UUID(as_uuid=True), nullable=False),
        sa.Column("user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("wallet_debited_minor", sa.BigInteger(), nullable=True),
        sa.Column("user_owed_minor", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.String(255), nullable=True),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_chargebacks"),
        sa.UniqueConstraint(
            "provider", "provider_chargeback_id", name="uq_chargebacks_provider_chargeback"
        ),
        sa.CheckConstraint("amount_minor > 0", name="ck_chargebacks_amount_positive"),
        sa.CheckConstraint("status IN ('opened', 'won', 'lost')", name="ck_chargebacks_status"),
        sa.CheckConstraint(
            "(status = 'opened') = (resolved_at IS NULL)", name="ck_chargebacks_resolution"
        ),
        sa.CheckConstraint(
            "(wallet_debited_minor IS NULL) = (user_owed_minor IS NULL)"
            " AND coalesce(wallet_debited_minor, 0) >= 0 AND coalesce(user_owed_minor, 0) >= 0"
            " AND coalesce(wallet_debited_minor + user_owed_minor, amount_minor) = amount_minor",
            name="ck_chargebacks_top_up_parts",
        ),
    )
    op.create_index("ix_chargebacks_payment_id", "chargebacks", ["payment_id"])
    op.create_index(
        "ix_chargebacks_open_user",
        "chargebacks",
        ["user_id"],
        postgresql_where=sa.text("status = 'opened'"),
    )


def downgrade() -> None:
    op.drop_table("chargebacks")
