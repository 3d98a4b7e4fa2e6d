"""Subscriptions: one row per user's subscription to a plan; one LIVE per (user, plan type).

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

_LIVE = "status IN ('active', 'cancelled', 'incomplete', 'pending_payment', 'suspended', 'trial')"


def upgrade() -> None:
    op.create_table(
        "subscriptions",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("plan_id", UUID(as_uuid=True), nullable=False),
        sa.Column("plan_type", sa.String(16), nullable=False),
        sa.Column("billing_period", sa.String(16), nullable=False),
        sa.Column("region", sa.String(2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("price_minor", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("auto_renew", sa.Boolean(), nullable=False),
        sa.Column("time_zone", sa.String(64), nullable=False),
        sa.Column("anchor_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("current_period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("current_period_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("trial_end_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("grace_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("suspended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancellation_reason", sa.String(500), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("saved_method_id", sa.String(128), nullable=True),
        sa.Column("scheduled_plan_id", UUID(as_uuid=True), nullable=True),
        sa.Column("scheduled_billing_period", sa.String(16), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_subscriptions"),
        sa.CheckConstraint(
            "status IN ('active', 'cancelled', 'expired', 'incomplete', 'pending_payment', "
            "'suspended', 'trial')",
            name=op.f("ck_subscriptions_status"),
        ),
        sa.CheckConstraint(
            "plan_type IN ('basic', 'corporate', 'family', 'premium', 'student')",
            name=op.f("ck_subscriptions_plan_type"),
        ),
        sa.CheckConstraint(
            "billing_period IN ('monthly', 'quarterly', 'yearly')",
            name=op.f("ck_subscriptions_billing_period"),
        ),
        sa.CheckConstraint("price_minor >= 0", name=op.f("ck_subscriptions_price_not_negative")),
        sa.CheckConstraint(
            "current_period_end >= current_period_start",
            name=op.f("ck_subscriptions_period_forward"),
        ),
    )
    op.create_index(
        "uq_subscriptions_live_user_plan_type",
        "subscriptions",
        ["user_id", "plan_type"],
        unique=True,
        postgresql_where=sa.text(_LIVE),
    )
    op.create_index(
        "ix_subscriptions_user_id_created_at", "subscriptions", ["user_id", "created_at", "id"]
    )
    op.create_index(
        "ix_subscriptions_status_current_period_end",
        "subscriptions",
        ["status", "current_period_end"],
    )


def downgrade() -> None:
    op.drop_index("ix_subscriptions_status_current_period_end", table_name="subscriptions")
    op.drop_index("ix_subscriptions_user_id_created_at", table_name="subscriptions")
    op.drop_index("uq_subscriptions_live_user_plan_type", table_name="subscriptions")
    op.drop_table("subscriptions")
