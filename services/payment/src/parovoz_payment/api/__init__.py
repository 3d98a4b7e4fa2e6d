"""REST routers and request/response schemas (thin: translate and delegate)."""

from collections.abc import Sequence

from fastapi import APIRouter
from parovoz_kit.infrastructure import Infrastructure

from parovoz_payment.api.audit import audit_router
from parovoz_payment.api.methods import methods_router
from parovoz_payment.api.wallet import wallet_router
from parovoz_payment.domain.wallet import WalletRules


def routers(infrastructure: Infrastructure) -> Sequence[APIRouter]:
    # Fixed paths (/wallet, /methods, /admin/...) come before any future /{payment_id} route.
    return [
        wallet_router(infrastructure, wallet_rules(infrastructure)),
        methods_router(infrastructure),
        audit_router(infrastructure),
    ]


def wallet_rules(infrastructure: Infrastructure) -> WalletRules:
    settings = infrastructure.settings
    return WalletRules(
        min_top_up=settings.wallet_min_top_up_minor,  # type: ignore[attr-defined]
        max_top_up=settings.wallet_max_top_up_minor,  # type: ignore[attr-defined]
        balance_cap=settings.wallet_balance_cap_minor,  # type: ignore[attr-defined]
    )
