"""Price table: read model of developer-portal's game prices
(``developer.game.price.changed.v1``), the only source payment prices a game purchase from."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
)
from sqlalchemy.dialects.postgresql import UUID

from parovoz_payment.db.metadata import metadata

#: One row per priced game: free, or a base price (RUB, VAT included, minor units).
game_prices = Table(
    "game_prices",
    metadata,
    Column("game_id", UUID(as_uuid=True), nullable=False),
    Column("developer_id", UUID(as_uuid=True), nullable=False),
    Column("is_free", Boolean, nullable=False),
    Column("base_amount_minor", BigInteger, nullable=True),
    Column("base_currency", String(3), nullable=True),
    #: The event's ``changed_at``: an event older than the stored one is ignored, so
    #: out-of-order delivery keeps the newest price list.
    Column("changed_at", DateTime(timezone=True), nullable=False),
    #: CloudEvents id of the event the row came from (for tracing a price back to its change).
    Column("source_event_id", UUID(as_uuid=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("game_id"),
    CheckConstraint(
        "(is_free AND base_amount_minor IS NULL AND base_currency IS NULL)"
        " OR (NOT is_free AND base_amount_minor > 0 AND base_currency IS NOT NULL)",
        name="free_or_base_price",
    ),
)

#: Prices set explicitly per region (ISO 3166-1 alpha-2), each in its own currency.
game_regional_prices = Table(
    "game_regional_prices",
    metadata,
    Column("game_id", ForeignKey("game_prices.game_id", ondelete="CASCADE"), nullable=False),
    Column("region", String(2), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    PrimaryKeyConstraint("game_id", "region"),
    CheckConstraint("amount_minor > 0", name="amount_positive"),
)

#: Discounts (promo periods) of a game as its last price event announced them: replaced with the
#: price list, so the newest event's discounts are the ones a purchase applies.
game_price_discounts = Table(
    "game_price_discounts",
    metadata,
    Column("game_id", ForeignKey("game_prices.game_id", ondelete="CASCADE"), nullable=False),
    Column("discount_id", UUID(as_uuid=True), nullable=False),
    Column("percent", SmallInteger, nullable=False),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("ends_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("game_id", "discount_id"),
    CheckConstraint("percent BETWEEN 1 AND 99", name="percent_range"),
    CheckConstraint("starts_at < ends_at", name="period_order"),
    Index("ix_game_price_discounts_game_id_starts_at", "game_id", "starts_at"),
)
