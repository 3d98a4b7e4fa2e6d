"""Preorders.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "preorders",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("game_id", UUID(as_uuid=True), nullable=False),
        sa.Column("region", sa.String(2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("price_minor", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("prepayment_minor", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("prepayment_payment_id", UUID(as_uuid=True), nullable=True),
        sa.Column("remainder_payment_id", UUID(as_uuid=True), nullable=True),
        sa.Column("saved_method_id", UUID(as_uuid=True), nullable=True),
        sa.Column("remainder_attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.String(24), nullable=True),
        sa.Column("refund_due", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_preorders"),
        sa.CheckConstraint(
            "0 < prepayment_minor AND prepayment_minor <= price_minor",
            name="ck_preorders_prepayment_in_price",
        ),
        sa.CheckConstraint("kind IN ('full', 'partial')", name="ck_preorders_kind"),
        sa.CheckConstraint("remainder_attempts >= 0", name="ck_preorders_attempts_not_negative"),
    )
    op.create_index("ix_preorders_user_id", "preorders", ["user_id", "created_at"])
    op.create_index("ix_preorders_game_id", "preorders", ["game_id"])
    op.create_index(
        "ix_preorders_due",
        "preorders",
        ["status"],
        postgresql_where=sa.text("status <> 'completed' AND (status <> 'cancelled' OR refund_due)"),
    )
    op.create_table(
        "game_releases",
        sa.Column("game_id", UUID(as_uuid=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("game_id", name="pk_game_releases"),
    )


def downgrade() -> None:
    op.drop_table("game_releases")
    op.drop_table("preorders")
