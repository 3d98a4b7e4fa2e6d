"""greenlight settings: environment variables prefixed ``GREENLIGHT_``."""

from __future__ import annotations

from parovoz_kit.settings import ServiceSettings
from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict


class GreenlightSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GREENLIGHT_", extra="ignore", frozen=True)

    service_name: str = "greenlight"
    http_port: int = 8082
    grpc_port: int = 9092
    api_prefix: str = "/api/v1/greenlight"
    database_url: str = (
        "postgresql+psycopg://greenlight:greenlight-dev-password@127.0.0.1:55432/greenlight"
    )
    redis_url: str = "redis://127.0.0.1:56379/1"
    auth_client_secret: SecretStr = SecretStr("greenlight-dev-secret")
