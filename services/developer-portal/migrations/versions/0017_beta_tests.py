"""Closed beta tests (issue #16): tests, invite codes, participants, feedback.

Revision ID: 0017
Revises: 0014
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0017"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _at(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "beta_tests",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("developer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("game_id", UUID(as_uuid=True), nullable=False),
        sa.Column("version_id", UUID(as_uuid=True), nullable=False),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("max_participants", sa.Integer(), nullable=False),
        sa.Column("participant_count", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        _at("starts_at"),
        _at("ends_at"),
        sa.Column("created_by_user_id", UUID(as_uuid=True), nullable=False),
        _at("created_at"),
        _at("updated_at"),
        _at("opened_at", nullable=True),
        _at("ended_at", nullable=True),
        _at("cancelled_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_beta_tests"),
        sa.ForeignKeyConstraint(
            ["developer_id"],
            ["developer_accounts.id"],
            name="fk_beta_tests_developer_id_developer_accounts",
        ),
        sa.ForeignKeyConstraint(["game_id"], ["games.id"], name="fk_beta_tests_game_id_games"),
        sa.ForeignKeyConstraint(
            ["version_id"], ["game_versions.id"], name="fk_beta_tests_version_id_game_versions"
        ),
        sa.CheckConstraint(
            "participant_count >= 0 AND participant_count <= max_participants",
            name="ck_beta_tests_cap",
        ),
    )
    op.create_index("ix_beta_tests_game_created", "beta_tests", ["game_id", "created_at"])

    op.create_table(
        "beta_invite_codes",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("beta_test_id", UUID(as_uuid=True), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("max_uses", sa.Integer(), nullable=True),
        sa.Column("uses", sa.Integer(), nullable=False),
        _at("expires_at", nullable=True),
        sa.Column("created_by_user_id", UUID(as_uuid=True), nullable=False),
        _at("created_at"),
        _at("revoked_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_beta_invite_codes"),
        sa.ForeignKeyConstraint(
            ["beta_test_id"],
            ["beta_tests.id"],
            name="fk_beta_invite_codes_beta_test_id_beta_tests",
        ),
        sa.UniqueConstraint("code", name="uq_beta_invite_codes_code"),
    )
    op.create_index("ix_beta_invite_codes_beta_test_id", "beta_invite_codes", ["beta_test_id"])

    op.create_table(
        "beta_participants",
        sa.Column("beta_test_id", UUID(as_uuid=True), nullable=False),
        sa.Column("user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("code_id", UUID(as_uuid=True), nullable=False),
        _at("joined_at"),
        _at("left_at", nullable=True),
        sa.PrimaryKeyConstraint("beta_test_id", "user_id", name="pk_beta_participants"),
        sa.ForeignKeyConstraint(
            ["beta_test_id"],
            ["beta_tests.id"],
            name="fk_beta_participants_beta_test_id_beta_tests",
        ),
        sa.ForeignKeyConstraint(
            ["code_id"],
            ["beta_invite_codes.id"],
            name="fk_beta_participants_code_id_beta_invite_codes",
        ),
    )
    op.create_index("ix_beta_participants_user_id", "beta_participants", ["user_id"])
    op.create_index(
        "ix_beta_participants_test_joined",
        "beta_participants",
        ["beta_test_id", "joined_at", "user_id"],
    )

    op.create_table(
        "beta_feedback",
        sa.Column("beta_test_id", UUID(as_uuid=True), nullable=False),
        sa.Column("user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        _at("created_at"),
        _at("updated_at"),
        sa.PrimaryKeyConstraint("beta_test_id", "user_id", name="pk_beta_feedback"),
        sa.ForeignKeyConstraint(
            ["beta_test_id"], ["beta_tests.id"], name="fk_beta_feedback_beta_test_id_beta_tests"
        ),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="ck_beta_feedback_rating"),
    )
    op.create_index(
        "ix_beta_feedback_test_created", "beta_feedback", ["beta_test_id", "created_at", "user_id"]
    )


def downgrade() -> None:
    op.drop_table("beta_feedback")
    op.drop_table("beta_participants")
    op.drop_table("beta_invite_codes")
    op.drop_table("beta_tests")
