"""Support tickets and their append-only messages.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "support_tickets",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("developer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("opened_by", UUID(as_uuid=True), nullable=False),
        sa.Column("submission_id", UUID(as_uuid=True), nullable=True),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("priority", sa.String(8), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("description", sa.String(10000), nullable=False),
        sa.Column("attachments", JSONB, nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("assignee_id", UUID(as_uuid=True), nullable=True),
        sa.Column("first_response_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_tickets")),
        sa.CheckConstraint(
            "type IN ('technical', 'business', 'marketing', 'legal', 'mentorship')",
            name=op.f("ck_support_tickets_type_known"),
        ),
        sa.CheckConstraint(
            "priority IN ('low', 'normal', 'high', 'urgent')",
            name=op.f("ck_support_tickets_priority_known"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'in_progress', 'waiting_for_developer', 'resolved', 'closed')",
            name=op.f("ck_support_tickets_status_known"),
        ),
    )
    op.create_index(
        "ix_support_tickets_developer_created",
        "support_tickets",
        ["developer_id", "created_at", "id"],
    )
    op.create_index("ix_support_tickets_created", "support_tickets", ["created_at", "id"])
    op.create_index("ix_support_tickets_due", "support_tickets", ["first_response_due_at", "id"])
    op.create_table(
        "support_messages",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("seq", sa.BigInteger, sa.Identity(always=True), nullable=False),
        sa.Column("ticket_id", UUID(as_uuid=True), nullable=False),
        sa.Column("author_id", UUID(as_uuid=True), nullable=False),
        sa.Column("author_kind", sa.String(16), nullable=False),
        sa.Column("body", sa.String(10000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_messages")),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["support_tickets.id"],
            name=op.f("fk_support_messages_ticket_id_support_tickets"),
        ),
        sa.CheckConstraint(
            "author_kind IN ('developer', 'support')",
            name=op.f("ck_support_messages_author_kind_known"),
        ),
    )
    op.create_index("ix_support_messages_ticket_seq", "support_messages", ["ticket_id", "seq"])


def downgrade() -> None:
    op.drop_index("ix_support_messages_ticket_seq", table_name="support_messages")
    op.drop_table("support_messages")
    op.drop_index("ix_support_tickets_due", table_name="support_tickets")
    op.drop_index("ix_support_tickets_created", table_name="support_tickets")
    op.drop_index("ix_support_tickets_developer_created", table_name="support_tickets")
    op.drop_table("support_tickets")
