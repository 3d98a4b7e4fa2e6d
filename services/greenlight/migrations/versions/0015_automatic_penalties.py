"""Automatic penalties: the audit of a voting window penalizes the voters it flagged, one
penalty per user and window (``penalties.window_id``, unique with ``user_id``).

Revision ID: 0015
Revises: 0012
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0015"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("penalties", sa.Column("window_id", UUID(as_uuid=True), nullable=True))
    op.create_unique_constraint("uq_penalties_user_window", "penalties", ["user_id", "window_id"])


def downgrade() -> None:
    op.drop_constraint("uq_penalties_user_window", "penalties", type_="unique")
    op.drop_column("penalties", "window_id")
