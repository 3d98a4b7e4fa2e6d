"""Alembic environment of greenlight: URL from the service settings."""

from parovoz_greenlight.settings import GreenlightSettings
from parovoz_greenlight.tables import metadata
from parovoz_kit.migrations import run_migrations

run_migrations(GreenlightSettings().database_url, metadata)
