"""Team invitations, and one owner per developer account in the database (issue #16, team).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Exactly one owner: at most one here; the use cases never leave an account without one.
    op.create_index(
        "uq_team_members_one_owner",
        "team_members",
        ["developer_id"],
        unique=True,
        postgresql_where=sa.text("role = 'owner'"),
    )
    op.create_table(
        "team_invitations",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("developer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("invitee_user_id", UUID(as_uuid=True), nullable=True),
        sa.Column("invitee_email", sa.String(255), nullable=True),
        sa.Column("invited_by_user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_by_user_id", UUID(as_uuid=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_team_invitations"),
        sa.ForeignKeyConstraint(
            ["developer_id"],
            ["developer_accounts.id"],
            name="fk_team_invitations_developer_id_developer_accounts",
        ),
    )
    op.create_index(
        "ix_team_invitations_developer_created", "team_invitations", ["developer_id", "created_at"]
    )
    op.create_index(
        "uq_team_invitations_pending_user",
        "team_invitations",
        ["developer_id", "invitee_user_id"],
        unique=True,
        postgresql_where=sa.text("status = 'pending' AND invitee_user_id IS NOT NULL"),
    )
    op.create_index(
        "uq_team_invitations_pending_email",
        "team_invitations",
        ["developer_id", "invitee_email"],
        unique=True,
        postgresql_where=sa.text("status = 'pending' AND invitee_email IS NOT NULL"),
    )
    op.create_index(
        "ix_team_invitations_pending_invitee_user",
        "team_invitations",
        ["invitee_user_id"],
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index(
        "ix_team_invitations_pending_invitee_email",
        "team_invitations",
        ["invitee_email"],
        postgresql_where=sa.text("status = 'pending'"),
    )


def downgrade() -> None:
    op.drop_table("team_invitations")
    op.drop_index("uq_team_members_one_owner", table_name="team_members")
