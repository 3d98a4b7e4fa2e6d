"""Price table: read model of developer-portal's game prices.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "game_prices",
        sa.Column("game_id", UUID(as_uuid=True), nullable=False),
        sa.Column("developer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("is_free", sa.Boolean(), nullable=False),
        sa.Column("base_amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("base_currency", sa.String(3), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_event_id", UUID(as_uuid=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("game_id", name="pk_game_prices"),
        sa.CheckConstraint(
            "(is_free AND base_amount_minor IS NULL AND base_currency IS NULL)"
            " OR (NOT is_free AND base_amount_minor > 0 AND base_currency IS NOT NULL)",
            name=op.f("ck_game_prices_free_or_base_price"),
        ),
    )
    op.create_table(
        "game_regional_prices",
        sa.Column("game_id", UUID(as_uuid=True), nullable=False),
        sa.Column("region", sa.String(2), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.PrimaryKeyConstraint("game_id", "region", name="pk_game_regional_prices"),
        sa.ForeignKeyConstraint(
            ["game_id"],
            ["game_prices.game_id"],
            name="fk_game_regional_prices_game_id_game_prices",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(
            "amount_minor > 0", name=op.f("ck_game_regional_prices_amount_positive")
        ),
    )


def downgrade() -> None:
    op.drop_table("game_regional_prices")
    op.drop_table("game_prices")
