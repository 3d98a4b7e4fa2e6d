"""REST routers of greenlight, one per context (thin: translate and delegate)."""

from collections.abc import Sequence

from fastapi import APIRouter
from parovoz_kit.infrastructure import Infrastructure

from parovoz_greenlight.appeals.api import appeals_router
from parovoz_greenlight.fees.api import fees_router
from parovoz_greenlight.integrity.api import integrity_router
from parovoz_greenlight.integrity.reports_api import reports_router
from parovoz_greenlight.moderation.api import moderation_router
from parovoz_greenlight.results.api import results_router
from parovoz_greenlight.stats.api import stats_router
from parovoz_greenlight.submissions.api import submissions_router
from parovoz_greenlight.support.api import support_router
from parovoz_greenlight.voting.api import voting_router


def routers(infrastructure: Infrastructure) -> Sequence[APIRouter]:
    # Fixed paths (…/submissions/mine, /curators, /moderation/…) before /submissions/{id}:
    # submissions types its id as a UUID in the path (`{submission_id:uuid}`) anyway.
    return [
        submissions_router(infrastructure),
        fees_router(infrastructure),
        moderation_router(infrastructure),
        voting_router(infrastructure),
        results_router(infrastructure),
        integrity_router(infrastructure),
        reports_router(infrastructure),
        appeals_router(infrastructure),
        support_router(infrastructure),
        stats_router(infrastructure),
    ]
