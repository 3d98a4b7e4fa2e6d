"""REST routers and request/response schemas (thin: translate and delegate)."""

from collections.abc import Sequence

from fastapi import APIRouter
from parovoz_kit.infrastructure import Infrastructure

from parovoz_developer_portal.api.accounts import accounts_router
from parovoz_developer_portal.api.finance_reports import finance_reports_router
from parovoz_developer_portal.api.games import games_router
from parovoz_developer_portal.api.payout_methods import payout_methods_router
from parovoz_developer_portal.api.payout_schedule import payout_schedule_router
from parovoz_developer_portal.api.payouts import payouts_router
from parovoz_developer_portal.api.prices import prices_router


def routers(infrastructure: Infrastructure) -> Sequence[APIRouter]:
    return [
        accounts_router(infrastructure),
        games_router(infrastructure),
        prices_router(infrastructure),
        payout_methods_router(infrastructure),
        payouts_router(infrastructure),
        payout_schedule_router(infrastructure),
        finance_reports_router(infrastructure),
    ]
