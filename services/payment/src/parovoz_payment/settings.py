"""payment settings: environment variables prefixed ``PAYMENT_``."""

from __future__ import annotations

from parovoz_kit.settings import ServiceSettings
from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict


class PaymentSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PAYMENT_", extra="ignore", frozen=True)

    service_name: str = "payment"
    http_port: int = 8084
    grpc_port: int = 9094
    api_prefix: str = "/api/v1/payments"
    database_url: str = "postgresql+psycopg://payment:payment-dev-password@127.0.0.1:55432/payment"
    redis_url: str = "redis://127.0.0.1:56379/3"
    auth_client_secret: SecretStr = SecretStr("payment-dev-secret")
    developer_portal_grpc_target: str = "127.0.0.1:9091"
    # Wallet limits (PRODUCT.md): per top-up, and the 161-FZ balance cap, in kopecks.
    wallet_min_top_up_minor: int = 10_000
    wallet_max_top_up_minor: int = 1_500_000
    wallet_balance_cap_minor: int = 6_000_000
