"""Typed service settings from environment variables.

Each service subclasses :class:`ServiceSettings` with its own env prefix
(``PAYMENT_``, ``GREENLIGHT_``...). Defaults are the local-dev values so a
service started with no environment talks to the engines ``make dev`` runs.
Nothing else in a service reads ``os.environ``.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
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
    #: Connections the pool keeps open. At least the requests a process has in flight at once
    #: (a gateway's 16 busy keep-alive connections): a connection beyond it is opened for one
    #: request and closed after (a PostgreSQL backend forked and a SCRAM exchange every time).
    database_pool_size: int = Field(default=20, ge=1)
    #: Connections opened beyond the pool at a burst, closed when given back.
    database_max_overflow: int = Field(default=10, ge=0)
    redis_url: str
    kafka_bootstrap_servers: str = "127.0.0.1:59092"
    s3_endpoint_url: str = "http://127.0.0.1:59000"
    s3_access_key: str = "parovoz-dev"
    s3_secret_key: SecretStr = SecretStr("parovoz-dev-secret")
    s3_region: str = "us-east-1"
    #: The S3 address clients are given in pre-signed URLs, when it is not ``s3_endpoint_url``.
    s3_public_endpoint_url: str | None = None
    otel_exporter_otlp_endpoint: str = ""

    # Identity: tokens we accept, and the token this service presents to its peers.
    auth_jwks_url: str = "http://127.0.0.1:8090/.well-known/jwks.json"
    auth_public_key_file: Path | None = None
    auth_issuer: str = "parovoz-auth"
    auth_audience: str = "parovoz"
    auth_leeway_seconds: float = Field(default=10.0, ge=0, le=120)
    auth_token_url: str = "http://127.0.0.1:8090/oauth/token"
    auth_client_secret: SecretStr

    # Calls to peers: a deadline on every call, retries for idempotent ones, a breaker per peer.
    grpc_client_deadline_seconds: float = Field(default=2.0, gt=0)
    grpc_client_max_attempts: int = Field(default=3, ge=1, le=10)
    grpc_client_breaker_failure_threshold: int = Field(default=5, ge=1)
    grpc_client_breaker_reset_timeout_seconds: float = Field(default=10.0, gt=0)

    # Events.
    outbox_batch_size: int = Field(default=100, ge=1)
    consumer_max_attempts: int = Field(default=5, ge=1, le=20)

    # Time and jobs. The offset lets tests and local runs live in the future (never production).
    clock_offset_seconds: int = 0
    jobs_check_interval_seconds: float = Field(default=60.0, gt=0)
    idempotency_retention_hours: int = Field(default=24, ge=1)
    idempotency_lock_timeout_seconds: int = Field(default=60, ge=1)

    # The request guard (http/guard.py): refused before any body is parsed.
    #: A request body larger than this is answered 413 FILE_TOO_LARGE.
    max_request_body_bytes: int = Field(default=1024 * 1024, ge=1)
    #: A JSON body nested deeper than this (arrays and objects) is answered 400.
    max_json_depth: int = Field(default=32, ge=1, le=256)

    #: Readiness probes give up after this long per dependency.
    readiness_timeout_seconds: float = Field(default=2.0, gt=0)

    @model_validator(mode="after")
    def _refuse_dev_values_in_production(self) -> ServiceSettings:
        if self.environment is not Environment.PRODUCTION:
            return self
        secrets = {
            "database_url": self.database_url,
            "redis_url": self.redis_url,
            "s3_secret_key": self.s3_secret_key.get_secret_value(),
            "auth_client_secret": self.auth_client_secret.get_secret_value(),
        }
        for name, value in secrets.items():
            if any(marker in value for marker in _DEV_SECRET_MARKERS):
                raise ValueError(f"{name} holds a development secret; set a real one")
        if self.clock_offset_seconds:
            raise ValueError("clock_offset_seconds is for tests and local runs, not production")
        return self
