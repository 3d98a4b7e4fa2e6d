"""Coupons and gift cards: coupons and their uses, gift cards (codes stored hashed) and their
holds, and the payment's coupon, discount and gift-card part.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "coupons",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("percent_off", sa.Integer(), nullable=True),
        sa.Column("amount_off_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("min_order_minor", sa.BigInteger(), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("max_uses", sa.Integer(), nullable=True),
        sa.Column("max_uses_per_user", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_coupons"),
        sa.UniqueConstraint("code", name="uq_coupons_code"),
        sa.CheckConstraint(
            "(kind = 'percent' AND percent_off BETWEEN 1 AND 100 AND amount_off_minor IS NULL)"
            " OR (kind = 'fixed' AND amount_off_minor > 0 AND percent_off IS NULL"
            " AND currency IS NOT NULL)",
            name="ck_coupons_discount",
        ),
    )
    op.create_table(
        "coupon_uses",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("coupon_id", UUID(as_uuid=True), nullable=False),
        sa.Column("user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("payment_id", UUID(as_uuid=True), nullable=False),
        sa.Column("discount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_coupon_uses"),
        sa.ForeignKeyConstraint(
            ["coupon_id"], ["coupons.id"], name="fk_coupon_uses_coupon_id_coupons"
        ),
        sa.UniqueConstraint("payment_id", name="uq_coupon_uses_payment_id"),
        sa.CheckConstraint(
            "status IN ('reserved', 'consumed', 'released')", name="ck_coupon_uses_status"
        ),
    )
    op.create_index("ix_coupon_uses_coupon_id", "coupon_uses", ["coupon_id", "user_id"])
    op.create_table(
        "gift_cards",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("initial_minor", sa.BigInteger(), nullable=False),
        sa.Column("reserved_minor", sa.BigInteger(), nullable=False),
        sa.Column("redeemed_minor", sa.BigInteger(), nullable=False),
        sa.Column("broken_minor", sa.BigInteger(), nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("issued_by", sa.String(200), nullable=False),
        sa.Column("issue_key", sa.String(300), nullable=True),
        sa.Column("payment_id", UUID(as_uuid=True), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_gift_cards"),
        sa.UniqueConstraint("code_hash", name="uq_gift_cards_code_hash"),
        sa.UniqueConstraint("issue_key", name="uq_gift_cards_issue_key"),
        sa.UniqueConstraint("payment_id", name="uq_gift_cards_payment_id"),
        sa.CheckConstraint(
            "initial_minor > 0 AND reserved_minor >= 0 AND redeemed_minor >= 0"
            " AND broken_minor >= 0"
            " AND reserved_minor + redeemed_minor + broken_minor <= initial_minor",
            name="ck_gift_cards_counters",
        ),
    )
    op.create_index("ix_gift_cards_expires_at", "gift_cards", ["expires_at"])
    op.create_table(
        "gift_card_holds",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("gift_card_id", UUID(as_uuid=True), nullable=False),
        sa.Column("payment_id", UUID(as_uuid=True), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_gift_card_holds"),
        sa.ForeignKeyConstraint(
            ["gift_card_id"], ["gift_cards.id"], name="fk_gift_card_holds_gift_card_id_gift_cards"
        ),
        sa.UniqueConstraint("gift_card_id", "payment_id", name="uq_gift_card_holds_card_payment"),
        sa.CheckConstraint("amount_minor > 0", name="ck_gift_card_holds_amount_positive"),
        sa.CheckConstraint(
            "status IN ('reserved', 'redeemed', 'released')", name="ck_gift_card_holds_status"
        ),
    )
    op.create_index("ix_gift_card_holds_payment_id", "gift_card_holds", ["payment_id"])
    op.add_column(
        "payments",
        sa.Column("gift_card_amount_minor", sa.BigInteger(), nullable=False, server_default="0"),
    )
    op.add_column(
        "payments",
        sa.Column("discount_minor", sa.BigInteger(), nullable=False, server_default="0"),
    )
    op.add_column("payments", sa.Column("coupon_id", UUID(as_uuid=True), nullable=True))
    op.create_check_constraint(
        "ck_payments_prepaid_parts",
        "payments",
        "gift_card_amount_minor >= 0 AND discount_minor >= 0"
        " AND wallet_amount_minor + gift_card_amount_minor <= amount_minor",
    )


def downgrade() -> None:
    op.drop_constraint("ck_payments_prepaid_parts", "payments", type_="check")
    op.drop_column("payments", "coupon_id")
    op.drop_column("payments", "discount_minor")
    op.drop_column("payments", "gift_card_amount_minor")
    op.drop_table("gift_card_holds")
    op.drop_table("gift_cards")
    op.drop_table("coupon_uses")
    op.drop_table("coupons")
