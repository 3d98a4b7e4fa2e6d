"""Voting windows (issue #15, results): a submission's windows, their audit and final result.

Revision ID: 0007
Revises: 0002
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0007"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "voting_windows",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("submission_id", UUID(as_uuid=True), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("audit_ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("valid_votes", sa.Integer(), nullable=True),
        sa.Column("removed_votes", sa.Integer(), nullable=True),
        sa.Column("weighted_yes", sa.Integer(), nullable=True),
        sa.Column("weighted_no", sa.Integer(), nullable=True),
        sa.Column("approval_basis_points", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(32), nullable=True),
        sa.Column("finalized_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_voting_windows"),
        sa.UniqueConstraint(
            "submission_id", "number", name="uq_voting_windows_submission_id_number"
        ),
        sa.CheckConstraint("status IN ('open', 'audit', 'final')", name="status"),
        sa.CheckConstraint("closes_at > opens_at", name="closes_after_opening"),
    )
    op.create_index(
        "uq_voting_windows_submission_id_running",
        "voting_windows",
        ["submission_id"],
        unique=True,
        postgresql_where=sa.text("status <> 'final'"),
    )
    op.create_index("ix_voting_windows_status_closes_at", "voting_windows", ["status", "closes_at"])


def downgrade() -> None:
    op.drop_table("voting_windows")
