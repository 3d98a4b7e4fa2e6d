"""Appeals of rejected submissions: one per submission (a unique index), the decision and who
made it, the window an approved appeal opened.

Revision ID: 0011
Revises: 0008
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision: str = "0011"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "appeals",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("submission_id", UUID(as_uuid=True), nullable=False),
        sa.Column("developer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("filed_by", UUID(as_uuid=True), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("explanation", sa.String(4000), nullable=False),
        sa.Column("improvements", JSONB, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decision", sa.String(16), nullable=True),
        sa.Column("decided_by", UUID(as_uuid=True), nullable=True),
        sa.Column("decided_by_role", sa.String(16), nullable=True),
        sa.Column("notes", sa.String(2000), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("window_id", UUID(as_uuid=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeals")),
        sa.CheckConstraint(
            "reason IN ('technical_issues', 'misunderstanding', 'significant_improvements', "
            "'procedural_error', 'bias_claim')",
            name=op.f("ck_appeals_reason_known"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'decided')", name=op.f("ck_appeals_status_known")
        ),
        sa.CheckConstraint(
            "decision IS NULL OR decision IN ('approved', 'rejected')",
            name=op.f("ck_appeals_decision_known"),
        ),
        sa.CheckConstraint(
            "(status = 'pending') = "
            "(decision IS NULL AND decided_by IS NULL AND decided_at IS NULL)",
            name=op.f("ck_appeals_decided_has_decision"),
        ),
    )
    op.create_index("uq_appeals_submission_id", "appeals", ["submission_id"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_appeals_submission_id", table_name="appeals")
    op.drop_table("appeals")
