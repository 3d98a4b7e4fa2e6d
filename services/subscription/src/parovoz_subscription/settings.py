"""subscription settings: environment variables prefixed ``SUBSCRIPTION_``; the only reader of
the environment. Each context's numbers live in its block and are built into its rules object
(``<context>/rules.py``) by a method here; no default is repeated anywhere else."""

from __future__ import annotations

from parovoz_kit.settings import ServiceSettings
from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict


class SubscriptionSettings(ServiceSettings):
    # hide_input_in_errors: a refused setting must not print the secrets next to it.
    model_config = SettingsConfigDict(
        env_prefix="SUBSCRIPTION_", extra="ignore", frozen=True, hide_input_in_errors=True
    )

    service_name: str = "subscription"
    http_port: int = 8083
    grpc_port: int = 9093
    api_prefix: str = "/api/v1/subscriptions"
    database_url: str = (
        "postgresql+psycopg://subscription:subscription-dev-password@127.0.0.1:55432/subscription"
    )
    redis_url: str = "redis://127.0.0.1:56379/2"
    auth_client_secret: SecretStr = SecretStr("subscription-dev-secret")
    payment_grpc_target: str = "127.0.0.1:9094"

    # --- plans --------------------------------------------------------------------------------

    # --- subscriptions ------------------------------------------------------------------------

    # --- billing ------------------------------------------------------------------------------

    # --- trials -------------------------------------------------------------------------------

    # --- access -------------------------------------------------------------------------------

    # --- read models (access) -----------------------------------------------------------------

    # --- licenses -----------------------------------------------------------------------------

    # --- rules objects (one method per context, added with its block) -------------------------
