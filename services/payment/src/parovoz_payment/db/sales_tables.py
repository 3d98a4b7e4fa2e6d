"""Revenue-share tables: each game's lifetime gross, each sale's split and its reversals.

Migration 0010 creates them. Every row names the ledger transaction that moved its money, so
the ledger check can prove the two agree (``jobs/revenue_checks.py``).
"""

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Index,
    PrimaryKeyConstraint,
    String,
    Table,
    text,
)
from sqlalchemy.dialects.postgresql import UUID

from parovoz_payment.db.metadata import metadata

#: One row per game: the lock every sale of the game takes, and the lifetime gross (tier
#: currency, RUB kopecks, net of refunds) that decides its tier.
game_revenue = Table(
    "game_revenue",
    metadata,
    Column("game_id", UUID(as_uuid=True), primary_key=True),
    Column("lifetime_gross_minor", BigInteger, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("lifetime_gross_minor >= 0", name="lifetime_not_negative"),
)

#: The same per currency sold in (what was sold, what was refunded), in that currency.
game_revenue_currencies = Table(
    "game_revenue_currencies",
    metadata,
    Column("game_id", UUID(as_uuid=True), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("gross_minor", BigInteger, nullable=False),
    Column("refunded_minor", BigInteger, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("game_id", "currency", name="pk_game_revenue_currencies"),
    CheckConstraint("0 <= refunded_minor AND refunded_minor <= gross_minor", name="amounts"),
)

#: One row per settled game purchase: its split, what reversals took back, its release.
game_sales = Table(
    "game_sales",
    metadata,
    Column("payment_id", UUID(as_uuid=True), primary_key=True),
    Column("game_id", UUID(as_uuid=True), nullable=False),
    Column("developer_id", UUID(as_uuid=True), nullable=False),
    Column("region", String(2), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("gross_minor", BigInteger, nullable=False),
    Column("developer_minor", BigInteger, nullable=False),
    Column("platform_minor", BigInteger, nullable=False),
    #: What the sale added to the game's lifetime gross (RUB kopecks; 0: no rate known).
    Column("tier_weight_minor", BigInteger, nullable=False),
    #: The game's lifetime gross the split was computed on (an audit of the tier).
    Column("lifetime_before_minor", BigInteger, nullable=False),
    Column("reversed_gross_minor", BigInteger, nullable=False),
    Column("reversed_developer_minor", BigInteger, nullable=False),
    Column("reversed_platform_minor", BigInteger, nullable=False),
    Column("reversed_tier_weight_minor", BigInteger, nullable=False),
    #: The settlement's ledger transaction (it credited both shares).
    Column("ledger_transaction_id", UUID(as_uuid=True), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    #: The end of the hold: the developer's share moves to available from then on.
    Column("available_at", DateTime(timezone=True), nullable=False),
    Column("released_at", DateTime(timezone=True), nullable=True),
    #: What the release moved out of pending (the share less reversals before it).
    Column("released_minor", BigInteger, nullable=True),
    CheckConstraint(
        "gross_minor > 0 AND developer_minor >= 0 AND platform_minor >= 0"
        " AND developer_minor + platform_minor = gross_minor",
        name="split",
    ),
    CheckConstraint(
        "reversed_developer_minor BETWEEN 0 AND developer_minor"
        " AND reversed_platform_minor BETWEEN 0 AND platform_minor"
        " AND reversed_developer_minor + reversed_platform_minor = reversed_gross_minor"
        " AND reversed_tier_weight_minor BETWEEN 0 AND tier_weight_minor",
        name="reversals",
    ),
    CheckConstraint("(released_at IS NULL) = (released_minor IS NULL)", name="release"),
    Index("ix_game_sales_game_id", "game_id"),
    Index("ix_game_sales_developer_id", "developer_id", "recorded_at"),
    Index(
        "ix_game_sales_unreleased",
        "available_at",
        postgresql_where=text("released_at IS NULL"),
    ),
)

#: One row per refund or chargeback of a sale: what it took back and from where.
game_sale_reversals = Table(
    "game_sale_reversals",
    metadata,
    #: The reversal's ledger transaction id.
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("payment_id", UUID(as_uuid=True), nullable=False),
    Column("refund_id", UUID(as_uuid=True), nullable=True),
    #: refund | chargeback
    Column("kind", String(16), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("gross_minor", BigInteger, nullable=False),
    Column("developer_minor", BigInteger, nullable=False),
    Column("platform_minor", BigInteger, nullable=False),
    Column("tier_weight_minor", BigInteger, nullable=False),
    Column("from_pending_minor", BigInteger, nullable=False),
    Column("from_available_minor", BigInteger, nullable=False),
    #: Already paid out: now owed by the developer (developer_receivable).
    Column("owed_minor", BigInteger, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    CheckConstraint(
        "gross_minor > 0 AND developer_minor >= 0 AND platform_minor >= 0"
        " AND developer_minor + platform_minor = gross_minor"
        " AND from_pending_minor >= 0 AND from_available_minor >= 0 AND owed_minor >= 0"
        " AND from_pending_minor + from_available_minor + owed_minor = developer_minor",
        name="amounts",
    ),
    Index("ix_game_sale_reversals_payment_id", "payment_id"),
)
