"""Baseline of the payment database: the schema version everything else builds on.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Deliberately empty: the first tables arrive with the features that own them.
    pass


def downgrade() -> None:
    pass
