"""Developer accounts, team members, games.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "developer_accounts",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("owner_user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("company_name", sa.String(255), nullable=False),
        sa.Column("display_name", sa.String(255), nullable=False),
        sa.Column("legal_entity_type", sa.String(32), nullable=False),
        sa.Column("tax_id", sa.String(32), nullable=False),
        sa.Column("contact_email", sa.String(255), nullable=False),
        sa.Column("country_code", sa.String(2), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("publishing_track", sa.String(16), nullable=False),
        sa.Column("verified", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_developer_accounts"),
    )
    op.create_table(
        "team_members",
        sa.Column("developer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("developer_id", "user_id", name="pk_team_members"),
        sa.ForeignKeyConstraint(
            ["developer_id"],
            ["developer_accounts.id"],
            name="fk_team_members_developer_id_developer_accounts",
        ),
    )
    op.create_index("uq_team_members_user_id", "team_members", ["user_id"], unique=True)
    op.create_table(
        "games",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("developer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("product_type", sa.String(16), nullable=False),
        sa.Column("parent_game_id", UUID(as_uuid=True), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_by_user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("description", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_games"),
        sa.ForeignKeyConstraint(
            ["developer_id"],
            ["developer_accounts.id"],
            name="fk_games_developer_id_developer_accounts",
        ),
        sa.ForeignKeyConstraint(
            ["parent_game_id"], ["games.id"], name="fk_games_parent_game_id_games"
        ),
    )
    op.create_index("ix_games_developer_id", "games", ["developer_id"])
    op.create_index(
        "uq_games_developer_title",
        "games",
        ["developer_id", sa.text("lower(title)")],
        unique=True,
    )


def downgrade() -> None:
    op.drop_table("games")
    op.drop_table("team_members")
    op.drop_table("developer_accounts")
