"""Tables of the payment database (Alembic's target metadata)."""

from sqlalchemy import Column, DateTime, String, Table
from sqlalchemy.dialects.postgresql import UUID

from parovoz_payment.db.metadata import metadata

#: Read model of developer-portal's games: who earns from a game's sales.
game_owners = Table(
    "game_owners",
    metadata,
    Column("game_id", UUID(as_uuid=True), primary_key=True),
    Column("developer_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("title", String(255), nullable=False),
    Column("product_type", String(16), nullable=False),
    #: `event` (developer.game.created.v1) or `grpc` (GetGame, when the event had not arrived).
    Column("learned_from", String(8), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Each concern's tables live in their own module (on the same metadata); importing them here
# makes this module the complete target of Alembic.
from parovoz_payment.db import (  # noqa: E402, F401
    audit,
    chargebacks,
    coupons,
    currency_rates,
    donations,
    fraud,
    game_listings,
    gift_card_purchases,
    gift_cards,
    ledger_tables,
    payments,
    payouts,
    preorders,
    price_tables,
    receipts,
    referral_payouts,
    refunds,
    sales_tables,
    saved_methods,
    streamer_payouts,
)
