"""Review and releases: submissions to moderation with their decisions, greenlight's decisions
(read model), and each game's release history (publications and rollbacks).

Revision ID: 0010
Revises: 0006
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0010"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "review_submissions",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("game_id", UUID(as_uuid=True), nullable=False),
        sa.Column("version_id", UUID(as_uuid=True), nullable=False),
        sa.Column("developer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("submitted_by_user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("api_key_id", UUID(as_uuid=True), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("note", sa.String(4000), nullable=True),
        sa.Column("moderator_id", UUID(as_uuid=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_review_submissions"),
        sa.ForeignKeyConstraint(
            ["game_id"], ["games.id"], name="fk_review_submissions_game_id_games"
        ),
        sa.CheckConstraint(
            "outcome IN ('approved', 'rejected')", name=op.f("ck_review_submissions_outcome_known")
        ),
        sa.CheckConstraint(
            "(outcome IS NULL) = (decided_at IS NULL)",
            name=op.f("ck_review_submissions_decided_when_decided"),
        ),
    )
    op.create_index(
        "ix_review_submissions_version_id", "review_submissions", ["version_id", "submitted_at"]
    )
    op.create_index(
        "uq_review_submissions_pending_version",
        "review_submissions",
        ["version_id"],
        unique=True,
        postgresql_where=sa.text("outcome IS NULL"),
    )
    op.create_table(
        "greenlight_decisions",
        sa.Column("submission_id", UUID(as_uuid=True), nullable=False),
        sa.Column("game_id", UUID(as_uuid=True), nullable=False),
        sa.Column("developer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("approved", sa.Boolean(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("submission_id", name="pk_greenlight_decisions"),
    )
    op.create_index("ix_greenlight_decisions_game_id", "greenlight_decisions", ["game_id"])
    op.create_table(
        "game_releases",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("game_id", UUID(as_uuid=True), nullable=False),
        sa.Column("developer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("from_version_id", UUID(as_uuid=True), nullable=True),
        sa.Column("to_version_id", UUID(as_uuid=True), nullable=False),
        sa.Column("by_user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("api_key_id", UUID(as_uuid=True), nullable=True),
        sa.Column("reason", sa.String(1000), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_game_releases"),
        sa.ForeignKeyConstraint(["game_id"], ["games.id"], name="fk_game_releases_game_id_games"),
        sa.CheckConstraint(
            "kind IN ('publication', 'rollback')", name=op.f("ck_game_releases_kind_known")
        ),
        sa.CheckConstraint(
            "kind = 'publication' OR from_version_id IS NOT NULL",
            name=op.f("ck_game_releases_rollback_has_from"),
        ),
    )
    op.create_index("ix_game_releases_game_id", "game_releases", ["game_id", "released_at"])


def downgrade() -> None:
    op.drop_index("ix_game_releases_game_id", table_name="game_releases")
    op.drop_table("game_releases")
    op.drop_index("ix_greenlight_decisions_game_id", table_name="greenlight_decisions")
    op.drop_table("greenlight_decisions")
    op.drop_index("uq_review_submissions_pending_version", table_name="review_submissions")
    op.drop_index("ix_review_submissions_version_id", table_name="review_submissions")
    op.drop_table("review_submissions")
