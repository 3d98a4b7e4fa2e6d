"""Ledger tables (double-entry accounts, transactions, entries).

Migration 0004 creates them together with the database-side guards: entries and transactions
refuse UPDATE/DELETE/TRUNCATE (history is immutable), and a deferred constraint trigger refuses
to commit a transaction whose debits and credits differ in some currency.
"""

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKeyConstraint,
    Identity,
    Index,
    String,
    Table,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from parovoz_payment.db.metadata import metadata

#: One account per owner, purpose and currency; balances are kept here and re-derivable from
#: ledger_entries (the ledger check proves they agree).
ledger_accounts = Table(
    "ledger_accounts",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    #: user, developer, platform, provider, streamer...
    Column("owner_type", String(32), nullable=False),
    #: A user/developer/streamer uuid, a provider name; NULL for platform-wide accounts.
    Column("owner_id", String(64), nullable=True),
    Column("purpose", String(48), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("debits_must_not_exceed_credits", Boolean, nullable=False),
    Column("credits_must_not_exceed_debits", Boolean, nullable=False),
    Column("debits_posted", BigInteger, nullable=False, server_default="0"),
    Column("credits_posted", BigInteger, nullable=False, server_default="0"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint(
        "owner_type",
        "owner_id",
        "purpose",
        "currency",
        name="uq_ledger_accounts_owner_type",
        postgresql_nulls_not_distinct=True,
    ),
    # Target of the entries' composite foreign key (account_id, currency).
    UniqueConstraint("id", "currency", name="uq_ledger_accounts_id"),
    CheckConstraint("currency ~ '^[A-Z]{3}$'", name="currency_iso"),
    CheckConstraint("debits_posted >= 0 AND credits_posted >= 0", name="posted_not_negative"),
    CheckConstraint(
        "NOT (debits_must_not_exceed_credits AND credits_must_not_exceed_debits)",
        name="one_limit",
    ),
    CheckConstraint(
        "(NOT debits_must_not_exceed_credits OR debits_posted <= credits_posted)"
        " AND (NOT credits_must_not_exceed_debits OR credits_posted <= debits_posted)",
        name="limits_hold",
    ),
)

#: One row per posted transaction; ``id`` = uuid5(namespace, the caller's idempotency key).
ledger_transactions = Table(
    "ledger_transactions",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("idempotency_key", String(255), nullable=False),
    #: sha256 of kind, reference and entries: a reused key with another request is refused.
    Column("request_digest", String(64), nullable=False),
    Column("kind", String(48), nullable=False),
    Column("reference", String(255), nullable=True),
    Column("metadata", JSONB, nullable=False, server_default="{}"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_ledger_transactions_reference", "reference"),
)

ledger_entries = Table(
    "ledger_entries",
    metadata,
    Column("id", BigInteger, Identity(always=False), primary_key=True),
    Column("transaction_id", UUID(as_uuid=True), nullable=False),
    Column("account_id", UUID(as_uuid=True), nullable=False),
    Column("direction", String(6), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    ForeignKeyConstraint(
        ["transaction_id"],
        ["ledger_transactions.id"],
        name="fk_ledger_entries_transaction_id_ledger_transactions",
    ),
    ForeignKeyConstraint(
        ["account_id", "currency"],
        ["ledger_accounts.id", "ledger_accounts.currency"],
        name="fk_ledger_entries_account_id_ledger_accounts",
    ),
    CheckConstraint("direction IN ('debit', 'credit')", name="direction"),
    CheckConstraint("amount > 0", name="amount_positive"),
    Index("ix_ledger_entries_transaction_id", "transaction_id"),
    Index("ix_ledger_entries_account_id", "account_id"),
)
