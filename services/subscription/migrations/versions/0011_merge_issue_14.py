"""Merge of issue #14's contexts (plans, subscriptions, trials, charges, devices, read models,
licenses, renewal notices): one head again, so `alembic upgrade head` works everywhere.

Revision ID: 0011
Revises: 0003, 0004, 0005, 0006, 0007, 0008, 0009, 0010
Create Date: 2026-12-07
"""

from collections.abc import Sequence

revision: str = "0011"
down_revision: str | Sequence[str] | None = (
    "0003",
    "0004",
    "0005",
    "0006",
    "0007",
    "0008",
    "0009",
    "0010",
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
