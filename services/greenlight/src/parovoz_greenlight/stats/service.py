"""Use cases of statistics: the system metrics of a period (public, cached a short while) and a
submission's analytics (its team and staff).

The counts are read by the ``StatsStore`` port (read-only SQL over the other contexts' tables);
who may see a submission is submissions' rule (``submissions.service.view_submission``: its team
and staff always, anyone else only once it is public); a public submission's analytics are
still its team's and staff's only (403 ``ANALYTICS_NOT_AUTHORIZED`` for anyone else)."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from parovoz_kit.errors import PermissionDenied

from parovoz_greenlight.ports import UnitOfWorkPort
from parovoz_greenlight.stats.domain import (
    NO_VOTES,
    DayCount,
    Period,
    SubmissionAnalytics,
    SystemFigures,
    SystemMetrics,
    WindowFigures,
    WindowSpan,
    submission_analytics,
    system_metrics,
)
from parovoz_greenlight.stats.rules import StatsRules
from parovoz_greenlight.submissions.domain import PUBLIC, Submission
from parovoz_greenlight.submissions.service import Developers, SubmissionStore, view_submission

#: Platform roles that see every submission's analytics.
ANALYST_ROLES = frozenset({"admin", "moderator", "curator"})


# --- ports ---------------------------------------------------------------------------------------


class StatsStore(Protocol):
    async def system_figures(
        self, starts_at: datetime, ends_at: datetime, now: datetime
    ) -> SystemFigures: ...

    async def latest_window(self, submission_id: uuid.UUID) -> WindowSpan | None: ...

    async def window_figures(self, window_id: uuid.UUID) -> WindowFigures: ...

    async def day_counts(self, window_id: uuid.UUID) -> Sequence[DayCount]: ...


class StatsUnitOfWork(UnitOfWorkPort, Protocol):
    @property
    def submissions(self) -> SubmissionStore: ...

    @property
    def stats(self) -> StatsStore: ...


@dataclass(frozen=True)
class CachedFigures:
    figures: SystemFigures
    #: When they were counted.
    as_of: datetime


class MetricsCache(Protocol):
    """Counted figures by period (Redis; a failure reads as a miss and a write as done)."""

    async def read(self, period: Period) -> CachedFigures | None: ...

    async def write(self, period: Period, cached: CachedFigures) -> None: ...


# --- use cases -----------------------------------------------------------------------------------


async def system_metrics_of(
    uow: StatsUnitOfWork, cache: MetricsCache, rules: StatsRules, period: Period, now: datetime
) -> SystemMetrics:
    """The metrics of ``period``: the figures counted at most the rules' TTL ago (by the
    clock: a cached count from the clock's future or past the TTL is counted again)."""
    cached = await cache.read(period)
    if cached is not None and (
        cached.as_of <= now < cached.as_of + timedelta(seconds=rules.cache_ttl_seconds)
    ):
        return system_metrics(period, cached.figures, cached.as_of)
    figures = await uow.stats.system_figures(period.starts_at, period.ends_at, now)
    await cache.write(period, CachedFigures(figures, now))
    return system_metrics(period, figures, now)


def analytics_not_authorized() -> PermissionDenied:
    return PermissionDenied(
        "Only the submitting team, curators, moderators and admins see a submission's analytics.",
        code="ANALYTICS_NOT_AUTHORIZED",
        detail_ru="Аналитику заявки видят только команда разработчика, кураторы, модераторы и "
        "администраторы.",
    )


async def _on_team(developers: Developers, viewer: uuid.UUID, submission: Submission) -> bool:
    if viewer == submission.submitted_by:
        return True
    membership = await developers.membership(viewer, submission.developer_id)
    return membership is not None and membership.developer_id == submission.developer_id


async def analytics_of(
    uow: StatsUnitOfWork,
    developers: Developers,
    submission_id: uuid.UUID,
    viewer: uuid.UUID,
    roles: Collection[str],
    now: datetime,
) -> SubmissionAnalytics:
    """The analytics of the submission's latest window: for staff and its team. Anyone else:
    404 ``SUBMISSION_NOT_FOUND`` while it is not public (like an unknown one), 403
    ``ANALYTICS_NOT_AUTHORIZED`` once it is."""
    staff = not ANALYST_ROLES.isdisjoint(roles)
    submission = await view_submission(uow, developers, submission_id, viewer, staff=staff)
    # view_submission let a non-staff viewer through: its team, or anyone once public.
    if (
        not staff
        and submission.status in PUBLIC
        and not await _on_team(developers, viewer, submission)
    ):
        raise analytics_not_authorized()
    window = await uow.stats.latest_window(submission.id)
    if window is None:
        return submission_analytics(submission.id, None, NO_VOTES, (), now)
    figures = await uow.stats.window_figures(window.id)
    counts = await uow.stats.day_counts(window.id)
    return submission_analytics(submission.id, window, figures, counts, now)
