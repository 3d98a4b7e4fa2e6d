"""Renewal notices and attempts (issue #14, billing renewals): one
``subscription.renewal.upcoming.v1`` per (subscription, charge time); the saved method each
renewal charge used (a card bound since is charged at once).

Revision ID: 0010
Revises: 0002
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0010"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "renewal_notices",
        sa.Column("subscription_id", UUID(as_uuid=True), nullable=False),
        sa.Column("renews_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("subscription_id", "renews_at", name="pk_renewal_notices"),
    )
    op.create_table(
        "renewal_attempts",
        sa.Column("charge_id", UUID(as_uuid=True), nullable=False),
        sa.Column("subscription_id", UUID(as_uuid=True), nullable=False),
        sa.Column("saved_method_id", sa.String(128), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("charge_id", name="pk_renewal_attempts"),
    )
    op.create_index(
        "ix_renewal_attempts_subscription_id_saved_method_id",
        "renewal_attempts",
        ["subscription_id", "saved_method_id"],
    )


def downgrade() -> None:
    op.drop_table("renewal_attempts")
    op.drop_table("renewal_notices")
