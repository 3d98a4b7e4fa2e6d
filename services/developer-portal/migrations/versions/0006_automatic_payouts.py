"""Automatic monthly payouts: the payout schedule of each account.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "payout_schedules",
        sa.Column("developer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("payout_method_id", UUID(as_uuid=True), nullable=True),
        sa.Column("updated_by_user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("developer_id", name="pk_payout_schedules"),
        sa.ForeignKeyConstraint(
            ["developer_id"],
            ["developer_accounts.id"],
            name="fk_payout_schedules_developer_id_developer_accounts",
        ),
        sa.ForeignKeyConstraint(
            ["payout_method_id"],
            ["payout_methods.id"],
            name="fk_payout_schedules_payout_method_id_payout_methods",
        ),
        sa.CheckConstraint(
            "mode IN ('on_request', 'monthly')", name=op.f("ck_payout_schedules_mode_known")
        ),
        sa.CheckConstraint(
            "mode <> 'monthly' OR payout_method_id IS NOT NULL",
            name=op.f("ck_payout_schedules_monthly_has_method"),
        ),
    )
    op.create_index(
        "ix_payout_schedules_monthly",
        "payout_schedules",
        ["developer_id"],
        postgresql_where=sa.text("mode = 'monthly'"),
    )


def downgrade() -> None:
    op.drop_index("ix_payout_schedules_monthly", table_name="payout_schedules")
    op.drop_table("payout_schedules")
