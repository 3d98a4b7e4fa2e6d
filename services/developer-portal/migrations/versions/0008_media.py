"""Media of games: screenshots, trailers and capsules per locale, uploaded to S3.

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0008"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "game_media",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("game_id", UUID(as_uuid=True), nullable=False),
        sa.Column("developer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("media_type", sa.String(16), nullable=False),
        sa.Column("language_code", sa.String(16), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("file_size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("object_key", sa.String(1024), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("rejection_code", sa.String(64), nullable=True),
        sa.Column("rejection_reason", sa.Text(), nullable=True),
        sa.Column("rejection_reason_ru", sa.Text(), nullable=True),
        sa.Column("created_by_user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_game_media"),
        sa.ForeignKeyConstraint(["game_id"], ["games.id"], name="fk_game_media_game_id_games"),
        sa.ForeignKeyConstraint(
            ["developer_id"],
            ["developer_accounts.id"],
            name="fk_game_media_developer_id_developer_accounts",
        ),
        sa.CheckConstraint(
            "media_type IN ('screenshot', 'trailer', 'capsule')",
            name=op.f("ck_game_media_media_type_known"),
        ),
        sa.CheckConstraint(
            "status IN ('pending_upload', 'ready', 'rejected')",
            name=op.f("ck_game_media_status_known"),
        ),
        sa.CheckConstraint(
            "(status = 'ready') = (position IS NOT NULL)",
            name=op.f("ck_game_media_position_when_ready"),
        ),
        sa.CheckConstraint("file_size_bytes > 0", name=op.f("ck_game_media_file_size_positive")),
        sa.UniqueConstraint(
            "game_id",
            "language_code",
            "media_type",
            "position",
            name="uq_game_media_list_position",
            deferrable=True,
            initially="DEFERRED",
        ),
    )
    op.create_index("ix_game_media_game_id_status", "game_media", ["game_id", "status"])
    op.create_index(
        "ix_game_media_pending_created_at",
        "game_media",
        ["created_at"],
        postgresql_where=sa.text("status = 'pending_upload'"),
    )


def downgrade() -> None:
    op.drop_index("ix_game_media_pending_created_at", table_name="game_media")
    op.drop_index("ix_game_media_game_id_status", table_name="game_media")
    op.drop_table("game_media")
