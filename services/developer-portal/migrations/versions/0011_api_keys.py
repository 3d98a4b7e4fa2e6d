"""API keys of developer accounts (seed 001's DEVELOPER_API_KEYS).

Revision ID: 0011
Revises: 0006
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0011"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "developer_api_keys",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("developer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_developer_api_keys"),
        sa.ForeignKeyConstraint(
            ["developer_id"],
            ["developer_accounts.id"],
            name="fk_developer_api_keys_developer_id_developer_accounts",
        ),
        sa.UniqueConstraint("prefix", name="uq_developer_api_keys_prefix"),
        sa.UniqueConstraint("key_hash", name="uq_developer_api_keys_key_hash"),
    )
    op.create_index("ix_developer_api_keys_developer_id", "developer_api_keys", ["developer_id"])
    op.create_index(
        "ix_developer_api_keys_active",
        "developer_api_keys",
        ["developer_id"],
        postgresql_where=sa.text("revoked_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_developer_api_keys_active", table_name="developer_api_keys")
    op.drop_index("ix_developer_api_keys_developer_id", table_name="developer_api_keys")
    op.drop_table("developer_api_keys")
