"""Moderation: the curator registry, the append-only audit log of moderation actions (a trigger
refuses UPDATE and DELETE of its rows), expert reviews.

Revision ID: 0005
Revises: 0002
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

revision: str = "0005"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "curators",
        sa.Column("user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("specialties", ARRAY(sa.String(50)), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("added_by", UUID(as_uuid=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_curators")),
        sa.CheckConstraint(
            "status IN ('active', 'inactive', 'suspended', 'probation')",
            name=op.f("ck_curators_status_known"),
        ),
    )
    op.create_table(
        "moderation_actions",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("submission_id", UUID(as_uuid=True), nullable=False),
        sa.Column("actor_id", UUID(as_uuid=True), nullable=False),
        sa.Column("actor_role", sa.String(16), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("comment", sa.String(2000), nullable=True),
        sa.Column("required_changes", JSONB, nullable=False),
        sa.Column("changes_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("from_status", sa.String(32), nullable=False),
        sa.Column("to_status", sa.String(32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_actions")),
        sa.CheckConstraint(
            "action IN ('APPROVE', 'REJECT', 'REQUEST_CHANGES', 'ESCALATE_TO_EXPERTS', "
            "'FLAG_FOR_REVIEW')",
            name=op.f("ck_moderation_actions_action_known"),
        ),
    )
    op.create_index(
        "ix_moderation_actions_submission_id_at", "moderation_actions", ["submission_id", "at"]
    )
    op.execute(
        """
        CREATE FUNCTION moderation_actions_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'moderation_actions is append-only: % refused', TG_OP;
        END;
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER moderation_actions_append_only BEFORE UPDATE OR DELETE "
        "ON moderation_actions FOR EACH ROW EXECUTE FUNCTION moderation_actions_append_only()"
    )
    op.create_table(
        "expert_reviews",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("submission_id", UUID(as_uuid=True), nullable=False),
        sa.Column("reviewer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("scores", JSONB, nullable=False),
        sa.Column("overall", sa.SmallInteger, nullable=False),
        sa.Column("strengths", JSONB, nullable=False),
        sa.Column("weaknesses", JSONB, nullable=False),
        sa.Column("recommendations", JSONB, nullable=False),
        sa.Column("is_public", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expert_reviews")),
        sa.UniqueConstraint("submission_id", "reviewer_id", name="uq_expert_reviews_reviewer"),
        sa.CheckConstraint("overall BETWEEN 1 AND 5", name=op.f("ck_expert_reviews_overall_range")),
    )


def downgrade() -> None:
    op.drop_table("expert_reviews")
    op.execute("DROP TRIGGER moderation_actions_append_only ON moderation_actions")
    op.execute("DROP FUNCTION moderation_actions_append_only()")
    op.drop_index("ix_moderation_actions_submission_id_at", table_name="moderation_actions")
    op.drop_table("moderation_actions")
    op.drop_table("curators")
