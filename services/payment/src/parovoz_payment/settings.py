"""payment settings: environment variables prefixed ``PAYMENT_``.

Provider settings are nested: ``PAYMENT_PROVIDERS__YOOKASSA_SECRET_KEY=...``.
"""

from __future__ import annotations

import functools
from datetime import timedelta
from typing import Literal

from parovoz_kit.sealing import Sealer, decode_key
from parovoz_kit.settings import Environment, ServiceSettings
from pydantic import Field, PrivateAttr, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from parovoz_payment.clients.providers.config import ProviderConfig
from parovoz_payment.domain.gift_cards import GiftCardRules
from parovoz_payment.domain.preorders import PreorderRules
from parovoz_payment.domain.revenue_share import RevenueShareRules, ShareTier
from parovoz_payment.domain.wallet import WalletRules

#: The documented default of ``default_return_url``: no real page, so never valid in production.
#: The wallet is a Russian e-wallet (161-FZ): it holds roubles only.
WALLET_CURRENCY = "RUB"
_EXAMPLE_RETURN_URL = "https://parovoz.example/payments/return"
#: The provider sandbox's published credentials: never valid in production.
_SANDBOX_SECRETS = ("sandbox-secret-key", "sandbox-password", "sandbox-webhook-secret")
#: Development key sealing bought gift cards' codes and streamers' payout wallets until used
#: (base64 of 32 bytes): never valid in production.
_DEV_SEALING_KEY = "cGFyb3Zvei1kZXYtcGF5bWVudC1zZWFsaW5nLWtleSE="


class PaymentSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="PAYMENT_",
        env_nested_delimiter="__",
        extra="ignore",
        frozen=True,
        # A refused setting must not print the secrets next to it.
        hide_input_in_errors=True,
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
    # Wallet limits (PRODUCT.md): per top-up, and the 161-FZ balance cap, in kopecks (of
    # WALLET_CURRENCY).
    wallet_min_top_up_minor: int = 10_000
    wallet_max_top_up_minor: int = 1_500_000
    wallet_balance_cap_minor: int = 6_000_000
    #: Where a provider's payment page sends the buyer back when the client gave no
    #: ``return_url`` (the client application's payment-result page).
    default_return_url: str = Field(default=_EXAMPLE_RETURN_URL, pattern=r"^https?://[^\s]+$")
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

    #: A gift card a user buys (PRODUCT.md): 500.00 .. 15,000.00 RUB, in kopecks.
    gift_card_purchase_currency: str = "RUB"
    gift_card_purchase_min_minor: int = Field(default=50_000, ge=1)
    gift_card_purchase_max_minor: int = Field(default=1_500_000, ge=1)
    #: AES-256-GCM key (base64, 32 bytes) and its id sealing what is held in clear only until
    #: used: a bought card's code until the buyer reveals it, a streamer's payout wallet.
    sealing_key: SecretStr = SecretStr(_DEV_SEALING_KEY)
    sealing_key_id: str = Field(default="dev-1", min_length=1, max_length=32)
    #: Keys retired by a rotation, by id: what they sealed stays readable.
    sealing_retired_keys: dict[str, SecretStr] = Field(default_factory=dict)

    def sealer(self) -> Sealer:
        keys = {
            key_id: decode_key(key.get_secret_value(), name="sealing key")
            for key_id, key in self.sealing_retired_keys.items()
        }
        keys[self.sealing_key_id] = decode_key(self.sealing_key.get_secret_value())
        return Sealer(self.sealing_key_id, keys)

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

    # Preorders: the partial prepayment's share of the price (basis points) and its minimum
    # (minor units of the preorder's currency); off-session attempts at the remainder after
    # the release, and the hours between two of them.
    preorder_partial_share_bp: int = Field(default=2000, gt=0, lt=10_000)
    preorder_partial_minimum_minor: int = Field(default=10_000, ge=1)
    preorder_remainder_attempts: int = Field(default=3, ge=1)
    preorder_retry_hours: int = Field(default=24, ge=0)

    def preorder_rules(self) -> PreorderRules:
        return PreorderRules(
            partial_share_bp=self.preorder_partial_share_bp,
            partial_minimum_minor=self.preorder_partial_minimum_minor,
            remainder_attempts=self.preorder_remainder_attempts,
            retry_interval=timedelta(hours=self.preorder_retry_hours),
        )

    #: Built once, when the settings are read (inconsistent limits fail at start).
    _wallet_rules: WalletRules | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _build_wallet_rules(self) -> PaymentSettings:
        self._wallet_rules = WalletRules(
            min_top_up=self.wallet_min_top_up_minor,
            max_top_up=self.wallet_max_top_up_minor,
            balance_cap=self.wallet_balance_cap_minor,
            currency=WALLET_CURRENCY,
        )
        return self

    def wallet_rules(self) -> WalletRules:
        """The wallet's one rules object: every path that credits a wallet or starts a top-up
        applies this one (through ``domain.wallet.Wallet``)."""
        assert self._wallet_rules is not None  # built by the validator
        return self._wallet_rules

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

    @model_validator(mode="after")
    def _refuse_example_return_url_in_production(self) -> PaymentSettings:
        if self.environment is Environment.PRODUCTION and (
            self.default_return_url == _EXAMPLE_RETURN_URL
        ):
            raise ValueError("default_return_url is the example page; set the client's real one")
        return self

    @model_validator(mode="after")
    def _refuse_dev_sealing_key_in_production(self) -> PaymentSettings:
        self.sealer()  # a malformed key fails at start, not at the first gift card
        keys = [self.sealing_key, *self.sealing_retired_keys.values()]
        if self.environment is Environment.PRODUCTION and any(
            key.get_secret_value() == _DEV_SEALING_KEY for key in keys
        ):
            raise ValueError("sealing_key is the development key; set a real one")
        return self


@functools.cache
def process_settings() -> PaymentSettings:
    """The process's settings, read once (they never change while it runs): for the rules deep
    in a use case (wallet cap at settlement, revenue share, donation commission, receipts'
    provider), where no request carries them."""
    return PaymentSettings()
