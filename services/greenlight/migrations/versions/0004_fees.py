"""Submission fees (issue #15, fees): one row per attempt, unique (submission, attempt), and at
most one paid fee per submission.

Revision ID: 0004
Revises: 0002
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0004"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fees",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("submission_id", UUID(as_uuid=True), nullable=False),
        sa.Column("user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("payment_id", UUID(as_uuid=True), nullable=True),
        sa.Column("confirmation_url", sa.String(2000), nullable=True),
        sa.Column("refund_id", UUID(as_uuid=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_fees"),
        sa.UniqueConstraint("submission_id", "attempt", name="uq_fees_submission_attempt"),
        sa.CheckConstraint(
            "status IN ('awaiting_payment', 'paid', 'payment_cancelled', 'refund_pending', "
            "'refunded', 'refund_failed')",
            name=op.f("ck_fees_status_known"),
        ),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_fees_amount_positive")),
        sa.CheckConstraint("attempt >= 1", name=op.f("ck_fees_attempt_positive")),
    )
    op.create_index(
        "uq_fees_one_paid_per_submission",
        "fees",
        ["submission_id"],
        unique=True,
        postgresql_where=sa.text("status = 'paid'"),
    )
    op.create_index("ix_fees_payment_id", "fees", ["payment_id"])


def downgrade() -> None:
    op.drop_index("ix_fees_payment_id", table_name="fees")
    op.drop_index("uq_fees_one_paid_per_submission", table_name="fees")
    op.drop_table("fees")
