"""The kit's tables: outbox, inbox, idempotency keys, job runs.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from parovoz_kit.migrations import create_kit_tables, drop_kit_tables

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_kit_tables()


def downgrade() -> None:
    drop_kit_tables()
