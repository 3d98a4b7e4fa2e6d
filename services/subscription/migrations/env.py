"""Alembic environment of subscription: URL from the service settings."""

from parovoz_kit.migrations import run_migrations
from parovoz_subscription.settings import SubscriptionSettings
from parovoz_subscription.tables import metadata

run_migrations(SubscriptionSettings().database_url, metadata)
