"""Alembic environment of payment: URL from the service settings."""

from parovoz_kit.migrations import run_migrations
from parovoz_payment.db.tables import metadata
from parovoz_payment.settings import PaymentSettings

run_migrations(PaymentSettings().database_url, metadata)
