"""Each service's migrations, as `make dev` ran them, build exactly the schema its code declares."""

from __future__ import annotations

import importlib

import pytest
from parovoz_kit.migrations import schema_differences

SERVICES = ["developer_portal", "greenlight", "subscription", "payment"]
TABLES = {"developer_portal": "tables", "subscription": "tables", "greenlight": "tables"}


@pytest.mark.parametrize("package", SERVICES)
def test_migrated_schema_matches_the_declared_tables(package: str) -> None:
    tables = importlib.import_module(f"parovoz_{package}.{TABLES.get(package, 'db.tables')}")
    settings_module = importlib.import_module(f"parovoz_{package}.settings")
    settings_class = next(
        value
        for name, value in vars(settings_module).items()
        if name.endswith("Settings") and name != "ServiceSettings"
    )
    assert schema_differences(settings_class().database_url, tables.metadata) == []
