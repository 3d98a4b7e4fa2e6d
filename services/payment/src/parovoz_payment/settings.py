"""payment settings: environment variables prefixed ``PAYMENT_``.

Provider settings are nested: ``PAYMENT_PROVIDERS__YOOKASSA_SECRET_KEY=...``.
"""

from __future__ import annotations

import functools
from datetime import timedelta
from typing import Literal

from parovoz_kit.settings import Environment, ServiceSettings
from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from parovoz_payment.clients.providers.config import ProviderConfig
from parovoz_payment.domain.gift_cards import GiftCardRules
from parovoz_payment.domain.revenue_share import RevenueShareRules, ShareTier
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
    #: Smallest developer payout (PRODUCT.md, seed 001): 1,000.00 RUB, in kopecks.
    payout_minimum_minor: int = 100_000
    providers: ProviderConfig = Field(default_factory=ProviderConfig)
    # Wallet limits (PRODUCT.md): per top-up, and the 161-FZ balance cap, in kopecks.
    wallet_min_top_up_minor: int = 10_000
    wallet_max_top_up_minor: int = 1_500_000
    wallet_balance_cap_minor: int = 6_000_000
    #: The (external) user service the fraud rules ask about a payer (blocked, account age).
    user_service_url: str = "http://127.0.0.1:8092"
    user_service_timeout_seconds: float = 2.0
    #: Donations (PRODUCT.md): the platform's commission in basis points (500 = 5 %) and the
    #: smallest streamer payout, in kopecks.
    donation_commission_bp: int = Field(default=500, ge=0, le=10_000)
    streamer_payout_minimum_minor: int = 50_000
    streamer_payout_period: Literal["weekly", "monthly"] = "weekly"

    # Gift cards (PRODUCT.md): validity from issue; failed code lookups a user may make per
    # window (balance checks and payments alike) before 429, so codes cannot be guessed.
    gift_card_validity_days: int = 365
    gift_card_lookup_limit: int = 10
    gift_card_lookup_window_seconds: int = 3600

    def gift_card_rules(self) -> GiftCardRules:
        return GiftCardRules(validity=timedelta(days=self.gift_card_validity_days))

    # Revenue share on game sales (PRODUCT.md): the platform's share in basis points, from 0
    # and then above each lifetime-gross threshold (RUB kopecks, net of refunds), and the hold
    # before a developer's share becomes available.
    revenue_share_platform_bps: tuple[int, ...] = (3000, 2500, 2000)
    revenue_share_thresholds_minor: tuple[int, ...] = (80_000_000_000, 400_000_000_000)
    developer_hold_days: int = 30

    def revenue_share_rules(self) -> RevenueShareRules:
        if len(self.revenue_share_platform_bps) != len(self.revenue_share_thresholds_minor) + 1:
            raise ValueError("one more revenue share rate than thresholds")
        starts = (0, *self.revenue_share_thresholds_minor)
        return RevenueShareRules(
            tiers=tuple(
                ShareTier(start, bps)
                for start, bps in zip(starts, self.revenue_share_platform_bps, strict=True)
            ),
            hold=timedelta(days=self.developer_hold_days),
        )

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


@functools.cache
def process_settings() -> PaymentSettings:
    """The process's settings, read once (they never change while it runs): for the rules deep
    in a use case (wallet cap at settlement, revenue share, donation commission, receipts'
    provider), where no request carries them."""
    return PaymentSettings()
