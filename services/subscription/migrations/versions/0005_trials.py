"""Trials taken: once per user per plan type (the primary key).

Revision ID: 0005
Revises: 0002
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0005"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "trials",
        sa.Column("user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("plan_type", sa.String(16), nullable=False),
        sa.Column("subscription_id", UUID(as_uuid=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "plan_type", name="pk_trials"),
        sa.UniqueConstraint("subscription_id", name="uq_trials_subscription_id"),
        sa.CheckConstraint(
            "outcome IN ('running', 'converted', 'expired')", name=op.f("ck_trials_outcome")
        ),
        sa.CheckConstraint("ends_at > started_at", name=op.f("ck_trials_ends_after_start")),
    )


def downgrade() -> None:
    op.drop_table("trials")
