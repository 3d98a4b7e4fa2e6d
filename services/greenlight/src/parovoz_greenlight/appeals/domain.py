"""An appeal of a rejected submission (seed 002 "Appeal Manager", PRODUCT.md "Appeal"): plain
Python. One appeal per submission, filed by its team within the appeal period after the
rejection; a curator or moderator decides it, and an approved appeal opens a new voting window.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from parovoz_kit.errors import BusinessRuleViolation

from parovoz_greenlight.submissions.domain import Submission, SubmissionStatus

EXPLANATION_LIMIT = 4000
IMPROVEMENT_LIMIT = 500
MAX_IMPROVEMENTS = 20
NOTES_LIMIT = 2000


class AppealReason(StrEnum):
    TECHNICAL_ISSUES = "technical_issues"
    MISUNDERSTANDING = "misunderstanding"
    SIGNIFICANT_IMPROVEMENTS = "significant_improvements"
    PROCEDURAL_ERROR = "procedural_error"
    BIAS_CLAIM = "bias_claim"


class AppealStatus(StrEnum):
    PENDING = "pending"
    DECIDED = "decided"


class AppealDecision(StrEnum):
    """The decisions this step takes (seed 002 also names partial_approval and
    requires_changes; they are not offered yet)."""

    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass
class Appeal:
    id: uuid.UUID
    submission_id: uuid.UUID
    developer_id: uuid.UUID
    filed_by: uuid.UUID
    reason: AppealReason
    explanation: str
    improvements: tuple[str, ...]
    status: AppealStatus
    filed_at: datetime
    decision: AppealDecision | None = None
    decided_by: uuid.UUID | None = None
    decided_by_role: str | None = None
    notes: str | None = None
    decided_at: datetime | None = None
    window_id: uuid.UUID | None = None


def appeal_not_allowed(detail: str, detail_ru: str) -> BusinessRuleViolation:
    return BusinessRuleViolation(detail, code="APPEAL_NOT_ALLOWED", detail_ru=detail_ru)


def appealable_until(submission: Submission, period: timedelta) -> datetime | None:
    return None if submission.decided_at is None else submission.decided_at + period


def check_appealable(
    submission: Submission,
    now: datetime,
    period: timedelta,
    improvements: tuple[str, ...],
    reason: AppealReason,
) -> None:
    """A rejected submission (422 ``APPEAL_NOT_ALLOWED``), within ``period`` of its rejection
    (the last instant included; 422 ``APPEAL_DEADLINE_PASSED`` after), with improvements when
    the reason is significant improvements (422 ``INSUFFICIENT_IMPROVEMENTS``)."""
    if submission.status is not SubmissionStatus.REJECTED:
        raise appeal_not_allowed(
            f"A submission in status {submission.status.value} cannot be appealed; only a "
            "rejected one can.",
            f"Заявку в статусе {submission.status.value} нельзя обжаловать: обжаловать можно "
            "только отклонённую.",
        )
    until = appealable_until(submission, period)
    if until is None or now > until:
        days = period.days
        raise BusinessRuleViolation(
            f"A rejection can be appealed within {days} days; that time has passed.",
            code="APPEAL_DEADLINE_PASSED",
            detail_ru=f"Отклонение можно обжаловать в течение {days} дней; этот срок истёк.",
        )
    if reason is AppealReason.SIGNIFICANT_IMPROVEMENTS and not any(i.strip() for i in improvements):
        raise BusinessRuleViolation(
            "An appeal for significant improvements must list the improvements made.",
            code="INSUFFICIENT_IMPROVEMENTS",
            detail_ru="Апелляция по существенным улучшениям должна перечислять сделанные "
            "улучшения.",
            pointer="/data/attributes/improvements",
        )


def decide(
    appeal: Appeal,
    decision: AppealDecision,
    *,
    by: uuid.UUID,
    role: str,
    notes: str | None,
    now: datetime,
) -> None:
    """Record the decision of a pending appeal (422 ``APPEAL_NOT_ALLOWED`` when decided)."""
    if appeal.status is not AppealStatus.PENDING:
        raise appeal_not_allowed(
            "This appeal has already been decided.", "По этой апелляции уже принято решение."
        )
    appeal.status = AppealStatus.DECIDED
    appeal.decision = decision
    appeal.decided_by, appeal.decided_by_role = by, role
    appeal.notes = notes
    appeal.decided_at = now
