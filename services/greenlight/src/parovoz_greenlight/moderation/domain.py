"""Moderation's rules (seed 002 "Curation Manager", PRODUCT.md "Greenlight"): plain Python.

Who may moderate: a ``moderator`` (platform role), or a ``curator`` (platform role) who is in
the curator registry with status ``active`` or ``probation``. A moderation action happens only
while the submission is ``under_moderation``; each is kept in an append-only audit log.

- APPROVE -> ``active_voting`` (the voting window opens); refused while the submission carries
  a flag or an escalation and no expert review was written since (``EXPERT_REVIEW_REQUIRED``).
- REJECT -> ``rejected`` (appealable).
- REQUEST_CHANGES -> ``draft`` with the changes asked for and a deadline.
- ESCALATE_TO_EXPERTS / FLAG_FOR_REVIEW -> a flag on the submission; its status stays.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from parovoz_kit.errors import BusinessRuleViolation, PermissionDenied, ValidationFailed

from parovoz_greenlight.submissions.domain import Submission, SubmissionStatus

DISPLAY_NAME_LIMIT = 100
SPECIALTY_LIMIT = 50
MAX_SPECIALTIES = 20
COMMENT_LIMIT = 2000
CHANGE_LIMIT = 500
MAX_CHANGES = 20
POINT_LIMIT = 500
MAX_POINTS = 20
SCORE_MIN, SCORE_MAX = 1, 5

MODERATOR_ROLE = "moderator"
CURATOR_ROLE = "curator"
ADMIN_ROLE = "admin"
#: Platform roles that see every moderation record (private expert reviews, the audit log).
STAFF_ROLES = frozenset({ADMIN_ROLE, MODERATOR_ROLE, CURATOR_ROLE})


class CuratorStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    SUSPENDED = "suspended"
    PROBATION = "probation"


#: Registry statuses in which a curator may act (moderate, review).
ACTING_STATUSES = frozenset({CuratorStatus.ACTIVE, CuratorStatus.PROBATION})


class ModerationType(StrEnum):
    APPROVE = "APPROVE"
    REJECT = "REJECT"
    REQUEST_CHANGES = "REQUEST_CHANGES"
    ESCALATE_TO_EXPERTS = "ESCALATE_TO_EXPERTS"
    FLAG_FOR_REVIEW = "FLAG_FOR_REVIEW"


class ReviewCategory(StrEnum):
    """The categories of seed 002's ``VoteCategory`` (scored 1-5)."""

    GAMEPLAY = "gameplay"
    PRESENTATION = "presentation"
    INNOVATION = "innovation"
    MARKET_APPEAL = "market_appeal"
    TECHNICAL_QUALITY = "technical_quality"


#: The flag each non-moving action leaves on the submission (``Submission.flags``).
FLAG_OF: Mapping[ModerationType, str] = {
    ModerationType.ESCALATE_TO_EXPERTS: "escalated_to_experts",
    ModerationType.FLAG_FOR_REVIEW: "flagged_for_review",
}
#: Where each moving action takes the submission.
TARGET_OF: Mapping[ModerationType, SubmissionStatus] = {
    ModerationType.APPROVE: SubmissionStatus.ACTIVE_VOTING,
    ModerationType.REJECT: SubmissionStatus.REJECTED,
    ModerationType.REQUEST_CHANGES: SubmissionStatus.DRAFT,
}
#: Statuses in which expert reviews may be written (the submission has reached moderation).
REVIEWABLE = frozenset(
    {
        SubmissionStatus.UNDER_MODERATION,
        SubmissionStatus.ACTIVE_VOTING,
        SubmissionStatus.VOTING_COMPLETED,
        SubmissionStatus.APPROVED,
        SubmissionStatus.REJECTED,
    }
)


@dataclass
class Curator:
    user_id: uuid.UUID
    display_name: str
    specialties: tuple[str, ...]
    status: CuratorStatus
    added_by: uuid.UUID
    created_at: datetime
    updated_at: datetime

    @property
    def may_act(self) -> bool:
        return self.status in ACTING_STATUSES


@dataclass(frozen=True)
class ModerationRecord:
    """One row of the append-only audit log: who did what, and the move it made."""

    id: uuid.UUID
    submission_id: uuid.UUID
    actor_id: uuid.UUID
    actor_role: str
    action: ModerationType
    comment: str | None
    required_changes: tuple[str, ...]
    changes_due_at: datetime | None
    from_status: SubmissionStatus
    to_status: SubmissionStatus
    at: datetime


@dataclass(frozen=True)
class ExpertReview:
    id: uuid.UUID
    submission_id: uuid.UUID
    reviewer_id: uuid.UUID
    scores: Mapping[ReviewCategory, int]
    overall: int
    strengths: tuple[str, ...]
    weaknesses: tuple[str, ...]
    recommendations: tuple[str, ...]
    is_public: bool
    created_at: datetime


def not_authorized() -> PermissionDenied:
    return PermissionDenied(
        "Only a moderator or an active curator may do this.",
        code="MODERATOR_NOT_AUTHORIZED",
        detail_ru="Это может сделать только модератор или действующий куратор.",
    )


def moderating_role(roles: frozenset[str], curator: Curator | None) -> str:
    """The role a caller moderates in: ``moderator``, or ``curator`` when the caller has the
    platform role and an acting registry entry; else 403 ``MODERATOR_NOT_AUTHORIZED``."""
    if MODERATOR_ROLE in roles:
        return MODERATOR_ROLE
    if CURATOR_ROLE in roles and curator is not None and curator.may_act:
        return CURATOR_ROLE
    raise not_authorized()


def require_acting_curator(roles: frozenset[str], curator: Curator | None) -> None:
    """Expert reviews: a curator (platform role) acting in the registry; else 403."""
    if CURATOR_ROLE not in roles or curator is None or not curator.may_act:
        raise not_authorized()


def moderation_conflict(status: SubmissionStatus) -> BusinessRuleViolation:
    """Why a submission in ``status`` cannot be moderated: seed 002's
    ``SUBMISSION_FEE_NOT_PAID`` while its fee is awaited (``submitted``), else
    ``MODERATION_CONFLICT``."""
    if status is SubmissionStatus.SUBMITTED:
        return BusinessRuleViolation(
            "The submission fee has not been paid yet: the submission is moderated once "
            "payment reports the fee paid.",
            code="SUBMISSION_FEE_NOT_PAID",
            detail_ru="Взнос за заявку ещё не оплачен: модерация начнётся, когда платёжный "
            "сервис подтвердит оплату.",
        )
    return BusinessRuleViolation(
        f"The submission is {status.value}: only a submission under moderation can be moderated.",
        code="MODERATION_CONFLICT",
        detail_ru=f"Заявка в статусе {status.value}: модерировать можно только заявку "
        "на модерации.",
    )


def changes_deadline(
    requested: datetime | None, now: datetime, default: timedelta, longest: timedelta
) -> datetime:
    """When the requested changes are due: ``requested`` (in the future, at most ``longest``
    away) or ``now + default``."""
    if requested is None:
        return now + default
    if requested <= now or requested > now + longest:
        raise ValidationFailed(
            f"The deadline must be in the future and at most {longest.days} days away.",
            pointer="/data/attributes/changes_due_at",
            detail_ru=f"Срок должен быть в будущем и не дальше {longest.days} дн.",
        )
    return requested


def apply_action(
    submission: Submission,
    action: ModerationType,
    now: datetime,
    *,
    expert_reviewed: bool,
    required_changes: tuple[str, ...] = (),
    changes_due_at: datetime | None = None,
) -> SubmissionStatus:
    """Apply ``action`` to ``submission`` (under moderation) and answer the status it had.

    ``expert_reviewed``: an expert review was written since the submission was last flagged or
    escalated (only asked when it carries a flag)."""
    before = submission.status
    if before is not SubmissionStatus.UNDER_MODERATION:
        raise moderation_conflict(before)
    if action in FLAG_OF:
        flag = FLAG_OF[action]
        if flag not in submission.flags:
            submission.flags = (*submission.flags, flag)
        submission.updated_at = now
        return before
    if action is ModerationType.APPROVE and _flagged(submission) and not expert_reviewed:
        raise BusinessRuleViolation(
            "The submission was flagged or escalated: an expert review is needed before it "
            "can be approved.",
            code="EXPERT_REVIEW_REQUIRED",
        )
    if action is ModerationType.REQUEST_CHANGES:
        if not required_changes or changes_due_at is None:
            raise ValidationFailed(
                "Say which changes are required.",
                pointer="/data/attributes/required_changes",
                detail_ru="Укажите, какие изменения требуются.",
            )
        submission.move(SubmissionStatus.DRAFT, now)
        submission.requested_changes = "\n".join(required_changes)
        submission.changes_due_at = changes_due_at
        return before
    submission.move(TARGET_OF[action], now)
    return before


def _flagged(submission: Submission) -> bool:
    return any(flag in submission.flags for flag in FLAG_OF.values())


def check_scores(scores: Mapping[ReviewCategory, int], overall: int) -> None:
    """Every category scored, each and the overall score 1-5."""
    missing = [category.value for category in ReviewCategory if category not in scores]
    if missing:
        raise ValidationFailed(
            f"Score every category; missing: {', '.join(missing)}.",
            pointer="/data/attributes/scores",
            detail_ru=f"Оцените все категории; не хватает: {', '.join(missing)}.",
        )
    for name, value in [*((c.value, v) for c, v in scores.items()), ("overall", overall)]:
        if not SCORE_MIN <= value <= SCORE_MAX:
            raise ValidationFailed(
                f"Scores are {SCORE_MIN}-{SCORE_MAX}.",
                pointer=f"/data/attributes/{'overall' if name == 'overall' else 'scores/' + name}",
                detail_ru=f"Оценки — от {SCORE_MIN} до {SCORE_MAX}.",
            )
