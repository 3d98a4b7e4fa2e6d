"""Merge of #16's first step: team invitations, notifications and beta tests: one head again.

Revision ID: 0018
Revises: 0015, 0016, 0017
Create Date: 2026-12-08
"""

from collections.abc import Sequence

revision: str = "0018"
down_revision: str | Sequence[str] | None = ("0015", "0016", "0017")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
