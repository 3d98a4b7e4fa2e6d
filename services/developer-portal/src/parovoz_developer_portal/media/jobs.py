"""media's leased job: ``media-expire-uploads``, hourly, deletes media still awaiting their
upload long after their URL expired (and whatever was stored for them); on demand by
``POST /internal/jobs/media-expire-uploads/run``."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import cast

from parovoz_kit.infrastructure import Infrastructure
from parovoz_kit.jobs import JobContext, PeriodicJob

from parovoz_developer_portal.media.service import expire_abandoned_uploads
from parovoz_developer_portal.settings import DeveloperPortalSettings
from parovoz_developer_portal.unit_of_work import portal_unit_of_work

log = logging.getLogger(__name__)

MEDIA_EXPIRE_UPLOADS = "media-expire-uploads"


def media_jobs(infrastructure: Infrastructure) -> Sequence[PeriodicJob]:
    rules = cast(DeveloperPortalSettings, infrastructure.settings).media_rules()

    async def run(context: JobContext) -> int:
        expired = await expire_abandoned_uploads(
            lambda: portal_unit_of_work(infrastructure),
            infrastructure.storage(),
            rules,
            infrastructure.clock.now(),
        )
        if expired:
            log.info("abandoned media uploads deleted", extra={"expired": expired})
        return expired

    return [PeriodicJob(MEDIA_EXPIRE_UPLOADS, "hourly", run)]
