"""A submission and its status machine (seed 002, PRODUCT.md "Greenlight"): plain Python.

Statuses: ``draft`` (being written; also after a curator asked for changes), ``submitted``
(waiting for the fee), ``under_moderation`` (fee paid; curators check it), ``active_voting``
(the window is open), ``voting_completed`` (closed; the 24-hour audit runs), ``approved`` /
``rejected`` (final result; a rejection is appealable), ``withdrawn`` (by the developer).

Every move goes through :func:`move_submission`, which refuses what the table does not allow
with a typed error.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from parovoz_kit.errors import BusinessRuleViolation
from parovoz_kit.keyset import keyset_cursor, keyset_position

from parovoz_greenlight.submissions.rules import SubmissionRules


class SubmissionStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_MODERATION = "under_moderation"
    ACTIVE_VOTING = "active_voting"
    VOTING_COMPLETED = "voting_completed"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


S = SubmissionStatus

#: The allowed moves. Anything else is refused.
#: - draft -> submitted: submit (a fee to pay); -> under_moderation: submitted again after a
#:   curator asked for changes (the fee is already paid); -> withdrawn.
#: - submitted -> under_moderation: payment reports the fee paid; -> draft: the fee payment
#:   was cancelled (the developer can submit again); -> withdrawn.
#: - under_moderation -> active_voting: a curator approved it (the window opens); -> rejected;
#:   -> draft: changes requested; -> withdrawn (the fee comes back).
#: - active_voting -> voting_completed: the window closed; -> withdrawn (no refund once voting
#:   started).
#: - voting_completed -> approved | rejected: the audit ended, the result is final.
#: - rejected -> active_voting: an approved appeal opens a new window.
TRANSITIONS: dict[SubmissionStatus, frozenset[SubmissionStatus]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.UNDER_MODERATION, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.UNDER_MODERATION, S.DRAFT, S.WITHDRAWN}),
    S.UNDER_MODERATION: frozenset({S.ACTIVE_VOTING, S.REJECTED, S.DRAFT, S.WITHDRAWN}),
    S.ACTIVE_VOTING: frozenset({S.VOTING_COMPLETED, S.WITHDRAWN}),
    S.VOTING_COMPLETED: frozenset({S.APPROVED, S.REJECTED}),
    S.APPROVED: frozenset(),
    S.REJECTED: frozenset({S.ACTIVE_VOTING}),
    S.WITHDRAWN: frozenset(),
}

#: Statuses in which the developer may still change the texts (PATCH).
EDITABLE = frozenset({S.DRAFT})

#: Statuses the public list shows.
PUBLIC = frozenset({S.ACTIVE_VOTING, S.VOTING_COMPLETED, S.APPROVED})


class SubmissionTransitionRefused(BusinessRuleViolation):
    def __init__(self, current: SubmissionStatus, target: SubmissionStatus) -> None:
        super().__init__(
            f"A submission in status {current.value} cannot become {target.value}.",
            code="SUBMISSION_STATUS_CONFLICT",
            detail_ru=f"Заявка в статусе {current.value} не может перейти в {target.value}.",
        )
        self.current, self.target = current, target


@dataclass
class Submission:
    """A game put forward for the community's vote by a member of a developer account.

    ``game_id`` is the developer-portal game (its publishing gate is lifted by the approval
    event); the texts are the developer's pitch. Times are UTC instants.
    """

    id: uuid.UUID
    game_id: uuid.UUID
    developer_id: uuid.UUID
    submitted_by: uuid.UUID
    title: str
    description: str
    status: SubmissionStatus
    created_at: datetime
    updated_at: datetime
    genres: tuple[str, ...] = ()
    target_audience: str | None = None
    selling_points: tuple[str, ...] = ()
    team: str | None = None
    timeline: str | None = None
    demo_links: tuple[str, ...] = ()
    business_plan: str | None = None
    #: What a curator asked to change, and by when (while ``draft`` after REQUEST_CHANGES).
    requested_changes: str | None = None
    changes_due_at: datetime | None = None
    #: True once the fee is paid (a resubmission after requested changes pays nothing again).
    fee_paid: bool = False
    submitted_at: datetime | None = None
    voting_started_at: datetime | None = None
    voting_ends_at: datetime | None = None
    decided_at: datetime | None = None
    withdrawn_at: datetime | None = None
    flags: tuple[str, ...] = field(default=())
    #: Optimistic concurrency: bumped by every save.
    version: int = 0

    def move(self, target: SubmissionStatus, now: datetime) -> None:
        move_submission(self, target, now)


def move_submission(submission: Submission, target: SubmissionStatus, now: datetime) -> None:
    """Move ``submission`` to ``target`` or raise :class:`SubmissionTransitionRefused`; keeps
    the time of the moves that have one."""
    current = submission.status
    if target not in TRANSITIONS[current]:
        raise SubmissionTransitionRefused(current, target)
    if current is S.DRAFT and target is S.UNDER_MODERATION and not submission.fee_paid:
        raise BusinessRuleViolation(
            "The submission fee has not been paid: submit it and pay the fee first.",
            code="SUBMISSION_FEE_NOT_PAID",
        )
    if target is S.SUBMITTED or (target is S.UNDER_MODERATION and current is S.DRAFT):
        submission.submitted_at = now
    if target is S.UNDER_MODERATION:
        submission.fee_paid = True
        submission.requested_changes, submission.changes_due_at = None, None
    elif target is S.WITHDRAWN:
        submission.withdrawn_at = now
    elif target in (S.APPROVED, S.REJECTED):
        submission.decided_at = now
    submission.status = target
    submission.updated_at = now


# --- complete enough to submit --------------------------------------------------------------------

#: The texts a submitted draft must have (seed 002's GreenlightSubmission: targetAudience,
#: teamInformation, developmentTimeline, businessPlan), at least ``min_detail_chars`` each.
DETAIL_FIELDS = ("target_audience", "team", "timeline", "business_plan")


def _invalid(name: str, english: str, russian: str) -> BusinessRuleViolation:
    return BusinessRuleViolation(
        english,
        code="INVALID_SUBMISSION_DATA",
        detail_ru=russian,
        pointer=f"/data/attributes/{name}",
    )


def incomplete_fields(
    submission: Submission, rules: SubmissionRules
) -> list[BusinessRuleViolation]:
    """What the draft still lacks before curators and voters may see it: one refusal per field
    (empty: complete). A draft may stay incomplete until it is submitted."""
    missing: list[BusinessRuleViolation] = []
    shortest = rules.min_description_chars
    if len(submission.description.strip()) < shortest:
        missing.append(
            _invalid(
                "description",
                f"The description needs at least {shortest} characters.",
                f"Описание должно быть не короче {shortest} символов.",
            )
        )
    if not submission.genres:
        missing.append(_invalid("genres", "At least one genre.", "Укажите хотя бы один жанр."))
    for name in DETAIL_FIELDS:
        value = getattr(submission, name)
        if value is None or len(value.strip()) < rules.min_detail_chars:
            missing.append(
                _invalid(
                    name,
                    f"{name} needs at least {rules.min_detail_chars} characters.",
                    f"Поле {name} должно быть заполнено: не короче {rules.min_detail_chars} "
                    "символов.",
                )
            )
    if not submission.demo_links:
        missing.append(
            _invalid(
                "demo_links",
                "At least one demo link (a demo, a playable build or a video).",
                "Добавьте хотя бы одну ссылку на демоверсию (сборку, играбельную версию или "
                "видео).",
            )
        )
    return missing


def require_complete(submission: Submission, rules: SubmissionRules) -> None:
    """422 ``INVALID_SUBMISSION_DATA`` with one error object per field still missing."""
    missing = incomplete_fields(submission, rules)
    if missing:
        raise BusinessRuleViolation.of_reasons(missing)


# --- team ----------------------------------------------------------------------------------------

#: Developer-portal team roles that may write, submit and withdraw a submission (PRODUCT.md
#: "Roles": owner, admin, editor handle games; finance and viewer do not).
TEAM_WRITERS = frozenset({"owner", "admin", "editor"})


def withdrawable(submission: Submission) -> bool:
    """True before the vote closed (the table allows ``withdrawn`` from there)."""
    return S.WITHDRAWN in TRANSITIONS[submission.status]


def refund_due_on_withdrawal(status_before: SubmissionStatus, fee_paid: bool) -> bool:
    """The fee comes back when it was paid and voting had not started (PRODUCT.md)."""
    return fee_paid and status_before in (S.DRAFT, S.SUBMITTED, S.UNDER_MODERATION)


# --- lists ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Position:
    """Where a page of submissions starts: after the one created at ``created_at`` with id
    ``submission_id`` (newest first; keyset order, stable while new ones arrive)."""

    created_at: datetime
    submission_id: uuid.UUID

    @classmethod
    def after(cls, submission: Submission) -> Position:
        return cls(submission.created_at, submission.id)

    def cursor(self) -> str:
        return keyset_cursor(self.created_at, self.submission_id)

    @classmethod
    def of_cursor(cls, cursor: str, parameter: str = "page[cursor]") -> Position:
        """The position an opaque cursor of a previous page names, or 400
        ``INVALID_PAGE_CURSOR``."""
        return cls(*keyset_position(cursor, parameter=parameter))
