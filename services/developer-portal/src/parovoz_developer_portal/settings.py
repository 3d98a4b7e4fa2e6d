"""developer-portal settings: environment variables prefixed ``DEVELOPER_PORTAL_``."""

from __future__ import annotations

from parovoz_kit.settings import ServiceSettings
from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict


class DeveloperPortalSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DEVELOPER_PORTAL_", extra="ignore", frozen=True)

    service_name: str = "developer-portal"
    http_port: int = 8081
    grpc_port: int = 9091
    api_prefix: str = "/api/v1/developer"
    database_url: str = (
        "postgresql+psycopg://developer:developer-dev-password@127.0.0.1:55432/developer"
    )
    redis_url: str = "redis://127.0.0.1:56379/0"
    auth_client_secret: SecretStr = SecretStr("developer-portal-dev-secret")
