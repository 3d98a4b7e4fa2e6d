"""Donations to streamers, their payouts, and referral payouts.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "donations",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("streamer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("message", sa.String(300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_donations"),
        sa.CheckConstraint("amount_minor > 0", name="ck_donations_amount_positive"),
    )
    op.create_index("ix_donations_streamer_id", "donations", ["streamer_id"])
    op.create_table(
        "referral_payouts",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("reference", sa.String(128), nullable=False),
        sa.Column("user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("destination", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("failure_reason_code", sa.String(32), nullable=True),
        sa.Column("failure_reason_message", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_referral_payouts"),
        sa.CheckConstraint("amount_minor > 0", name="ck_referral_payouts_amount_positive"),
        sa.CheckConstraint("status IN ('completed', 'failed')", name="ck_referral_payouts_status"),
    )
    op.create_table(
        "streamer_payouts",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("streamer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("period_key", sa.String(16), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_streamer_payouts"),
        sa.UniqueConstraint(
            "streamer_id", "period_key", name="uq_streamer_payouts_streamer_period"
        ),
        sa.CheckConstraint("amount_minor > 0", name="ck_streamer_payouts_amount_positive"),
        sa.CheckConstraint("status IN ('held')", name="ck_streamer_payouts_status"),
    )
    op.create_index("ix_referral_payouts_user_id", "referral_payouts", ["user_id"])
    op.create_index(
        "uq_referral_payouts_completed_reference",
        "referral_payouts",
        ["reference"],
        unique=True,
        postgresql_where=sa.text("status = 'completed'"),
    )


def downgrade() -> None:
    op.drop_table("streamer_payouts")
    op.drop_table("referral_payouts")
    op.drop_table("donations")
