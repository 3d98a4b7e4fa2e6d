"""Manipulation reports (issue #15, integrity): what the audit found in each voting window.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, UUID

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "manipulation_reports",
        sa.Column("window_id", UUID(as_uuid=True), nullable=False),
        sa.Column("submission_id", UUID(as_uuid=True), nullable=False),
        sa.Column("votes_examined", sa.Integer(), nullable=False),
        sa.Column("rate_limit_votes", sa.Integer(), nullable=False),
        sa.Column("burst_votes", sa.Integer(), nullable=False),
        sa.Column("lockstep_votes", sa.Integer(), nullable=False),
        sa.Column("flagged_vote_ids", ARRAY(UUID(as_uuid=True)), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("window_id", name="pk_manipulation_reports"),
    )
    op.create_index(
        "ix_manipulation_reports_submission_id", "manipulation_reports", ["submission_id"]
    )


def downgrade() -> None:
    op.drop_table("manipulation_reports")
