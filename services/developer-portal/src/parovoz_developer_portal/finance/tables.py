"""Finance tables (on the developer database's metadata): payout methods, payout requests and the
sales analytics read model."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import UUID

from parovoz_developer_portal.tables import metadata

#: Bank details, AES-256-GCM encrypted (never in clear: not even the last digits).
payout_methods = Table(
    "payout_methods",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("developer_id", ForeignKey("developer_accounts.id"), nullable=False, index=True),
    Column("currency", String(3), nullable=False),
    Column("is_default", Boolean, nullable=False),
    #: Which key sealed ``details_ciphertext`` (keys rotate; old rows stay readable).
    Column("key_id", String(32), nullable=False),
    #: 12-byte nonce + ciphertext + tag; associated data = the method id (rows cannot swap).
    Column("details_ciphertext", LargeBinary, nullable=False),
    Column("created_by_user_id", UUID(as_uuid=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    #: Deleted methods stay for the payouts that name them, unusable and invisible.
    Column("deleted_at", DateTime(timezone=True), nullable=True),
    CheckConstraint("NOT (is_default AND deleted_at IS NOT NULL)", name="deleted_not_default"),
    # At most one default method per account.
    Index(
        "uq_payout_methods_one_default",
        "developer_id",
        unique=True,
        postgresql_where=text("is_default AND deleted_at IS NULL"),
    ),
)

payout_requests = Table(
    "payout_requests",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("developer_id", ForeignKey("developer_accounts.id"), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("payout_method_id", ForeignKey("payout_methods.id"), nullable=False),
    Column("payout_method_label", String(300), nullable=False),
    Column("status", String(16), nullable=False),
    Column("trigger", String(32), nullable=False),
    Column("requested_by_user_id", UUID(as_uuid=True), nullable=True),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("payment_transaction_id", UUID(as_uuid=True), nullable=True),
    Column("failure_reason_code", String(64), nullable=True),
    Column("failure_reason_message", Text, nullable=True),
    Column("processed_at", DateTime(timezone=True), nullable=True),
    CheckConstraint("amount_minor > 0", name="amount_positive"),
    Index("ix_payout_requests_developer_requested_at", "developer_id", "requested_at"),
    # One open payout per account at a time; the race between two requests ends here.
    Index(
        "uq_payout_requests_one_open",
        "developer_id",
        unique=True,
        postgresql_where=text("status IN ('requested', 'processing')"),
    ),
)

#: How each account is paid out; no row = on request. ``monthly`` names the method.
payout_schedules = Table(
    "payout_schedules",
    metadata,
    Column("developer_id", ForeignKey("developer_accounts.id"), primary_key=True),
    Column("mode", String(16), nullable=False),
    Column("payout_method_id", ForeignKey("payout_methods.id"), nullable=True),
    Column("updated_by_user_id", UUID(as_uuid=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("mode IN ('on_request', 'monthly')", name="mode_known"),
    CheckConstraint("mode <> 'monthly' OR payout_method_id IS NOT NULL", name="monthly_has_method"),
    # The monthly job reads only these.
    Index("ix_payout_schedules_monthly", "developer_id", postgresql_where=text("mode = 'monthly'")),
)

#: Sales already counted (``sale_id`` = payment's ledger transaction): a sale adds once.
recorded_sales = Table(
    "recorded_sales",
    metadata,
    Column("sale_id", UUID(as_uuid=True), primary_key=True),
    Column("developer_id", UUID(as_uuid=True), nullable=False),
    Column("game_id", UUID(as_uuid=True), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

#: Sales per game, UTC day, currency and buyer's region; refunds subtract.
sales_days = Table(
    "sales_days",
    metadata,
    Column("developer_id", UUID(as_uuid=True), nullable=False),
    Column("game_id", UUID(as_uuid=True), nullable=False),
    Column("day", Date, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("region", String(2), nullable=False),
    Column("units_sold", Integer, nullable=False),
    Column("units_refunded", Integer, nullable=False),
    Column("gross_minor", BigInteger, nullable=False),
    Column("net_minor", BigInteger, nullable=False),
    PrimaryKeyConstraint("game_id", "day", "currency", "region"),
    Index("ix_sales_days_developer_day", "developer_id", "day"),
)
