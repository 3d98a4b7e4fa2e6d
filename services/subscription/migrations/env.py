"""Alembic environment of subscription: URL from the service settings."""

from parovoz_kit.migrations import run_migrations
from parovoz_subscription.db.tables import metadata
from parovoz_subscription.settings import SubscriptionSettings

run_migrations(SubscriptionSettings().database_url, metadata)
