"""Kit tests run on the engines `make dev` and `make test` start (PostgreSQL, Redis, broker)."""

from __future__ import annotations

import os

import pytest
from parovoz_kit.settings import ServiceSettings

BROKER = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:59092")


def make_settings(**overrides: object) -> ServiceSettings:
    values: dict[str, object] = {
        "service_name": "kit-test",
        "environment": "test",
        "http_port": 0,
        "grpc_port": 0,
        "api_prefix": "/api/v1/kit",
        # The kit has no database of its own; payment's is a real one to probe.
        "database_url": "postgresql+psycopg://payment:payment-dev-password@127.0.0.1:55432/payment",
        "redis_url": "redis://127.0.0.1:56379/15",
        "kafka_bootstrap_servers": BROKER,
    }
    values.update(overrides)
    return ServiceSettings(**values)  # type: ignore[arg-type]


@pytest.fixture
def kit_settings():
    """Settings factory: real local engines, overridable per test."""
    return make_settings
