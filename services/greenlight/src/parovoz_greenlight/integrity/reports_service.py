"""Use case of manipulation reports: a submission's latest report, for staff."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Protocol

from parovoz_kit.errors import NotFound

from parovoz_greenlight.integrity.domain import ManipulationReport
from parovoz_greenlight.ports import UnitOfWorkPort
from parovoz_greenlight.submissions.domain import Submission


class ReportsRepository(Protocol):
    async def of_submission(self, submission_id: uuid.UUID) -> Sequence[ManipulationReport]: ...


class SubmissionLookup(Protocol):
    async def get(self, submission_id: uuid.UUID) -> Submission | None: ...


class ReportsUnitOfWork(UnitOfWorkPort, Protocol):
    @property
    def submissions(self) -> SubmissionLookup: ...


async def manipulation_report(
    uow: ReportsUnitOfWork, reports: ReportsRepository, submission_id: uuid.UUID
) -> ManipulationReport:
    """The latest window's report (404 ``SUBMISSION_NOT_FOUND`` or
    ``MANIPULATION_REPORT_NOT_FOUND``)."""
    if await uow.submissions.get(submission_id) is None:
        raise NotFound("The submission was not found.", code="SUBMISSION_NOT_FOUND")
    found = await reports.of_submission(submission_id)
    if not found:
        raise NotFound(
            "No manipulation report yet: it is written when a closed window's audit ends.",
            code="MANIPULATION_REPORT_NOT_FOUND",
        )
    return found[0]
