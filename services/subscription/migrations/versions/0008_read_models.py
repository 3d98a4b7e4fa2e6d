"""Access's read models: games (developer-portal's events) and users (the user service).

Revision ID: 0008
Revises: 0002
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, UUID

revision: str = "0008"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "access_games",
        sa.Column("game_id", UUID(as_uuid=True), nullable=False),
        sa.Column("developer_id", UUID(as_uuid=True), nullable=True),
        sa.Column("product_type", sa.String(16), nullable=True),
        sa.Column("parent_game_id", UUID(as_uuid=True), nullable=True),
        sa.Column("age_rating", sa.String(3), nullable=True),
        sa.Column("regions", ARRAY(sa.String(2)), nullable=False, server_default="{}"),
        sa.Column("release_date", sa.Date(), nullable=True),
        sa.Column("published", sa.Boolean(), nullable=False, server_default="false"),
        sa.Column("metadata_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("listing_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("game_id", name=op.f("pk_access_games")),
        sa.CheckConstraint(
            "age_rating IS NULL OR age_rating IN ('0+', '6+', '12+', '16+', '18+')",
            name=op.f("ck_access_games_age_rating"),
        ),
        sa.CheckConstraint("source IN ('event', 'grpc')", name=op.f("ck_access_games_source")),
    )
    op.create_table(
        "access_users",
        sa.Column("user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("region", sa.String(2), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("blocked", sa.Boolean(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_access_users")),
    )


def downgrade() -> None:
    op.drop_table("access_users")
    op.drop_table("access_games")
