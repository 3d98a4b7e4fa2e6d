"""greenlight settings: environment variables prefixed ``GREENLIGHT_``; the only reader of the
environment. Each context's numbers live in its block and are built into its rules object
(``<context>/rules.py``) by a method here; no default is repeated anywhere else."""

from __future__ import annotations

from parovoz_kit.settings import ServiceSettings
from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict


class GreenlightSettings(ServiceSettings):
    # hide_input_in_errors: a refused setting must not print the secrets next to it.
    model_config = SettingsConfigDict(
        env_prefix="GREENLIGHT_", extra="ignore", frozen=True, hide_input_in_errors=True
    )

    service_name: str = "greenlight"
    http_port: int = 8082
    grpc_port: int = 9092
    api_prefix: str = "/api/v1/greenlight"
    database_url: str = (
        "postgresql+psycopg://greenlight:greenlight-dev-password@127.0.0.1:55432/greenlight"
    )
    redis_url: str = "redis://127.0.0.1:56379/1"
    auth_client_secret: SecretStr = SecretStr("greenlight-dev-secret")
    payment_grpc_target: str = "127.0.0.1:9094"
    developer_portal_grpc_target: str = "127.0.0.1:9091"
    user_service_url: str = "http://127.0.0.1:8092"

    # --- submissions --------------------------------------------------------------------------

    # --- fees ---------------------------------------------------------------------------------

    # --- moderation ---------------------------------------------------------------------------

    # --- voting -------------------------------------------------------------------------------

    # --- results ------------------------------------------------------------------------------

    # --- rules objects (one method per context, added with its block) -------------------------
