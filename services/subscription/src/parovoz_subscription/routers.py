"""REST routers of subscription, one per context (thin: translate and delegate)."""

from collections.abc import Sequence

from fastapi import APIRouter
from parovoz_kit.infrastructure import Infrastructure

from parovoz_subscription.access.api import access_router
from parovoz_subscription.billing.api import billing_router
from parovoz_subscription.billing.plan_changes_api import plan_changes_router
from parovoz_subscription.licenses.api import licenses_router
from parovoz_subscription.plans.api import plans_router
from parovoz_subscription.subscriptions.api import subscriptions_router


def routers(infrastructure: Infrastructure) -> Sequence[APIRouter]:
    # access and licenses first: their fixed paths (/access, /devices, /offline-licenses,
    # /.well-known/jwks.json) must win over /{subscription_id}.
    return [
        plans_router(infrastructure),
        access_router(infrastructure),
        licenses_router(infrastructure),
        billing_router(infrastructure),
        plan_changes_router(infrastructure),
        subscriptions_router(infrastructure),
    ]
