"""payment settings: environment variables prefixed ``PAYMENT_``.

Provider settings are nested: ``PAYMENT_PROVIDERS__YOOKASSA_SECRET_KEY=...``.
"""

from __future__ import annotations

from parovoz_kit.settings import Environment, ServiceSettings
from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from parovoz_payment.clients.providers.config import ProviderConfig
from parovoz_payment.domain.wallet import WalletRules

#: The provider sandbox's published credentials: never valid in production.
_SANDBOX_SECRETS = ("sandbox-secret-key", "sandbox-password", "sandbox-webhook-secret")


class PaymentSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="PAYMENT_", env_nested_delimiter="__", extra="ignore", frozen=True
    )

    service_name: str = "payment"
    http_port: int = 8084
    grpc_port: int = 9094
    api_prefix: str = "/api/v1/payments"
    database_url: str = "postgresql+psycopg://payment:payment-dev-password@127.0.0.1:55432/payment"
    redis_url: str = "redis://127.0.0.1:56379/3"
    auth_client_secret: SecretStr = SecretStr("payment-dev-secret")
    developer_portal_grpc_target: str = "127.0.0.1:9091"
    providers: ProviderConfig = Field(default_factory=ProviderConfig)
    # Wallet limits (PRODUCT.md): per top-up, and the 161-FZ balance cap, in kopecks.
    wallet_min_top_up_minor: int = 10_000
    wallet_max_top_up_minor: int = 1_500_000
    wallet_balance_cap_minor: int = 6_000_000

    def wallet_rules(self) -> WalletRules:
        return WalletRules(
            min_top_up=self.wallet_min_top_up_minor,
            max_top_up=self.wallet_max_top_up_minor,
            balance_cap=self.wallet_balance_cap_minor,
        )

    @model_validator(mode="after")
    def _refuse_sandbox_credentials_in_production(self) -> PaymentSettings:
        if self.environment is Environment.PRODUCTION:
            secrets = (
                self.providers.yookassa_secret_key,
                self.providers.tbank_password,
                self.providers.webhook_secret,
            )
            if any(secret.get_secret_value() in _SANDBOX_SECRETS for secret in secrets):
                raise ValueError("payment provider credentials are the sandbox's; set real ones")
        return self
