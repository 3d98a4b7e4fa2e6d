"""REST routers and request/response schemas (thin: translate and delegate)."""

from collections.abc import Sequence

from fastapi import APIRouter
from parovoz_kit.infrastructure import Infrastructure

from parovoz_payment.api.audit import audit_router
from parovoz_payment.api.coupons import coupons_router
from parovoz_payment.api.currency_rates import currency_rates_router
from parovoz_payment.api.donations import donations_router
from parovoz_payment.api.fraud import fraud_router
from parovoz_payment.api.gift_card_purchases import gift_card_purchases_router
from parovoz_payment.api.gift_cards import gift_cards_router
from parovoz_payment.api.methods import methods_router
from parovoz_payment.api.payments import payments_router
from parovoz_payment.api.preorders import preorders_router
from parovoz_payment.api.referral_payouts import referral_payouts_router
from parovoz_payment.api.refunds import refunds_router
from parovoz_payment.api.streamer_payouts import streamer_payouts_router
from parovoz_payment.api.top_ups import top_ups_router
from parovoz_payment.api.wallet import wallet_router
from parovoz_payment.api.webhooks import webhooks_router
from parovoz_payment.clients.providers.registry import provider_registry


def routers(infrastructure: Infrastructure) -> Sequence[APIRouter]:
    providers = provider_registry(infrastructure)
    wallet_rules = infrastructure.settings.wallet_rules()  # type: ignore[attr-defined]
    # Fixed paths (/wallet, /methods, /admin/...) come before /{payment_id}.
    return [
        wallet_router(infrastructure, wallet_rules),
        top_ups_router(infrastructure, providers),
        donations_router(infrastructure, providers),
        streamer_payouts_router(infrastructure),
        referral_payouts_router(infrastructure),
        methods_router(infrastructure),
        audit_router(infrastructure),
        coupons_router(infrastructure),
        currency_rates_router(infrastructure),
        fraud_router(infrastructure, providers),
        gift_cards_router(infrastructure),
        gift_card_purchases_router(infrastructure, providers),
        preorders_router(infrastructure, providers),
        payments_router(infrastructure, providers),
        refunds_router(infrastructure, providers),
        webhooks_router(infrastructure, providers),
    ]
