"""Versions and builds (issue #13): seed 001's game_versions, and game_builds (one build file
per platform of a version, its multipart upload and its verification lease).

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision: str = "0009"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "game_versions",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("game_id", UUID(as_uuid=True), nullable=False),
        sa.Column("developer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("version_name", sa.String(50), nullable=False),
        sa.Column("status", sa.String(50), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("changelog", JSONB(), nullable=True),
        sa.Column("platforms", JSONB(), server_default=sa.text("'[]'::jsonb"), nullable=False),
        sa.Column("build_s3_path", sa.String(1024), nullable=True),
        sa.Column("build_platform", sa.String(50), nullable=True),
        sa.Column("file_size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("file_hash_sha256", sa.String(64), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_game_versions"),
        sa.ForeignKeyConstraint(
            ["game_id"],
            ["games.id"],
            name="fk_game_versions_game_id_games",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "game_id", "version_name", name="uq_game_versions_game_id_version_name"
        ),
    )
    op.create_index("ix_game_versions_game_id", "game_versions", ["game_id"])
    op.create_table(
        "game_builds",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("version_id", UUID(as_uuid=True), nullable=False),
        sa.Column("game_id", UUID(as_uuid=True), nullable=False),
        sa.Column("developer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("platform", sa.String(50), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("file_size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("s3_path", sa.String(1024), nullable=False),
        sa.Column("upload_type", sa.String(16), nullable=False),
        sa.Column("upload_id", sa.String(1024), nullable=True),
        sa.Column("part_size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("part_count", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("file_hash_sha256", sa.String(64), nullable=True),
        sa.Column("failure_reason", sa.String(32), nullable=True),
        sa.Column("failure_detail", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("leased_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_holder", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_game_builds"),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["game_versions.id"],
            name="fk_game_builds_version_id_game_versions",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_game_builds_version_id", "game_builds", ["version_id"])
    op.create_index(
        "uq_game_builds_live_platform",
        "game_builds",
        ["version_id", "platform"],
        unique=True,
        postgresql_where=sa.text("status <> 'aborted'"),
    )
    op.create_index(
        "ix_game_builds_processing",
        "game_builds",
        ["completed_at"],
        postgresql_where=sa.text("status = 'processing'"),
    )


def downgrade() -> None:
    op.drop_table("game_builds")
    op.drop_table("game_versions")
