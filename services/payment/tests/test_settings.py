"""payment's settings: nested provider settings from env, sandbox credentials refused in
production."""

from __future__ import annotations

import base64

import pytest
from parovoz_payment.settings import PaymentSettings

PRODUCTION = {
    "environment": "production",
    "database_url": "postgresql+psycopg://payment:real@db:5432/payment",
    "redis_url": "redis://redis:6379/3",
    "s3_secret_key": "real",
    "auth_client_secret": "real",
    "default_return_url": "https://store.parovoz.ru/payments/return",
}


def test_provider_settings_come_from_nested_environment_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PAYMENT_PROVIDERS__YOOKASSA_SHOP_ID", "shop-42")
    monkeypatch.setenv("PAYMENT_PROVIDERS__TBANK_ENABLED", "false")
    providers = PaymentSettings().providers
    assert providers.yookassa_shop_id == "shop-42"
    assert [p.value for p in providers.enabled_providers()] == ["yookassa"]


def test_production_refuses_the_sandbox_credentials() -> None:
    with pytest.raises(ValueError, match="sandbox"):
        PaymentSettings(**PRODUCTION)
    real = {
        "yookassa_secret_key": "live-key",
        "tbank_password": "live-password",
        "webhook_secret": "live-webhook-secret",
    }
    sealing = {"sealing_key": base64.b64encode(b"k" * 32).decode()}
    assert PaymentSettings(**PRODUCTION, **sealing, providers=real).providers.yookassa_secret_key


def test_production_refuses_the_development_sealing_key() -> None:
    real = {
        "yookassa_secret_key": "live-key",
        "tbank_password": "live-password",
        "webhook_secret": "live-webhook-secret",
    }
    with pytest.raises(ValueError, match="development key") as refused:
        PaymentSettings(**PRODUCTION, providers=real)
    assert "cGFyb3Zvei" not in str(refused.value)  # never the key itself
    with pytest.raises(ValueError, match="32 bytes"):
        PaymentSettings(sealing_key=base64.b64encode(b"short").decode())


def test_production_refuses_the_example_return_url() -> None:
    real = {
        "yookassa_secret_key": "live-key",
        "tbank_password": "live-password",
        "webhook_secret": "live-webhook-secret",
    }
    sealing = {"sealing_key": base64.b64encode(b"k" * 32).decode()}
    example = {**PRODUCTION, "default_return_url": "https://parovoz.example/payments/return"}
    with pytest.raises(ValueError, match="example page"):
        PaymentSettings(**example, **sealing, providers=real)
