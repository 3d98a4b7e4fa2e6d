"""Notifications: each developer account's inbox and its sequence numbers (issue #16).

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0016"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "developer_notifications",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("developer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("body", sa.String(4000), nullable=False),
        sa.Column("resource_type", sa.String(40), nullable=False),
        sa.Column("resource_id", UUID(as_uuid=True), nullable=False),
        sa.Column("link_path", sa.Text(), nullable=False),
        sa.Column("source_event_id", UUID(as_uuid=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_developer_notifications"),
        sa.ForeignKeyConstraint(
            ["developer_id"],
            ["developer_accounts.id"],
            name="fk_developer_notifications_developer_id_developer_accounts",
        ),
        sa.UniqueConstraint(
            "developer_id", "source_event_id", name="uq_developer_notifications_source_event"
        ),
        sa.UniqueConstraint("developer_id", "sequence", name="uq_developer_notifications_sequence"),
    )
    op.create_index(
        "ix_developer_notifications_unread",
        "developer_notifications",
        ["developer_id", "sequence"],
        postgresql_where=sa.text("read_at IS NULL"),
    )
    op.create_table(
        "notification_sequences",
        sa.Column("developer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("last_sequence", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("developer_id", name="pk_notification_sequences"),
        sa.ForeignKeyConstraint(
            ["developer_id"],
            ["developer_accounts.id"],
            name="fk_notification_sequences_developer_id_developer_accounts",
        ),
    )


def downgrade() -> None:
    op.drop_table("notification_sequences")
    op.drop_index("ix_developer_notifications_unread", table_name="developer_notifications")
    op.drop_table("developer_notifications")
