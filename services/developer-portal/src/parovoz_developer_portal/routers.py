"""REST routers and request/response schemas (thin: translate and delegate)."""

from collections.abc import Sequence

from fastapi import APIRouter
from parovoz_kit.infrastructure import Infrastructure

from parovoz_developer_portal.accounts.api import accounts_router
from parovoz_developer_portal.api_keys.api import api_keys_router
from parovoz_developer_portal.beta.api import beta_router
from parovoz_developer_portal.builds.api import builds_router
from parovoz_developer_portal.finance.payout_methods_api import payout_methods_router
from parovoz_developer_portal.finance.payout_schedule_api import payout_schedule_router
from parovoz_developer_portal.finance.payouts_api import payouts_router
from parovoz_developer_portal.finance.reports_api import finance_reports_router
from parovoz_developer_portal.games.api import games_router
from parovoz_developer_portal.media.api import media_router
from parovoz_developer_portal.notifications.api import notifications_router
from parovoz_developer_portal.pricing.api import prices_router
from parovoz_developer_portal.releases.api import releases_router
from parovoz_developer_portal.review.api import review_router
from parovoz_developer_portal.team.routes import team_router


def routers(infrastructure: Infrastructure) -> Sequence[APIRouter]:
    return [
        accounts_router(infrastructure),
        games_router(infrastructure),
        prices_router(infrastructure),
        media_router(infrastructure),
        builds_router(infrastructure),
        review_router(infrastructure),
        releases_router(infrastructure),
        api_keys_router(infrastructure),
        payout_methods_router(infrastructure),
        payouts_router(infrastructure),
        payout_schedule_router(infrastructure),
        finance_reports_router(infrastructure),
        team_router(infrastructure),
        notifications_router(infrastructure),
        beta_router(infrastructure),
    ]
