"""Gift cards bought by users; streamer payouts through the provider.

- ``gift_card_purchases``: a buyer's order and the bought card's sealed code until revealed;
- ``gift_cards.refunded_minor`` (a bought card's value refunded) and the ``refunded`` hold;
- ``streamer_payouts`` become ``processing`` → ``completed`` | ``failed`` with the provider's
  id, a masked destination and a row lease; rows held before (``held``) become ``processing``,
  due at once (their money is already in the hold);
- ``streamer_payout_destinations``: a streamer's sealed YooMoney wallet.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD_COUNTERS = (
    "initial_minor > 0 AND reserved_minor >= 0 AND redeemed_minor >= 0 AND broken_minor >= 0"
    " AND reserved_minor + redeemed_minor + broken_minor <= initial_minor"
)
_NEW_COUNTERS = (
    "initial_minor > 0 AND reserved_minor >= 0 AND redeemed_minor >= 0 AND broken_minor >= 0"
    " AND refunded_minor >= 0"
    " AND reserved_minor + redeemed_minor + broken_minor + refunded_minor <= initial_minor"
)


def upgrade() -> None:
    # Gift cards: the refunded counter and hold status.
    op.add_column(
        "gift_cards",
        sa.Column("refunded_minor", sa.BigInteger(), nullable=False, server_default="0"),
    )
    op.drop_constraint("ck_gift_cards_counters", "gift_cards", type_="check")
    op.create_check_constraint("ck_gift_cards_counters", "gift_cards", _NEW_COUNTERS)
    op.drop_constraint("ck_gift_card_holds_status", "gift_card_holds", type_="check")
    op.create_check_constraint(
        "ck_gift_card_holds_status",
        "gift_card_holds",
        "status IN ('reserved', 'redeemed', 'released', 'refunded')",
    )
    op.create_table(
        "gift_card_purchases",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("recipient_email", sa.String(254), nullable=True),
        sa.Column("message", sa.String(500), nullable=True),
        sa.Column("payment_id", UUID(as_uuid=True), nullable=True),
        sa.Column("gift_card_id", UUID(as_uuid=True), nullable=True),
        sa.Column("code_key_id", sa.String(32), nullable=True),
        sa.Column("code_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("revealed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_gift_card_purchases"),
        sa.ForeignKeyConstraint(
            ["gift_card_id"],
            ["gift_cards.id"],
            name="fk_gift_card_purchases_gift_card_id_gift_cards",
        ),
        sa.UniqueConstraint("payment_id", name="uq_gift_card_purchases_payment_id"),
        sa.CheckConstraint("amount_minor > 0", name="ck_gift_card_purchases_amount_positive"),
        sa.CheckConstraint(
            "(code_ciphertext IS NULL) = (code_key_id IS NULL)",
            name="ck_gift_card_purchases_sealed_with_key_id",
        ),
        sa.CheckConstraint(
            "revealed_at IS NULL OR code_ciphertext IS NULL",
            name="ck_gift_card_purchases_erased_when_revealed",
        ),
    )
    op.create_index("ix_gift_card_purchases_user_id", "gift_card_purchases", ["user_id"])

    # Streamer payouts through the provider.
    for column in (
        sa.Column("failure_reason_code", sa.String(40), nullable=True),
        sa.Column("failure_reason_message", sa.Text(), nullable=True),
        sa.Column("provider", sa.String(16), nullable=True),
        sa.Column("provider_payout_id", sa.String(64), nullable=True),
        sa.Column("destination", JSONB(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
    ):
        op.add_column("streamer_payouts", column)
    op.create_unique_constraint(
        "uq_streamer_payouts_provider_payout_id", "streamer_payouts", ["provider_payout_id"]
    )
    op.drop_constraint("ck_streamer_payouts_status", "streamer_payouts", type_="check")
    op.execute(
        "UPDATE streamer_payouts SET status = 'processing', next_attempt_at = created_at,"
        " updated_at = created_at WHERE status = 'held'"
    )
    op.create_check_constraint(
        "ck_streamer_payouts_status",
        "streamer_payouts",
        "status IN ('processing', 'completed', 'failed')",
    )
    op.create_index("ix_streamer_payouts_due", "streamer_payouts", ["status", "next_attempt_at"])
    op.create_table(
        "streamer_payout_destinations",
        sa.Column("streamer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("account_last4", sa.String(4), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("streamer_id", name="pk_streamer_payout_destinations"),
        sa.CheckConstraint("kind IN ('yoo_money')", name="ck_streamer_payout_destinations_kind"),
    )


def downgrade() -> None:
    op.drop_table("streamer_payout_destinations")
    op.drop_index("ix_streamer_payouts_due", table_name="streamer_payouts")
    op.drop_constraint("ck_streamer_payouts_status", "streamer_payouts", type_="check")
    # Lossy: the old schema only knew rows set aside.
    op.execute("UPDATE streamer_payouts SET status = 'held'")
    op.create_check_constraint(
        "ck_streamer_payouts_status", "streamer_payouts", "status IN ('held')"
    )
    op.drop_constraint("uq_streamer_payouts_provider_payout_id", "streamer_payouts", type_="unique")
    for name in (
        "updated_at",
        "next_attempt_at",
        "attempts",
        "destination",
        "provider_payout_id",
        "provider",
        "failure_reason_message",
        "failure_reason_code",
    ):
        op.drop_column("streamer_payouts", name)

    op.drop_index("ix_gift_card_purchases_user_id", table_name="gift_card_purchases")
    op.drop_table("gift_card_purchases")
    op.drop_constraint("ck_gift_card_holds_status", "gift_card_holds", type_="check")
    op.execute("UPDATE gift_card_holds SET status = 'released' WHERE status = 'refunded'")
    op.create_check_constraint(
        "ck_gift_card_holds_status",
        "gift_card_holds",
        "status IN ('reserved', 'redeemed', 'released')",
    )
    op.drop_constraint("ck_gift_cards_counters", "gift_cards", type_="check")
    op.drop_column("gift_cards", "refunded_minor")
    op.create_check_constraint("ck_gift_cards_counters", "gift_cards", _OLD_COUNTERS)
