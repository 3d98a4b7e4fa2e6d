"""Fraud rules (seeded with PRODUCT.md's defaults) and payment holds.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-25
"""

import json
import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: PRODUCT.md "Payment": (kind, action, parameters); ids are stable across databases.
_DEFAULT_RULES = (
    (
        "card_failures",
        "lock_card",
        {"max_failures": 5, "window_seconds": 600, "lock_seconds": 86400},
    ),
    ("distinct_cards", "review", {"max_cards": 3, "window_seconds": 86400}),
    (
        "new_account_large_payment",
        "review",
        {"threshold_rub_minor": 10_000_000, "max_account_age_seconds": 604800},
    ),
    ("blocked_user", "block", {}),
)


def upgrade() -> None:
    op.create_table(
        "fraud_rules",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("kind", sa.String(48), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("parameters", JSONB(), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_fraud_rules"),
        sa.UniqueConstraint("kind", name="uq_fraud_rules_kind"),
    )
    # Literal SQL (not bulk_insert): offline `alembic upgrade --sql` must render it too.
    for kind, action, parameters in _DEFAULT_RULES:
        rule_id = uuid.uuid5(uuid.NAMESPACE_URL, f"parovoz:payment:fraud-rule:{kind}")
        op.execute(
            sa.text(
                "INSERT INTO fraud_rules (id, kind, enabled, parameters, action, updated_at, "
                "updated_by) VALUES (CAST(:id AS uuid), :kind, true, "
                "CAST(:parameters AS JSONB), :action, now(), 'migration:0015')"
            ).bindparams(
                id=str(rule_id), kind=kind, parameters=json.dumps(parameters), action=action
            )
        )
    op.create_table(
        "payment_holds",
        sa.Column("payment_id", UUID(as_uuid=True), nullable=False),
        sa.Column("reasons", JSONB(), nullable=False),
        sa.Column("return_url", sa.Text(), nullable=True),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decision", sa.String(8), nullable=True),
        sa.Column("decided_by", sa.String(200), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("comment", sa.String(1000), nullable=True),
        sa.PrimaryKeyConstraint("payment_id", name="pk_payment_holds"),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.id"],
            name="fk_payment_holds_payment_id_payments",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(
            "decision IN ('release', 'reject')", name=op.f("ck_payment_holds_decision_known")
        ),
    )


def downgrade() -> None:
    op.drop_table("payment_holds")
    op.drop_table("fraud_rules")
