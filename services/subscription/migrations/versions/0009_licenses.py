"""Offline licenses issued (one row per license; the token stays with the launcher).

Revision ID: 0009
Revises: 0002
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0009"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "offline_licenses",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("game_id", UUID(as_uuid=True), nullable=False),
        sa.Column("device_id", sa.String(128), nullable=False),
        sa.Column("subscription_id", UUID(as_uuid=True), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_offline_licenses"),
        sa.CheckConstraint(
            "expires_at > issued_at", name=op.f("ck_offline_licenses_expires_after_issue")
        ),
    )
    op.create_index(
        "ix_offline_licenses_user_game_device",
        "offline_licenses",
        ["user_id", "game_id", "device_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_offline_licenses_user_game_device", table_name="offline_licenses")
    op.drop_table("offline_licenses")
