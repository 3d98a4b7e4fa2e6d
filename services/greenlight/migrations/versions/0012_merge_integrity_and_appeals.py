"""Merge of #15's integrity reports, penalties and appeals: one head again.

Revision ID: 0012
Revises: 0009, 0010, 0011
Create Date: 2026-12-08
"""

from collections.abc import Sequence

revision: str = "0012"
down_revision: str | Sequence[str] | None = ("0009", "0010", "0011")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
