"""Typed service settings from environment variables.

Each service subclasses :class:`ServiceSettings` with its own env prefix
(``PAYMENT_``, ``GREENLIGHT_``...). Defaults are the local-dev values so a
service started with no environment talks to the engines ``make dev`` runs.
Nothing else in a service reads ``os.environ``.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: Values that must never reach production (they are committed in this repo).
_DEV_SECRET_MARKERS = ("dev-password", "dev-secret", "changeme")


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class ServiceSettings(BaseSettings):
    """Settings every service has; a service adds its own fields."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    service_name: str
    environment: Environment = Environment.DEVELOPMENT
    log_level: str = "INFO"

    http_host: str = "127.0.0.1"
    http_port: int
    grpc_host: str = "127.0.0.1"
    grpc_port: int
    #: REST prefix the service serves under (the gateway does not strip it).
    api_prefix: str

    database_url: str
    database_pool_size: int = Field(default=5, ge=1)
    redis_url: str
    kafka_bootstrap_servers: str = "127.0.0.1:59092"
    s3_endpoint_url: str = "http://127.0.0.1:59000"
    s3_access_key: str = "parovoz-dev"
    s3_secret_key: str = "parovoz-dev-secret"
    auth_jwks_url: str = "http://127.0.0.1:8090/.well-known/jwks.json"
    otel_exporter_otlp_endpoint: str = ""

    #: Readiness probes give up after this long per dependency.
    readiness_timeout_seconds: float = Field(default=2.0, gt=0)

    @model_validator(mode="after")
    def _refuse_dev_secrets_in_production(self) -> ServiceSettings:
        if self.environment is not Environment.PRODUCTION:
            return self
        for name in ("database_url", "s3_secret_key", "redis_url"):
            value = getattr(self, name)
            if any(marker in value for marker in _DEV_SECRET_MARKERS):
                raise ValueError(f"{name} holds a development secret; set a real one")
        return self
