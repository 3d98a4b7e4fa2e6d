"""Appeals' use cases: file an appeal, list a submission's appeals, decide an appeal. One async
function per action, over the unit of work."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from parovoz_kit.errors import Conflict, NotFound, PermissionDenied

from parovoz_greenlight.appeals.domain import (
    Appeal,
    AppealDecision,
    AppealReason,
    AppealStatus,
    check_appealable,
    decide,
)
from parovoz_greenlight.appeals.rules import AppealRules
from parovoz_greenlight.moderation.domain import STAFF_ROLES, Curator, moderating_role
from parovoz_greenlight.ports import UnitOfWorkPort
from parovoz_greenlight.submissions.domain import TEAM_WRITERS, Submission, SubmissionStatus


class AppealStore(Protocol):
    """``uow.appeals`` (``repository.SqlAppeals``)."""

    async def add(self, appeal: Appeal) -> bool: ...
    async def get(self, appeal_id: uuid.UUID, *, for_update: bool = False) -> Appeal | None: ...
    async def of_submission(self, submission_id: uuid.UUID) -> list[Appeal]: ...
    async def save(self, appeal: Appeal) -> None: ...


class SubmissionStore(Protocol):
    async def get(self, submission_id: uuid.UUID) -> Submission | None: ...
    async def get_for_update(self, submission_id: uuid.UUID) -> Submission | None: ...
    async def save(self, submission: Submission) -> None: ...


class CuratorStore(Protocol):
    async def curator(self, user_id: uuid.UUID, *, for_update: bool = False) -> Curator | None: ...


class AppealsUnitOfWork(UnitOfWorkPort, Protocol):
    appeals: AppealStore
    submissions: SubmissionStore
    moderation: CuratorStore


class Membership(Protocol):
    @property
    def developer_id(self) -> uuid.UUID: ...
    @property
    def role(self) -> str: ...


class Teams(Protocol):
    """Which developer account a user is a member of (developer-portal)."""

    async def membership(
        self, user_id: uuid.UUID, developer_id: uuid.UUID | None = None
    ) -> Membership | None: ...


#: Opens a new voting window (``results.service.open_window(uow, submission, now, days=...)``).
WindowOpener = Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class Caller:
    user_id: uuid.UUID | None
    roles: frozenset[str] = frozenset()

    @property
    def is_staff(self) -> bool:
        return not self.roles.isdisjoint(STAFF_ROLES)


async def file_appeal(
    uow: AppealsUnitOfWork,
    teams: Teams,
    submission_id: uuid.UUID,
    caller: Caller,
    *,
    reason: AppealReason,
    explanation: str,
    improvements: Sequence[str],
    rules: AppealRules,
    now: datetime,
) -> Appeal:
    """The one appeal of a rejected submission, by a writer of its team (403
    ``PERMISSION_DENIED``), within the period (422 ``APPEAL_DEADLINE_PASSED``); a second one is
    409 ``APPEAL_NOT_ALLOWED``."""
    user_id = _signed_in(caller)
    submission = await uow.submissions.get_for_update(submission_id)
    if submission is None:
        raise _submission_not_found()
    membership = await teams.membership(user_id, submission.developer_id)
    if (
        membership is None
        or membership.developer_id != submission.developer_id
        or membership.role not in TEAM_WRITERS
    ):
        raise PermissionDenied(
            "Only the owner, an admin or an editor of the submitting developer account can appeal.",
            detail_ru="Обжаловать может только владелец, администратор или редактор аккаунта "
            "разработчика, подавшего заявку.",
        )
    if await uow.appeals.of_submission(submission_id):
        raise _second_appeal()
    check_appealable(submission, now, rules.period, tuple(improvements), reason)
    appeal = Appeal(
        id=uuid.uuid4(),
        submission_id=submission_id,
        developer_id=submission.developer_id,
        filed_by=user_id,
        reason=reason,
        explanation=explanation,
        improvements=tuple(i for i in improvements if i.strip()),
        status=AppealStatus.PENDING,
        filed_at=now,
    )
    if not await uow.appeals.add(appeal):
        raise _second_appeal()
    await uow.commit()
    return appeal


async def appeals_of(
    uow: AppealsUnitOfWork, teams: Teams, submission_id: uuid.UUID, caller: Caller
) -> list[Appeal]:
    """The submission's appeals: staff and the submitting team only (403 otherwise)."""
    submission = await uow.submissions.get(submission_id)
    if submission is None:
        raise _submission_not_found()
    if not caller.is_staff:
        user_id = _signed_in(caller)
        membership = await teams.membership(user_id, submission.developer_id)
        if membership is None or membership.developer_id != submission.developer_id:
            raise PermissionDenied(
                "Only staff and the submitting team see the appeals.",
                detail_ru="Апелляции видят только сотрудники и команда разработчика.",
            )
    return await uow.appeals.of_submission(submission_id)


async def decide_appeal(
    uow: AppealsUnitOfWork,
    appeal_id: uuid.UUID,
    caller: Caller,
    decision: AppealDecision,
    *,
    notes: str | None,
    rules: AppealRules,
    open_window: WindowOpener,
    now: datetime,
) -> Appeal:
    """A moderator or an acting curator (403 ``MODERATOR_NOT_AUTHORIZED``) decides a pending
    appeal (422 ``APPEAL_NOT_ALLOWED`` when decided). Approved: a new window of the appeal
    length opens and the submission goes back to ``active_voting``."""
    user_id = _signed_in(caller)
    role = moderating_role(caller.roles, await uow.moderation.curator(user_id))
    appeal = await uow.appeals.get(appeal_id, for_update=True)
    if appeal is None:
        raise NotFound("No such appeal.", code="APPEAL_NOT_FOUND")
    submission = await uow.submissions.get_for_update(appeal.submission_id)
    if submission is None:
        raise _submission_not_found()
    decide(appeal, decision, by=user_id, role=role, notes=notes, now=now)
    if decision is AppealDecision.APPROVED:
        submission.move(SubmissionStatus.ACTIVE_VOTING, now)
        window = await open_window(uow, submission, now, days=rules.window_days)
        appeal.window_id = window.id
        await uow.submissions.save(submission)
    await uow.appeals.save(appeal)
    await uow.commit()
    return appeal


def _second_appeal() -> Conflict:
    return Conflict(
        "This submission has already been appealed; an appeal is allowed once.",
        code="APPEAL_NOT_ALLOWED",
        detail_ru="Эта заявка уже обжалована: апелляцию можно подать один раз.",
    )


def _signed_in(caller: Caller) -> uuid.UUID:
    if caller.user_id is None:
        raise PermissionDenied(
            "This endpoint is for signed-in users.",
            detail_ru="Этот адрес доступен только вошедшим пользователям.",
        )
    return caller.user_id


def _submission_not_found() -> NotFound:
    return NotFound("No such submission.", code="SUBMISSION_NOT_FOUND")
