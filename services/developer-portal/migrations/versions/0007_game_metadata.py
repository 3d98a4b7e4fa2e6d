"""Games: localized metadata per language, game-level store attributes (age rating, regions,
release date), and the indexes of GET /games (keyset on created_at, id; by status).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("games", sa.Column("age_rating", sa.String(3), nullable=True))
    op.add_column(
        "games",
        sa.Column("regions", ARRAY(sa.String(2)), nullable=False, server_default="{}"),
    )
    op.add_column("games", sa.Column("release_date", sa.Date(), nullable=True))
    op.create_index("ix_games_developer_created", "games", ["developer_id", "created_at", "id"])
    op.create_index(
        "ix_games_developer_status_created",
        "games",
        ["developer_id", "status", "created_at", "id"],
    )
    op.create_table(
        "game_metadata",
        sa.Column("game_id", UUID(as_uuid=True), nullable=False),
        sa.Column("language_code", sa.String(16), nullable=False),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("short_description", sa.String(1000), nullable=True),
        sa.Column("full_description", sa.String(20000), nullable=True),
        sa.Column("tags", ARRAY(sa.String(64)), nullable=False),
        sa.Column("genres", ARRAY(sa.String(64)), nullable=False),
        sa.Column("system_requirements", JSONB(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_user_id", UUID(as_uuid=True), nullable=False),
        sa.PrimaryKeyConstraint("game_id", "language_code", name="pk_game_metadata"),
        sa.ForeignKeyConstraint(
            ["game_id"], ["games.id"], name="fk_game_metadata_game_id_games", ondelete="CASCADE"
        ),
    )


def downgrade() -> None:
    op.drop_table("game_metadata")
    op.drop_index("ix_games_developer_status_created", table_name="games")
    op.drop_index("ix_games_developer_created", table_name="games")
    op.drop_column("games", "release_date")
    op.drop_column("games", "regions")
    op.drop_column("games", "age_rating")
