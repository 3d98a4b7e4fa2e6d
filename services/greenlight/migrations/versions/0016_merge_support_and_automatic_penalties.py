"""Merge of #15's support tickets and the audit's automatic penalties: one head again.

Revision ID: 0016
Revises: 0013, 0015
Create Date: 2026-12-08
"""

from collections.abc import Sequence

revision: str = "0016"
down_revision: str | Sequence[str] | None = ("0013", "0015")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
