"""Revenue share: game lifetime gross, sales and their maturity, sale reversals.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _money(name: str) -> sa.Column:
    return sa.Column(name, sa.BigInteger(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "game_revenue",
        sa.Column("game_id", UUID(as_uuid=True), nullable=False),
        _money("lifetime_gross_minor"),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("game_id", name="pk_game_revenue"),
        sa.CheckConstraint(
            "lifetime_gross_minor >= 0", name="ck_game_revenue_lifetime_not_negative"
        ),
    )
    op.create_table(
        "game_revenue_currencies",
        sa.Column("game_id", UUID(as_uuid=True), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        _money("gross_minor"),
        _money("refunded_minor"),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("game_id", "currency", name="pk_game_revenue_currencies"),
        sa.CheckConstraint(
            "0 <= refunded_minor AND refunded_minor <= gross_minor",
            name="ck_game_revenue_currencies_amounts",
        ),
    )
    op.create_table(
        "game_sales",
        sa.Column("payment_id", UUID(as_uuid=True), nullable=False),
        sa.Column("game_id", UUID(as_uuid=True), nullable=False),
        sa.Column("developer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("region", sa.String(2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        _money("gross_minor"),
        _money("developer_minor"),
        _money("platform_minor"),
        _money("tier_weight_minor"),
        _money("lifetime_before_minor"),
        _money("reversed_gross_minor"),
        _money("reversed_developer_minor"),
        _money("reversed_platform_minor"),
        _money("reversed_tier_weight_minor"),
        sa.Column("ledger_transaction_id", UUID(as_uuid=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("available_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_minor", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("payment_id", name="pk_game_sales"),
        sa.CheckConstraint(
            "gross_minor > 0 AND developer_minor >= 0 AND platform_minor >= 0"
            " AND developer_minor + platform_minor = gross_minor",
            name="ck_game_sales_split",
        ),
        sa.CheckConstraint(
            "reversed_developer_minor BETWEEN 0 AND developer_minor"
            " AND reversed_platform_minor BETWEEN 0 AND platform_minor"
            " AND reversed_developer_minor + reversed_platform_minor = reversed_gross_minor"
            " AND reversed_tier_weight_minor BETWEEN 0 AND tier_weight_minor",
            name="ck_game_sales_reversals",
        ),
        sa.CheckConstraint(
            "(released_at IS NULL) = (released_minor IS NULL)", name="ck_game_sales_release"
        ),
    )
    op.create_index("ix_game_sales_game_id", "game_sales", ["game_id"])
    op.create_index("ix_game_sales_developer_id", "game_sales", ["developer_id", "recorded_at"])
    op.create_index(
        "ix_game_sales_unreleased",
        "game_sales",
        ["available_at"],
        postgresql_where=sa.text("released_at IS NULL"),
    )
    op.create_table(
        "game_sale_reversals",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("payment_id", UUID(as_uuid=True), nullable=False),
        sa.Column("refund_id", UUID(as_uuid=True), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        _money("gross_minor"),
        _money("developer_minor"),
        _money("platform_minor"),
        _money("tier_weight_minor"),
        _money("from_pending_minor"),
        _money("from_available_minor"),
        _money("owed_minor"),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_game_sale_reversals"),
        sa.CheckConstraint(
            "gross_minor > 0 AND developer_minor >= 0 AND platform_minor >= 0"
            " AND developer_minor + platform_minor = gross_minor"
            " AND from_pending_minor >= 0 AND from_available_minor >= 0 AND owed_minor >= 0"
            " AND from_pending_minor + from_available_minor + owed_minor = developer_minor",
            name="ck_game_sale_reversals_amounts",
        ),
    )
    op.create_index("ix_game_sale_reversals_payment_id", "game_sale_reversals", ["payment_id"])


def downgrade() -> None:
    op.drop_table("game_sale_reversals")
    op.drop_table("game_sales")
    op.drop_table("game_revenue_currencies")
    op.drop_table("game_revenue")
