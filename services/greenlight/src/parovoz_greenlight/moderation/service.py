"""Moderation's use cases: the curator registry, moderation actions (append-only audit log),
expert reviews. One async function per action, over the unit of work."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from parovoz_events.greenlight import SubmissionRejected
from parovoz_kit.errors import (
    BusinessRuleViolation,
    Conflict,
    NotFound,
    PermissionDenied,
    Unavailable,
)

from parovoz_greenlight.moderation.domain import (
    REVIEWABLE,
    STAFF_ROLES,
    Curator,
    CuratorStatus,
    ExpertReview,
    ModerationRecord,
    ModerationType,
    ReviewCategory,
    apply_action,
    changes_deadline,
    check_scores,
    moderating_role,
    require_acting_curator,
)
from parovoz_greenlight.moderation.rules import ModerationRules
from parovoz_greenlight.ports import UnitOfWorkPort
from parovoz_greenlight.submissions.domain import PUBLIC, Submission


class ModerationStore(Protocol):
    """``uow.moderation`` (``repository.SqlModeration``)."""

    async def curator(self, user_id: uuid.UUID, *, for_update: bool = False) -> Curator | None: ...
    async def add_curator(self, curator: Curator) -> bool: ...
    async def save_curator(self, curator: Curator) -> None: ...
    async def curators(
        self, status: CuratorStatus | None, after: uuid.UUID | None, limit: int
    ) -> list[Curator]: ...
    async def record(self, record: ModerationRecord) -> None: ...
    async def records(self, submission_id: uuid.UUID) -> list[ModerationRecord]: ...
    async def last_flagged_at(self, submission_id: uuid.UUID) -> datetime | None: ...
    async def reviewed_since(self, submission_id: uuid.UUID, since: datetime | None) -> bool: ...
    async def add_review(self, review: ExpertReview) -> bool: ...
    async def reviews(
        self, submission_id: uuid.UUID, *, public_only: bool
    ) -> list[ExpertReview]: ...


class SubmissionStore(Protocol):
    """What moderation needs of ``uow.submissions`` (G1's ``SqlSubmissions``)."""

    async def get(self, submission_id: uuid.UUID) -> Submission | None: ...
    async def get_for_update(self, submission_id: uuid.UUID) -> Submission | None: ...
    async def save(self, submission: Submission) -> None: ...


class ModerationUnitOfWork(UnitOfWorkPort, Protocol):
    moderation: ModerationStore
    submissions: SubmissionStore


class Membership(Protocol):
    @property
    def developer_id(self) -> uuid.UUID: ...


class Teams(Protocol):
    """Which developer account a user is a member of (developer-portal)."""

    async def membership(
        self, user_id: uuid.UUID, developer_id: uuid.UUID | None = None
    ) -> Membership | None: ...


#: Opens the first voting window of an approved submission (results.service.open_window).
WindowOpener = Callable[[Any, Submission, datetime], Awaitable[object]]


@dataclass(frozen=True)
class Caller:
    user_id: uuid.UUID | None
    roles: frozenset[str] = frozenset()

    @property
    def is_staff(self) -> bool:
        return not self.roles.isdisjoint(STAFF_ROLES)


@dataclass(frozen=True)
class Moderated:
    record: ModerationRecord
    submission: Submission


# --- curators -------------------------------------------------------------------------------


async def register_curator(
    uow: ModerationUnitOfWork,
    *,
    user_id: uuid.UUID,
    display_name: str,
    specialties: Sequence[str],
    status: CuratorStatus,
    added_by: uuid.UUID,
    now: datetime,
) -> Curator:
    curator = Curator(
        user_id, display_name, tuple(specialties), status, added_by, created_at=now, updated_at=now
    )
    if not await uow.moderation.add_curator(curator):
        raise Conflict(
            "This user is already a curator.",
            code="CURATOR_ALREADY_REGISTERED",
            pointer="/data/attributes/user_id",
        )
    await uow.commit()
    return curator


async def change_curator(
    uow: ModerationUnitOfWork,
    user_id: uuid.UUID,
    *,
    display_name: str | None,
    specialties: Sequence[str] | None,
    status: CuratorStatus | None,
    now: datetime,
) -> Curator:
    curator = await uow.moderation.curator(user_id, for_update=True)
    if curator is None:
        raise _curator_not_found()
    if display_name is not None:
        curator.display_name = display_name
    if specialties is not None:
        curator.specialties = tuple(specialties)
    if status is not None:
        curator.status = status
    curator.updated_at = now
    await uow.moderation.save_curator(curator)
    await uow.commit()
    return curator


async def curator_of(uow: ModerationUnitOfWork, user_id: uuid.UUID) -> Curator:
    curator = await uow.moderation.curator(user_id)
    if curator is None:
        raise _curator_not_found()
    return curator


async def list_curators(
    uow: ModerationUnitOfWork, status: CuratorStatus | None, after: uuid.UUID | None, limit: int
) -> list[Curator]:
    return await uow.moderation.curators(status, after, limit)


def _curator_not_found() -> NotFound:
    return NotFound("No curator with this user id.", code="CURATOR_NOT_FOUND")


# --- moderation actions ---------------------------------------------------------------------


async def moderate(
    uow: ModerationUnitOfWork,
    submission_id: uuid.UUID,
    caller: Caller,
    action: ModerationType,
    *,
    comment: str | None,
    required_changes: Sequence[str],
    changes_due_at: datetime | None,
    rules: ModerationRules,
    open_window: WindowOpener,
    now: datetime,
) -> Moderated:
    """One moderation action by a moderator or an acting curator (403
    ``MODERATOR_NOT_AUTHORIZED``), on a submission under moderation (422
    ``MODERATION_CONFLICT``; the row is locked, so of two racing actions the second sees the
    first's outcome)."""
    actor_id = _signed_in(caller)
    curator = await uow.moderation.curator(actor_id)
    role = moderating_role(caller.roles, curator)
    submission = await uow.submissions.get_for_update(submission_id)
    if submission is None:
        raise _submission_not_found()
    due = None
    if action is ModerationType.REQUEST_CHANGES:
        due = changes_deadline(
            changes_due_at, now, rules.changes_deadline, rules.longest_changes_deadline
        )
    reviewed = False
    if action is ModerationType.APPROVE and submission.flags:
        since = await uow.moderation.last_flagged_at(submission_id)
        reviewed = await uow.moderation.reviewed_since(submission_id, since)
    before = apply_action(
        submission,
        action,
        now,
        expert_reviewed=reviewed,
        required_changes=tuple(required_changes),
        changes_due_at=due,
    )
    if action is ModerationType.APPROVE:
        # Sets the submission's voting start and end, saved with it below.
        await open_window(uow, submission, now)
    await uow.submissions.save(submission)
    if action is ModerationType.REJECT:
        uow.emit(
            SubmissionRejected(
                submission_id=submission.id,
                game_id=submission.game_id,
                developer_id=submission.developer_id,
                reason="moderation_rejected",
                comment=comment,
                valid_votes=None,
                removed_votes=None,
                approval_basis_points=None,
                appealable_until=now + rules.appeal_period,
                rejected_at=now,
            )
        )
    record = ModerationRecord(
        id=uuid.uuid4(),
        submission_id=submission_id,
        actor_id=actor_id,
        actor_role=role,
        action=action,
        comment=comment,
        required_changes=tuple(required_changes) if due is not None else (),
        changes_due_at=due,
        from_status=before,
        to_status=submission.status,
        at=now,
    )
    await uow.moderation.record(record)
    await uow.commit()
    return Moderated(record, submission)


async def moderation_log(
    uow: ModerationUnitOfWork, submission_id: uuid.UUID, caller: Caller, teams: Teams
) -> list[ModerationRecord]:
    """The audit log, oldest first: staff and the submitting team only (403 otherwise)."""
    submission = await _submission(uow, submission_id)
    if not await _privileged(submission, caller, teams):
        raise PermissionDenied(
            "Only staff and the submitting team see the moderation log.",
            detail_ru="Журнал модерации видят только сотрудники и команда разработчика.",
        )
    return await uow.moderation.records(submission_id)


# --- expert reviews -------------------------------------------------------------------------


async def write_expert_review(
    uow: ModerationUnitOfWork,
    submission_id: uuid.UUID,
    caller: Caller,
    *,
    scores: Mapping[ReviewCategory, int],
    overall: int,
    strengths: Sequence[str],
    weaknesses: Sequence[str],
    recommendations: Sequence[str],
    is_public: bool,
    now: datetime,
) -> ExpertReview:
    """An expert review by an acting curator, once per curator and submission (409
    ``EXPERT_REVIEW_EXISTS``), of a submission that has reached moderation."""
    reviewer_id = _signed_in(caller)
    require_acting_curator(caller.roles, await uow.moderation.curator(reviewer_id))
    check_scores(scores, overall)
    submission = await _submission(uow, submission_id)
    if submission.status not in REVIEWABLE:
        raise BusinessRuleViolation(
            f"A submission in status {submission.status.value} cannot be reviewed.",
            code="EXPERT_REVIEW_NOT_ALLOWED",
            detail_ru=f"Заявку в статусе {submission.status.value} нельзя рецензировать.",
        )
    review = ExpertReview(
        id=uuid.uuid4(),
        submission_id=submission_id,
        reviewer_id=reviewer_id,
        scores=dict(scores),
        overall=overall,
        strengths=tuple(strengths),
        weaknesses=tuple(weaknesses),
        recommendations=tuple(recommendations),
        is_public=is_public,
        created_at=now,
    )
    if not await uow.moderation.add_review(review):
        raise Conflict("You have already reviewed this submission.", code="EXPERT_REVIEW_EXISTS")
    await uow.commit()
    return review


async def expert_reviews(
    uow: ModerationUnitOfWork, submission_id: uuid.UUID, caller: Caller, teams: Teams
) -> list[ExpertReview]:
    """Public reviews of a public submission to everybody; every review to staff and the
    submitting team. A submission the caller may not see is 404."""
    submission = await _submission(uow, submission_id)
    public = submission.status in PUBLIC
    try:
        privileged = await _privileged(submission, caller, teams)
    except Unavailable:
        # developer-portal down: a public submission still shows its public reviews.
        if not public:
            raise
        privileged = False
    if privileged:
        return await uow.moderation.reviews(submission_id, public_only=False)
    if not public:
        raise _submission_not_found()
    return await uow.moderation.reviews(submission_id, public_only=True)


# --- helpers --------------------------------------------------------------------------------


async def _submission(uow: ModerationUnitOfWork, submission_id: uuid.UUID) -> Submission:
    submission = await uow.submissions.get(submission_id)
    if submission is None:
        raise _submission_not_found()
    return submission


async def _privileged(submission: Submission, caller: Caller, teams: Teams) -> bool:
    if caller.is_staff:
        return True
    if caller.user_id is None:
        return False
    if caller.user_id == submission.submitted_by:
        return True
    membership = await teams.membership(caller.user_id, submission.developer_id)
    return membership is not None and membership.developer_id == submission.developer_id


def _signed_in(caller: Caller) -> uuid.UUID:
    if caller.user_id is None:
        raise PermissionDenied(
            "This endpoint is for signed-in users.",
            detail_ru="Этот адрес доступен только вошедшим пользователям.",
        )
    return caller.user_id


def _submission_not_found() -> NotFound:
    return NotFound("No such submission.", code="SUBMISSION_NOT_FOUND")
