"""subscription settings: environment variables prefixed ``SUBSCRIPTION_``; the only reader of
the environment. Each context's numbers live in its block and are built into its rules object
(``<context>/rules.py``) by a method here; no default is repeated anywhere else."""

from __future__ import annotations

from datetime import timedelta

from parovoz_kit.settings import Environment, ServiceSettings
from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from parovoz_subscription.access.facts import ReadModelRules
from parovoz_subscription.access.rules import AccessRules
from parovoz_subscription.billing.renewal_rules import RenewalRules
from parovoz_subscription.billing.rules import BillingRules
from parovoz_subscription.licenses.rules import LicenseRules
from parovoz_subscription.licenses.signing import (
    DEVELOPMENT_KEY_ID,
    DEVELOPMENT_SIGNING_KEY,
    KEY_ID_PATTERN,
    LicenseKeyring,
)
from parovoz_subscription.plans.rules import PlanRules
from parovoz_subscription.subscriptions.rules import SubscriptionRules


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
    #: Existing subscribers pay a changed price from their first period starting this many days
    #: after the change (PRODUCT.md: 30).
    plan_price_change_notice_days: int = Field(default=30, ge=0, le=365)
    #: A game leaves a plan's catalog no earlier than this many days after the announcement
    #: (PRODUCT.md: 14).
    plan_catalog_removal_notice_days: int = Field(default=14, ge=0, le=365)
    #: A game is a new release this many days after its release date (PRODUCT.md: 90).
    plan_new_release_window_days: int = Field(default=90, ge=1, le=365)
    #: Trial length and device limit of a plan created without them (PRODUCT.md: 14 and 3).
    plan_default_trial_days: int = Field(default=14, ge=0, le=365)
    plan_default_max_devices: int = Field(default=3, ge=1, le=100)

    # --- subscriptions ------------------------------------------------------------------------
    #: Subscriptions a page of a user's list (REST and gRPC) by default, and at most.
    subscriptions_default_page_size: int = Field(default=20, ge=1, le=100)
    subscriptions_max_page_size: int = Field(default=100, ge=1, le=500)
    #: The subscriber's zone when a creation names none (PRODUCT.md: Europe/Moscow).
    subscriptions_default_time_zone: str = Field(
        default="Europe/Moscow", min_length=1, max_length=64
    )
    #: Where payment's confirmation page returns the user when a creation names no URL.
    subscriptions_default_return_url: str = Field(
        default="http://127.0.0.1:8080/subscriptions/return", min_length=8, max_length=2000
    )

    # --- billing ------------------------------------------------------------------------------
    #: Renewal retries after a soft decline, days after the period end (PRODUCT.md: +1, +3, +7).
    billing_retry_days: tuple[int, ...] = Field(default=(1, 3, 7), min_length=0, max_length=3)
    #: Access kept after a hard decline while a new method is asked for, in days.
    billing_hard_decline_grace_days: int = Field(default=7, ge=0, le=60)
    #: Days suspended before a subscription expires (PRODUCT.md: 30).
    billing_suspended_expiry_days: int = Field(default=30, ge=1, le=365)
    #: Days before a charge that ``renewal.upcoming`` is sent.
    billing_upcoming_notice_days: int = Field(default=3, ge=0, le=30)
    #: Subscriptions one billing job run handles at most, and how often the jobs run.
    billing_jobs_batch_size: int = Field(default=50, ge=1, le=1000)
    billing_jobs_every_seconds: int = Field(default=60, ge=1, le=86400)
    #: The subscriber's own refund of the first payment: within this many days of paying it.
    billing_owner_refund_window_days: int = Field(default=14, ge=0, le=365)
    #: The card verification payment accepts (1.00 RUB), in minor units, and its currency.
    billing_card_verification_amount_minor: int = Field(default=100, ge=1, le=100_000)
    billing_card_verification_currency: str = Field(default="RUB", pattern=r"^[A-Z]{3}$")
    #: Where the provider sends the user back after paying, when the client names no URL.
    billing_payment_return_url: str = Field(
        default="https://parovoz.example/subscriptions/payment-complete",
        pattern=r"^https?://",
        max_length=2000,
    )

    # --- trials -------------------------------------------------------------------------------

    # --- access -------------------------------------------------------------------------------
    #: Devices per user when the plan names no limit (PRODUCT.md "Access": 3).
    access_default_device_limit: int = Field(default=3, ge=1, le=100)
    #: Lifetime of a cached access entry in Redis (at most 5 minutes; changes forget it at once).
    access_cache_ttl_seconds: int = Field(default=300, ge=1, le=300)
    #: One Redis call of the access path may take this long; then PostgreSQL answers.
    access_cache_timeout_seconds: float = Field(default=0.25, gt=0, le=5)
    #: After a Redis failure the access path does not ask Redis for this long.
    access_cache_retry_after_seconds: float = Field(default=1.0, ge=0, le=60)
    #: A hit is kept in the process this long (0: never); other replicas' changes wait for it.
    access_cache_local_seconds: float = Field(default=1.0, ge=0, le=5)
    #: The zone a user's birthday is counted in (PRODUCT.md: Europe/Moscow by default).
    access_age_time_zone: str = Field(default="Europe/Moscow", min_length=1, max_length=64)

    # --- read models (access) -----------------------------------------------------------------
    #: The user service (region, birth date, blocked) behind the users read model.
    user_service_url: str = "http://127.0.0.1:8092"
    user_service_timeout_seconds: float = Field(default=2.0, gt=0, le=30)
    #: A cached profile is used without asking again for this long (PRODUCT.md: cached).
    user_profile_ttl_seconds: int = Field(default=3600, ge=1, le=7 * 86400)
    #: developer-portal's gRPC (GetGame answers a game the events have not brought yet).
    developer_portal_grpc_target: str = "127.0.0.1:9091"

    # --- licenses -----------------------------------------------------------------------------
    #: How long an offline license is valid (PRODUCT.md: 14 days), never past its access's end.
    license_validity_days: int = Field(default=14, ge=1, le=90)
    #: The Ed25519 key signing licenses: PEM (PKCS#8) or the base64 of its 32-byte seed. The
    #: default is the development key, refused in production.
    license_signing_key: SecretStr = SecretStr(DEVELOPMENT_SIGNING_KEY)
    #: Its id, the tokens' ``kid`` (a new id for every new key).
    license_signing_key_id: str = Field(default=DEVELOPMENT_KEY_ID, pattern=KEY_ID_PATTERN)
    #: Public keys of retired signing keys by id (PEM or base64 of the 32 bytes), published until
    #: their last licenses expire (``licenses/signing.py``: rotation).
    license_retired_public_keys: dict[str, str] = Field(default_factory=dict)

    # --- rules objects (one method per context, added with its block) -------------------------

    def license_rules(self) -> LicenseRules:
        return LicenseRules(validity=timedelta(days=self.license_validity_days))

    def license_keyring(self) -> LicenseKeyring:
        return LicenseKeyring.of(
            self.license_signing_key_id,
            self.license_signing_key.get_secret_value(),
            self.license_retired_public_keys,
        )

    @model_validator(mode="after")
    def _check_license_keys(self) -> SubscriptionSettings:
        self.license_keyring()  # an unreadable key fails at start, not at the first license
        development = self.license_signing_key.get_secret_value().strip()
        if self.environment is Environment.PRODUCTION and development == DEVELOPMENT_SIGNING_KEY:
            raise ValueError("license_signing_key is the development key; set a real one")
        return self

    def renewal_rules(self) -> RenewalRules:
        days = tuple(self.billing_retry_days)
        if any(day <= 0 for day in days) or list(days) != sorted(set(days)):
            raise ValueError("billing_retry_days must be increasing positive days")
        return RenewalRules(
            retry_days=days,
            hard_decline_grace=timedelta(days=self.billing_hard_decline_grace_days),
            suspended_expiry=timedelta(days=self.billing_suspended_expiry_days),
            upcoming_notice=timedelta(days=self.billing_upcoming_notice_days),
            batch_size=self.billing_jobs_batch_size,
            jobs_every=timedelta(seconds=self.billing_jobs_every_seconds),
        )

    def billing_rules(self) -> BillingRules:
        return BillingRules(
            owner_refund_window=timedelta(days=self.billing_owner_refund_window_days),
            card_verification_amount_minor=self.billing_card_verification_amount_minor,
            card_verification_currency=self.billing_card_verification_currency,
            payment_return_url=self.billing_payment_return_url,
        )

    def access_rules(self) -> AccessRules:
        return AccessRules(
            default_device_limit=self.access_default_device_limit,
            cache_ttl_seconds=self.access_cache_ttl_seconds,
            cache_timeout_seconds=self.access_cache_timeout_seconds,
            cache_retry_after_seconds=self.access_cache_retry_after_seconds,
            cache_local_seconds=self.access_cache_local_seconds,
            age_time_zone=self.access_age_time_zone,
        )

    def read_model_rules(self) -> ReadModelRules:
        return ReadModelRules(
            user_profile_ttl=timedelta(seconds=self.user_profile_ttl_seconds),
            user_service_timeout_seconds=self.user_service_timeout_seconds,
        )

    def plan_rules(self) -> PlanRules:
        return PlanRules(
            price_change_notice=timedelta(days=self.plan_price_change_notice_days),
            catalog_removal_notice=timedelta(days=self.plan_catalog_removal_notice_days),
            new_release_window=timedelta(days=self.plan_new_release_window_days),
            default_trial_days=self.plan_default_trial_days,
            default_max_devices=self.plan_default_max_devices,
        )

    def subscription_rules(self) -> SubscriptionRules:
        return SubscriptionRules(
            default_page_size=self.subscriptions_default_page_size,
            max_page_size=self.subscriptions_max_page_size,
            default_time_zone=self.subscriptions_default_time_zone,
            default_return_url=self.subscriptions_default_return_url,
        )
