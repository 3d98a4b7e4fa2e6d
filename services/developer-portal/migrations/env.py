"""Alembic environment of developer-portal: URL from the service settings."""

from parovoz_developer_portal.settings import DeveloperPortalSettings
from parovoz_developer_portal.tables import metadata
from parovoz_kit.migrations import run_migrations

run_migrations(DeveloperPortalSettings().database_url, metadata)
