"""Renewal notices (issue #14, billing renewals): one ``subscription.renewal.upcoming.v1`` per
(subscription, charge time).

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


def downgrade() -> None:
    op.drop_table("renewal_notices")
