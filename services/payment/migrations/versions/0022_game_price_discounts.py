"""Discounts of the price table (developer-portal's developer.game.price.changed.v1 carries them).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "game_price_discounts",
        sa.Column("game_id", UUID(as_uuid=True), nullable=False),
        sa.Column("discount_id", UUID(as_uuid=True), nullable=False),
        sa.Column("percent", sa.SmallInteger(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("game_id", "discount_id", name="pk_game_price_discounts"),
        sa.ForeignKeyConstraint(
            ["game_id"],
            ["game_prices.game_id"],
            name="fk_game_price_discounts_game_id_game_prices",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(
            "percent BETWEEN 1 AND 99", name=op.f("ck_game_price_discounts_percent_range")
        ),
        sa.CheckConstraint(
            "starts_at < ends_at", name=op.f("ck_game_price_discounts_period_order")
        ),
    )
    op.create_index(
        "ix_game_price_discounts_game_id_starts_at",
        "game_price_discounts",
        ["game_id", "starts_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_game_price_discounts_game_id_starts_at", table_name="game_price_discounts")
    op.drop_table("game_price_discounts")
