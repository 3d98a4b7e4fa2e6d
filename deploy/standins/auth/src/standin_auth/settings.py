"""Settings of the auth stand-in, from `STANDIN_AUTH_*` environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# Our four services, the stand-ins that call them, the external social service (it asks
# payment for referral payouts) and the clients that check a player's access with subscription
# (the launcher, the gateway); each secret is `<name>-dev-secret`.
DEFAULT_SERVICE_NAMES = (
    "developer-portal",
    "greenlight",
    "subscription",
    "payment",
    "admin",
    "user",
    "catalog-library",
    "provider-sandbox",
    "social",
    "launcher",
    "gateway",
)


class AuthSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="STANDIN_AUTH_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8090
    # Where the RSA keys live so tokens survive a restart; unset = keys in memory only.
    key_dir: Path | None = None
    # `name:secret,name:secret`; unset = the defaults above. An empty string means no clients.
    service_clients: str | None = None
    service_token_ttl_seconds: int = Field(default=300, ge=1, le=86400)
    # The newest key signs; this many keys (newest first) stay published in the JWKS.
    published_key_count: int = Field(default=3, ge=2, le=10)
