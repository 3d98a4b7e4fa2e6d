"""Currency rates: roubles per unit of each currency we take, with their validity start.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "currency_rates",
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rub_per_unit", sa.Numeric(20, 10), nullable=False),
        sa.Column("set_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("currency", "valid_from", name="pk_currency_rates"),
        sa.CheckConstraint("rub_per_unit > 0", name=op.f("ck_currency_rates_rate_positive")),
        sa.CheckConstraint(
            "currency IN ('KZT', 'BYN', 'UAH', 'USD', 'EUR')",
            name=op.f("ck_currency_rates_rated_currency"),
        ),
    )


def downgrade() -> None:
    op.drop_table("currency_rates")
