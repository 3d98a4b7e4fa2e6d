"""Plans: plans, their price history per region and period, their catalogs.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plans",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("description", sa.String(2000), nullable=False),
        sa.Column("plan_type", sa.String(16), nullable=False),
        sa.Column("features", JSONB(), nullable=False),
        sa.Column("trial_days", sa.Integer(), nullable=False),
        sa.Column("max_devices", sa.Integer(), nullable=False),
        sa.Column("new_releases", sa.Boolean(), nullable=False),
        sa.Column("new_release_days", sa.Integer(), nullable=False),
        sa.Column("available_regions", ARRAY(sa.String(2)), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_plans"),
        sa.CheckConstraint("status IN ('active', 'retired')", name=op.f("ck_plans_status_known")),
        sa.CheckConstraint("trial_days >= 0", name=op.f("ck_plans_trial_days_not_negative")),
        sa.CheckConstraint("max_devices >= 1", name=op.f("ck_plans_max_devices_positive")),
        sa.CheckConstraint(
            "new_release_days >= 1", name=op.f("ck_plans_new_release_days_positive")
        ),
    )
    op.create_table(
        "plan_prices",
        sa.Column("plan_id", UUID(as_uuid=True), nullable=False),
        sa.Column("region", sa.String(2), nullable=False),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("effective_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("existing_from", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "plan_id", "region", "period", "effective_from", name="pk_plan_prices"
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name="fk_plan_prices_plan_id_plans", ondelete="CASCADE"
        ),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_plan_prices_amount_positive")),
        sa.CheckConstraint(
            "existing_from >= effective_from", name=op.f("ck_plan_prices_notice_not_negative")
        ),
    )
    op.create_table(
        "plan_catalog",
        sa.Column("plan_id", UUID(as_uuid=True), nullable=False),
        sa.Column("game_id", UUID(as_uuid=True), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removal_announced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("removal_effective_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("plan_id", "game_id", name="pk_plan_catalog"),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name="fk_plan_catalog_plan_id_plans", ondelete="CASCADE"
        ),
        sa.CheckConstraint(
            "mode IN ('included', 'excluded')", name=op.f("ck_plan_catalog_mode_known")
        ),
        sa.CheckConstraint(
            "removal_effective_at IS NULL OR mode = 'included'",
            name=op.f("ck_plan_catalog_removal_of_included"),
        ),
    )


def downgrade() -> None:
    op.drop_table("plan_catalog")
    op.drop_table("plan_prices")
    op.drop_table("plans")
