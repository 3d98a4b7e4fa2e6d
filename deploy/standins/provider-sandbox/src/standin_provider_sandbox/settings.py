"""Settings of the provider sandbox, from `STANDIN_PROVIDER_SANDBOX_*` environment variables."""

from __future__ import annotations

from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict


class SandboxSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="STANDIN_PROVIDER_SANDBOX_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8091
    # Base of the confirmation links handed out (confirmation_url / PaymentURL); unset means
    # http://127.0.0.1:<port>.
    public_url: str | None = None

    # YooKassa: HTTP Basic shopId:secretKey; notifications go to the URL "configured in the shop".
    yookassa_shop_id: str = "sandbox-shop"
    yookassa_secret_key: str = "sandbox-secret-key"
    yookassa_webhook_url: str = "http://127.0.0.1:8084/webhooks/yookassa"

    # T-Bank: TerminalKey + Password (the Token secret); NotificationURL from Init, else this one.
    tbank_terminal_key: str = "SandboxTerminal"
    tbank_password: str = "sandbox-password"
    tbank_notification_url: str = "http://127.0.0.1:8084/webhooks/tbank"

    # Our own notification signature (X-Sandbox-Signature), since real YooKassa signs nothing.
    webhook_secret: str = "sandbox-webhook-secret"

    # Delivery: attempts per copy, backoff doubling from the first delay up to the cap.
    notification_attempts: int = 6
    notification_first_delay_seconds: float = 1.0
    notification_max_delay_seconds: float = 60.0
    notification_timeout_seconds: float = 5.0
    # Every notification is delivered this many times (a provider's at-least-once, exaggerated).
    notification_duplicates: int = 1

    # What happens to a payment no magic amount/description and no control call decided.
    default_outcome: Literal["succeed", "fail", "pending"] = "succeed"
    default_decline_code: str = "general_decline"
    # A fiscal receipt (54-FZ) turns from pending to succeeded after this long.
    receipt_settle_seconds: float = 1.0

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://127.0.0.1:{self.port}").rstrip("/")
