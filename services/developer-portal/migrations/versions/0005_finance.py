"""Payout methods (bank details sealed with AES-256-GCM), payout requests, sales analytics.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "payout_methods",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("developer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("details_ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("created_by_user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_payout_methods"),
        sa.ForeignKeyConstraint(
            ["developer_id"],
            ["developer_accounts.id"],
            name="fk_payout_methods_developer_id_developer_accounts",
        ),
        sa.CheckConstraint(
            "NOT (is_default AND deleted_at IS NOT NULL)",
            name=op.f("ck_payout_methods_deleted_not_default"),
        ),
    )
    op.create_index("ix_payout_methods_developer_id", "payout_methods", ["developer_id"])
    op.create_index(
        "uq_payout_methods_one_default",
        "payout_methods",
        ["developer_id"],
        unique=True,
        postgresql_where=sa.text("is_default AND deleted_at IS NULL"),
    )
    op.create_table(
        "payout_requests",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("developer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("payout_method_id", UUID(as_uuid=True), nullable=False),
        sa.Column("payout_method_label", sa.String(300), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("trigger", sa.String(32), nullable=False),
        sa.Column("requested_by_user_id", UUID(as_uuid=True), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payment_transaction_id", UUID(as_uuid=True), nullable=True),
        sa.Column("failure_reason_code", sa.String(64), nullable=True),
        sa.Column("failure_reason_message", sa.Text(), nullable=True),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_payout_requests"),
        sa.ForeignKeyConstraint(
            ["developer_id"],
            ["developer_accounts.id"],
            name="fk_payout_requests_developer_id_developer_accounts",
        ),
        sa.ForeignKeyConstraint(
            ["payout_method_id"],
            ["payout_methods.id"],
            name="fk_payout_requests_payout_method_id_payout_methods",
        ),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_payout_requests_amount_positive")),
    )
    op.create_index(
        "ix_payout_requests_developer_requested_at",
        "payout_requests",
        ["developer_id", "requested_at"],
    )
    op.create_index(
        "uq_payout_requests_one_open",
        "payout_requests",
        ["developer_id"],
        unique=True,
        postgresql_where=sa.text("status IN ('requested', 'processing')"),
    )
    op.create_table(
        "recorded_sales",
        sa.Column("sale_id", UUID(as_uuid=True), nullable=False),
        sa.Column("developer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("game_id", UUID(as_uuid=True), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sale_id", name="pk_recorded_sales"),
    )
    op.create_table(
        "sales_days",
        sa.Column("developer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("game_id", UUID(as_uuid=True), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("region", sa.String(2), nullable=False),
        sa.Column("units_sold", sa.Integer(), nullable=False),
        sa.Column("units_refunded", sa.Integer(), nullable=False),
        sa.Column("gross_minor", sa.BigInteger(), nullable=False),
        sa.Column("net_minor", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("game_id", "day", "currency", "region", name="pk_sales_days"),
    )
    op.create_index("ix_sales_days_developer_day", "sales_days", ["developer_id", "day"])


def downgrade() -> None:
    op.drop_table("sales_days")
    op.drop_table("recorded_sales")
    op.drop_table("payout_requests")
    op.drop_table("payout_methods")
