"""subscription settings: environment variables prefixed ``SUBSCRIPTION_``."""

from __future__ import annotations

from parovoz_kit.settings import ServiceSettings
from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict


class SubscriptionSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SUBSCRIPTION_", extra="ignore", frozen=True)

    service_name: str = "subscription"
    http_port: int = 8083
    grpc_port: int = 9093
    api_prefix: str = "/api/v1/subscriptions"
    database_url: str = (
        "postgresql+psycopg://subscription:subscription-dev-password@127.0.0.1:55432/subscription"
    )
    redis_url: str = "redis://127.0.0.1:56379/2"
    auth_client_secret: SecretStr = SecretStr("subscription-dev-secret")
