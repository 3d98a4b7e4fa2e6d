"""Payment provider adapters (YooKassa API v3, T-Bank acquiring v2) behind
``parovoz_payment.domain.providers.PaymentProvider``, and the registry that routes to them."""

from parovoz_payment.clients.providers.config import ProviderConfig
from parovoz_payment.clients.providers.registry import GuardedProvider, ProviderRegistry
from parovoz_payment.clients.providers.tbank import TBankProvider
from parovoz_payment.clients.providers.webhooks import WebhookAnswer, webhook_answer
from parovoz_payment.clients.providers.yookassa import YooKassaProvider

__all__ = [
    "GuardedProvider",
    "ProviderConfig",
    "ProviderRegistry",
    "TBankProvider",
    "WebhookAnswer",
    "YooKassaProvider",
    "webhook_answer",
]
