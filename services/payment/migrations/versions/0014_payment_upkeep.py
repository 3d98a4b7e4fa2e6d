"""Provider follow-ups: refunds found by the provider's refund id (notifications, polling).

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_refunds_provider_refund_id", "refunds", ["provider_refund_id"])


def downgrade() -> None:
    op.drop_index("ix_refunds_provider_refund_id", table_name="refunds")
