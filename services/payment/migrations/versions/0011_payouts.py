"""Developer payouts: one row per payout request, the hold and outcome tracked in the ledger.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "developer_payouts",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("payout_request_id", UUID(as_uuid=True), nullable=False),
        sa.Column("developer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("payout_method_id", UUID(as_uuid=True), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("trigger", sa.String(24), nullable=False),
        sa.Column("requested_by_user_id", UUID(as_uuid=True), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failure_reason_code", sa.String(40), nullable=True),
        sa.Column("failure_reason_message", sa.Text(), nullable=True),
        sa.Column("provider", sa.String(16), nullable=True),
        sa.Column("provider_payout_id", sa.String(64), nullable=True),
        sa.Column("destination", JSONB(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_developer_payouts"),
        sa.UniqueConstraint("payout_request_id", name="uq_developer_payouts_payout_request_id"),
        sa.UniqueConstraint("provider_payout_id", name="uq_developer_payouts_provider_payout_id"),
        sa.CheckConstraint("amount_minor > 0", name="ck_developer_payouts_amount_positive"),
        sa.CheckConstraint(
            "status IN ('processing', 'completed', 'failed')", name="ck_developer_payouts_status"
        ),
        sa.CheckConstraint(
            "(status = 'failed') = (failure_reason_code IS NOT NULL)",
            name="ck_developer_payouts_failure_when_failed",
        ),
    )
    op.create_index("ix_developer_payouts_developer_id", "developer_payouts", ["developer_id"])
    op.create_index("ix_developer_payouts_due", "developer_payouts", ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_table("developer_payouts")
