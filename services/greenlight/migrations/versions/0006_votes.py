"""Votes: one per user per submission and window, the five category scores, weight in tenths.

Revision ID: 0006
Revises: 0002
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0006"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SCORES = (
    "score_gameplay",
    "score_presentation",
    "score_innovation",
    "score_market_appeal",
    "score_technical_quality",
)


def upgrade() -> None:
    op.create_table(
        "votes",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("submission_id", UUID(as_uuid=True), nullable=False),
        sa.Column("window_id", UUID(as_uuid=True), nullable=False),
        sa.Column("user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("choice", sa.String(8), nullable=False),
        *(sa.Column(name, sa.SmallInteger(), nullable=False) for name in _SCORES),
        sa.Column("comment", sa.String(2000), nullable=True),
        sa.Column("played_demo", sa.Boolean(), nullable=False),
        sa.Column("would_recommend", sa.Boolean(), nullable=False),
        sa.Column("weight", sa.SmallInteger(), nullable=False),
        sa.Column("flagged_reason", sa.String(200), nullable=True),
        sa.Column("device_fingerprint", sa.String(200), nullable=True),
        sa.Column("ip_prefix", sa.String(18), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_votes"),
        sa.UniqueConstraint("submission_id", "window_id", "user_id", name="uq_votes_one_per_user"),
        sa.CheckConstraint(
            "choice IN ('yes', 'no', 'abstain')", name=op.f("ck_votes_choice_known")
        ),
        *(
            sa.CheckConstraint(f"{name} BETWEEN 1 AND 5", name=op.f(f"ck_votes_{name}_range"))
            for name in _SCORES
        ),
        sa.CheckConstraint("weight >= 0", name=op.f("ck_votes_weight_not_negative")),
        sa.CheckConstraint(
            "flagged_reason IS NULL OR weight = 0", name=op.f("ck_votes_flagged_weighs_nothing")
        ),
    )
    op.create_index("ix_votes_window_id", "votes", ["window_id"])
    op.create_index("ix_votes_user_id_created_at", "votes", ["user_id", "created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_votes_user_id_created_at", table_name="votes")
    op.drop_index("ix_votes_window_id", table_name="votes")
    op.drop_table("votes")
