"""Charges of subscription periods (issue #14, billing): one row per attempt, and at most one
succeeded first/renewal charge per (subscription, period start).

Revision ID: 0006
Revises: 0002
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0006"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "charges",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("subscription_id", UUID(as_uuid=True), nullable=False),
        sa.Column("user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("payment_id", UUID(as_uuid=True), nullable=True),
        sa.Column("decline_code", sa.String(64), nullable=True),
        sa.Column("hard_decline", sa.Boolean(), nullable=False),
        sa.Column("idempotency_key", sa.String(64), nullable=False),
        sa.Column("refunded_minor", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_charges"),
        sa.UniqueConstraint(
            "subscription_id", "period_start", "kind", "attempt", name="uq_charges_attempt"
        ),
        sa.UniqueConstraint("idempotency_key", name="uq_charges_idempotency_key"),
        sa.CheckConstraint(
            "kind IN ('first', 'renewal', 'upgrade', 'card_check')",
            name=op.f("ck_charges_kind_known"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'succeeded', 'failed', 'refunded')",
            name=op.f("ck_charges_status_known"),
        ),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_charges_amount_positive")),
        sa.CheckConstraint("attempt >= 1", name=op.f("ck_charges_attempt_positive")),
        sa.CheckConstraint(
            "refunded_minor >= 0 AND refunded_minor <= amount_minor",
            name=op.f("ck_charges_refund_within_amount"),
        ),
        sa.CheckConstraint("period_end >= period_start", name=op.f("ck_charges_period_ordered")),
    )
    op.create_index(
        "uq_charges_one_paid_per_period",
        "charges",
        ["subscription_id", "period_start"],
        unique=True,
        postgresql_where=sa.text("status = 'succeeded' AND kind IN ('first', 'renewal')"),
    )
    op.create_index("ix_charges_payment_id", "charges", ["payment_id"])
    op.create_index(
        "ix_charges_subscription_id_created_at", "charges", ["subscription_id", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_charges_subscription_id_created_at", table_name="charges")
    op.drop_index("ix_charges_payment_id", table_name="charges")
    op.drop_index("uq_charges_one_paid_per_period", table_name="charges")
    op.drop_table("charges")
