"""Discounts and promo periods of game prices (issue #13 item 7).

Revision ID: 0012
Revises: 0006
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0012"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "game_discounts",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("game_id", UUID(as_uuid=True), nullable=False),
        sa.Column("percent", sa.SmallInteger(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("name", sa.String(100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_user_id", UUID(as_uuid=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_game_discounts"),
        sa.ForeignKeyConstraint(["game_id"], ["games.id"], name="fk_game_discounts_game_id_games"),
        sa.CheckConstraint(
            "percent BETWEEN 1 AND 99", name=op.f("ck_game_discounts_percent_range")
        ),
        sa.CheckConstraint("starts_at < ends_at", name=op.f("ck_game_discounts_period_order")),
    )
    op.create_index(
        "ix_game_discounts_game_id_starts_at", "game_discounts", ["game_id", "starts_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_game_discounts_game_id_starts_at", table_name="game_discounts")
    op.drop_table("game_discounts")
