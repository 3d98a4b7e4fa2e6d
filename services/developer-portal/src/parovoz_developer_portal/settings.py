"""developer-portal settings: environment variables prefixed ``DEVELOPER_PORTAL_``."""

from __future__ import annotations

from datetime import timedelta

from parovoz_kit.settings import Environment, ServiceSettings
from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from parovoz_developer_portal.api_keys.rules import ApiKeyRules
from parovoz_developer_portal.beta.rules import BetaRules
from parovoz_developer_portal.builds.rules import BuildRules
from parovoz_developer_portal.finance.bank_details_cipher import BankDetailsCipher, decode_key
from parovoz_developer_portal.games.rules import GameRules
from parovoz_developer_portal.media.rules import MediaRules
from parovoz_developer_portal.notifications.rules import NotificationRules
from parovoz_developer_portal.pricing.rules import DiscountRules
from parovoz_developer_portal.releases.rules import PublicationRules
from parovoz_developer_portal.team.rules import TeamRules

_GIB = 1024**3
_MIB = 1024**2

#: Development key for payout bank details (base64 of 32 bytes): never valid in production.
_DEV_PAYOUT_DETAILS_KEY = "cGFyb3Zvei1kZXYtcGF5b3V0LWRldGFpbHMta2V5ISE="


class DeveloperPortalSettings(ServiceSettings):
    # hide_input_in_errors: a refused setting must not print the secrets next to it.
    model_config = SettingsConfigDict(
        env_prefix="DEVELOPER_PORTAL_", extra="ignore", frozen=True, hide_input_in_errors=True
    )

    service_name: str = "developer-portal"
    http_port: int = 8081
    grpc_port: int = 9091
    api_prefix: str = "/api/v1/developer"
    database_url: str = (
        "postgresql+psycopg://developer:developer-dev-password@127.0.0.1:55432/developer"
    )
    redis_url: str = "redis://127.0.0.1:56379/0"
    auth_client_secret: SecretStr = SecretStr("developer-portal-dev-secret")

    # Finance.
    payment_grpc_target: str = "127.0.0.1:9094"
    #: AES-256-GCM key (base64, 32 bytes) sealing payout bank details, and its id.
    payout_details_key: SecretStr = SecretStr(_DEV_PAYOUT_DETAILS_KEY)
    payout_details_key_id: str = Field(default="dev-1", min_length=1, max_length=32)
    #: Keys retired by a rotation, by id: rows sealed with them stay readable.
    payout_details_retired_keys: dict[str, SecretStr] = Field(default_factory=dict)
    #: Minimum payout, kopecks (PRODUCT.md: 1,000.00 RUB).
    payout_minimum_minor: int = Field(default=100_000, ge=1)
    #: Ask payment for the available balance before accepting a payout request (payment
    #: checks again when it pays; this only refuses an impossible request at once).
    payout_balance_precheck: bool = True

    #: Keep the hot game reads in the process, forgotten on every change the database's triggers
    #: announce (parovoz_kit.read_cache); off: every read goes to PostgreSQL.
    read_cache_enabled: bool = True

    # --- games -------------------------------------------------------------------------------
    games_default_page_size: int = Field(default=20, ge=1, le=100)
    games_max_page_size: int = Field(default=100, ge=1, le=500)

    # --- media (PRODUCT.md: jpeg / png / mp4 up to 2 GB) ----------------------------------------
    media_bucket: str = "developer-media"
    media_max_file_bytes: int = Field(default=2 * _GIB, ge=1)
    media_upload_url_ttl_seconds: int = Field(default=3600, ge=60, le=7 * 24 * 3600)
    #: Lifetime of the pre-signed GET URLs the media list hands out for display.
    media_display_url_ttl_seconds: int = Field(default=900, ge=60, le=7 * 24 * 3600)
    #: A media still awaiting its upload after this long is deleted (``media-expire-uploads``).
    media_abandoned_upload_after_seconds: int = Field(default=24 * 3600, ge=60)

    # --- builds (PRODUCT.md: up to 100 GB, 64 MiB parts, URLs live 1 hour) ---------------------
    builds_bucket: str = "developer-builds"
    build_max_file_bytes: int = Field(default=100 * 1000**3, ge=1)
    build_single_put_max_bytes: int = Field(default=5 * _GIB, ge=1, le=5 * _GIB)
    build_part_size_bytes: int = Field(default=64 * _MIB, ge=5 * _MIB, le=5 * _GIB)
    build_upload_url_ttl_seconds: int = Field(default=3600, ge=60, le=7 * 24 * 3600)
    build_verify_every_seconds: float = Field(default=10.0, gt=0)
    build_verify_lease_seconds: int = Field(default=3600, ge=10)

    # --- publication (PRODUCT.md) -------------------------------------------------------------
    publication_required_locale: str = "ru-RU"
    publication_min_screenshots: int = Field(default=3, ge=0)

    # --- API keys -------------------------------------------------------------------------------
    api_key_requests_per_minute: int = Field(default=600, ge=1)
    api_key_max_active_keys: int = Field(default=20, ge=1)

    # --- discounts (issue #13: percent 1..max, a bounded promo period, scheduled ahead) -------
    discount_max_percent: int = Field(default=90, ge=1, le=99)
    discount_max_days: int = Field(default=90, ge=1, le=366)
    discount_max_lead_days: int = Field(default=365, ge=0, le=3 * 366)
    discount_max_upcoming: int = Field(default=20, ge=1, le=100)

    # --- team and invitations (issue #16) ------------------------------------------------------
    #: How long an invitation may be accepted (PRODUCT.md: 7 days).
    team_invitation_ttl_seconds: int = Field(default=7 * 24 * 3600, ge=60, le=90 * 24 * 3600)
    #: The most invitations GET /team/invitations lists, newest first.
    team_invitations_listed: int = Field(default=200, ge=1, le=1000)

    # --- notifications (issue #16) --------------------------------------------------------------
    notifications_default_page_size: int = Field(default=20, ge=1, le=100)
    notifications_max_page_size: int = Field(default=100, ge=1, le=500)
    #: Under the gateway's proxy_read_timeout (30 s), so a quiet stream stays open.
    notifications_heartbeat_seconds: float = Field(default=15.0, gt=0, le=25)
    notifications_stream_max_seconds: float = Field(default=900.0, gt=0)
    notifications_stream_batch_size: int = Field(default=100, ge=1, le=1000)
    notifications_stream_poll_seconds: float = Field(default=30.0, gt=0)

    # --- beta tests (issue #16) -----------------------------------------------------------------
    beta_max_participants: int = Field(default=10_000, ge=1, le=1_000_000)
    beta_max_duration_days: int = Field(default=180, ge=1, le=3 * 366)
    beta_max_active_codes: int = Field(default=50, ge=1, le=1_000)
    beta_default_page_size: int = Field(default=50, ge=1, le=500)
    beta_max_page_size: int = Field(default=200, ge=1, le=1_000)

    def beta_rules(self) -> BetaRules:
        return BetaRules(
            max_participants=self.beta_max_participants,
            max_duration=timedelta(days=self.beta_max_duration_days),
            max_active_codes=self.beta_max_active_codes,
            default_page_size=min(self.beta_default_page_size, self.beta_max_page_size),
            max_page_size=self.beta_max_page_size,
        )

    def game_rules(self) -> GameRules:
        return GameRules(
            default_page_size=self.games_default_page_size,
            max_page_size=self.games_max_page_size,
        )

    def media_rules(self) -> MediaRules:
        return MediaRules(
            bucket=self.media_bucket,
            max_file_bytes=self.media_max_file_bytes,
            upload_url_ttl_seconds=self.media_upload_url_ttl_seconds,
            display_url_ttl_seconds=self.media_display_url_ttl_seconds,
            abandoned_upload_after_seconds=max(
                self.media_abandoned_upload_after_seconds, self.media_upload_url_ttl_seconds
            ),
            allowed_content_types=frozenset({"image/jpeg", "image/png", "video/mp4"}),
        )

    def build_rules(self) -> BuildRules:
        return BuildRules(
            bucket=self.builds_bucket,
            max_file_bytes=self.build_max_file_bytes,
            single_put_max_bytes=self.build_single_put_max_bytes,
            part_size_bytes=self.build_part_size_bytes,
            upload_url_ttl_seconds=self.build_upload_url_ttl_seconds,
            allowed_content_types=frozenset({"application/zip", "application/octet-stream"}),
            verify_every_seconds=self.build_verify_every_seconds,
            verify_lease_seconds=self.build_verify_lease_seconds,
        )

    def publication_rules(self) -> PublicationRules:
        return PublicationRules(
            required_locale=self.publication_required_locale,
            min_screenshots=self.publication_min_screenshots,
        )

    def discount_rules(self) -> DiscountRules:
        return DiscountRules(
            max_percent=self.discount_max_percent,
            max_duration=timedelta(days=self.discount_max_days),
            max_lead_time=timedelta(days=self.discount_max_lead_days),
            max_upcoming=self.discount_max_upcoming,
        )

    def team_rules(self) -> TeamRules:
        return TeamRules(
            invitation_ttl=timedelta(seconds=self.team_invitation_ttl_seconds),
            invitations_listed=self.team_invitations_listed,
        )

    def notification_rules(self) -> NotificationRules:
        return NotificationRules(
            default_page_size=min(
                self.notifications_default_page_size, self.notifications_max_page_size
            ),
            max_page_size=self.notifications_max_page_size,
            heartbeat_seconds=self.notifications_heartbeat_seconds,
            stream_max_seconds=self.notifications_stream_max_seconds,
            batch_size=self.notifications_stream_batch_size,
            poll_seconds=self.notifications_stream_poll_seconds,
        )

    def api_key_rules(self) -> ApiKeyRules:
        return ApiKeyRules(
            requests_per_minute=self.api_key_requests_per_minute,
            max_active_keys=self.api_key_max_active_keys,
        )

    @model_validator(mode="after")
    def _refuse_dev_payout_key_in_production(self) -> DeveloperPortalSettings:
        self.payout_details_cipher()  # a malformed key fails at start, not at the first payout
        if self.environment is Environment.PRODUCTION and any(
            key.get_secret_value() == _DEV_PAYOUT_DETAILS_KEY for key in self._payout_keys()
        ):
            raise ValueError("payout_details_key is the development key; set a real one")
        return self

    def _payout_keys(self) -> list[SecretStr]:
        return [self.payout_details_key, *self.payout_details_retired_keys.values()]

    def payout_details_cipher(self) -> BankDetailsCipher:
        keys = {
            key_id: decode_key(key.get_secret_value())
            for key_id, key in self.payout_details_retired_keys.items()
        }
        keys[self.payout_details_key_id] = decode_key(self.payout_details_key.get_secret_value())
        return BankDetailsCipher(self.payout_details_key_id, keys)
