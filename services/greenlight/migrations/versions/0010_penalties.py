"""Penalties: warnings, voting and account suspensions, permanent bans; revocation and appeal.

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0010"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "penalties",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("type", sa.String(24), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("submission_id", UUID(as_uuid=True), nullable=True),
        sa.Column("issued_by", UUID(as_uuid=True), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", UUID(as_uuid=True), nullable=True),
        sa.Column("appealed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("appeal_text", sa.String(2000), nullable=True),
        sa.Column("appeal_decision", sa.String(16), nullable=True),
        sa.Column("appeal_decided_by", UUID(as_uuid=True), nullable=True),
        sa.Column("appeal_decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_penalties"),
        sa.CheckConstraint(
            "type IN ('warning', 'voting_suspension', 'account_suspension', 'permanent_ban')",
            name=op.f("ck_penalties_type_known"),
        ),
        sa.CheckConstraint(
            "appeal_decision IS NULL OR appeal_decision IN ('upheld', 'revoked')",
            name=op.f("ck_penalties_appeal_decision_known"),
        ),
    )
    op.create_index("ix_penalties_user_id", "penalties", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_penalties_user_id", table_name="penalties")
    op.drop_table("penalties")
