"""Read model of developer-portal's games: game -> developer.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "game_owners",
        sa.Column("game_id", UUID(as_uuid=True), nullable=False),
        sa.Column("developer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("product_type", sa.String(16), nullable=False),
        sa.Column("learned_from", sa.String(8), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("game_id", name="pk_game_owners"),
    )
    op.create_index("ix_game_owners_developer_id", "game_owners", ["developer_id"])


def downgrade() -> None:
    op.drop_table("game_owners")
