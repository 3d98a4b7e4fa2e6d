"""Submissions: a developer's game put forward for the community's vote; one open per game.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, UUID

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "submissions",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("game_id", UUID(as_uuid=True), nullable=False),
        sa.Column("developer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("submitted_by", UUID(as_uuid=True), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("genres", ARRAY(sa.String(48)), nullable=False),
        sa.Column("target_audience", sa.Text(), nullable=True),
        sa.Column("selling_points", ARRAY(sa.String(500)), nullable=False),
        sa.Column("team", sa.Text(), nullable=True),
        sa.Column("timeline", sa.Text(), nullable=True),
        sa.Column("demo_links", ARRAY(sa.String(2048)), nullable=False),
        sa.Column("business_plan", sa.Text(), nullable=True),
        sa.Column("requested_changes", sa.Text(), nullable=True),
        sa.Column("changes_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fee_paid", sa.Boolean(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("voting_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("voting_ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("flags", ARRAY(sa.String(64)), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_submissions"),
        sa.CheckConstraint(
            "status IN ('active_voting', 'approved', 'draft', 'rejected', 'submitted', "
            "'under_moderation', 'voting_completed', 'withdrawn')",
            name=op.f("ck_submissions_status"),
        ),
    )
    op.create_index(
        "uq_submissions_open_game",
        "submissions",
        ["game_id"],
        unique=True,
        postgresql_where=sa.text("status NOT IN ('rejected', 'withdrawn')"),
    )
    op.create_index(
        "ix_submissions_developer_id_created_at",
        "submissions",
        ["developer_id", "created_at", "id"],
    )
    op.create_index(
        "ix_submissions_status_created_at", "submissions", ["status", "created_at", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_submissions_status_created_at", table_name="submissions")
    op.drop_index("ix_submissions_developer_id_created_at", table_name="submissions")
    op.drop_index("uq_submissions_open_game", table_name="submissions")
    op.drop_table("submissions")
