"""Merge of issue #13's contexts (games metadata, media, versions and builds, review and
releases, API keys, discounts): one head again, so `alembic upgrade head` works everywhere.

Revision ID: 0013
Revises: 0007, 0008, 0009, 0010, 0011, 0012
Create Date: 2026-12-07
"""

from collections.abc import Sequence

revision: str = "0013"
down_revision: str | Sequence[str] | None = ("0007", "0008", "0009", "0010", "0011", "0012")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
