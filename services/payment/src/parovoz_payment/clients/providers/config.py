"""Configuration of the provider adapters (filled from ``PaymentSettings``, prefix PAYMENT_).

Every default is the local provider sandbox (``deploy/standins/provider-sandbox``), so a service
started with no environment talks to it. Secrets are ``SecretStr``: never printed in a repr.
"""

from __future__ import annotations

import httpx
from pydantic import BaseModel, Field, SecretStr

from parovoz_payment.domain.methods import Provider

SANDBOX_URL = "http://127.0.0.1:8091"


class ProviderConfig(BaseModel):
    yookassa_enabled: bool = True
    yookassa_base_url: str = SANDBOX_URL
    yookassa_shop_id: str = "sandbox-shop"
    yookassa_secret_key: SecretStr = SecretStr("sandbox-secret-key")

    tbank_enabled: bool = True
    tbank_base_url: str = SANDBOX_URL
    tbank_terminal_key: str = "SandboxTerminal"
    tbank_password: SecretStr = SecretStr("sandbox-password")
    #: Where T-Bank notifies about a payment (sent with each Init); empty = the terminal's own.
    tbank_notification_url: str = "http://127.0.0.1:8084/webhooks/tbank"

    #: Key of the sandbox's ``X-Sandbox-Signature`` HMAC over notification bodies. Required for
    #: YooKassa notifications (production: replace by a source IP allow-list, see yookassa.py).
    webhook_secret: SecretStr = SecretStr("sandbox-webhook-secret")

    connect_timeout_seconds: float = Field(default=3.0, gt=0)
    #: YooKassa may take seconds to answer a payment creation; beyond this we call it down.
    read_timeout_seconds: float = Field(default=15.0, gt=0)

    breaker_failure_threshold: int = Field(default=5, ge=1)
    breaker_reset_timeout_seconds: float = Field(default=30.0, gt=0)

    def timeout(self) -> httpx.Timeout:
        return httpx.Timeout(
            self.read_timeout_seconds,
            connect=self.connect_timeout_seconds,
            pool=self.connect_timeout_seconds,
        )

    def enabled_providers(self) -> tuple[Provider, ...]:
        flags = {Provider.YOOKASSA: self.yookassa_enabled, Provider.TBANK: self.tbank_enabled}
        return tuple(provider for provider, enabled in flags.items() if enabled)
