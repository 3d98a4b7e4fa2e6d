"""Settings of the admin stand-in, from `STANDIN_ADMIN_*` environment variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class AdminSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="STANDIN_ADMIN_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8093
    kafka_bootstrap_servers: str = "127.0.0.1:59092"
    topic: str = "admin.events.v1"
    # How long one request waits for the broker to acknowledge its event before answering 503.
    publish_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
