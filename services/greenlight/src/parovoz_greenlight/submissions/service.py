"""Use cases of submissions: write a draft, edit it, submit it (the fee), withdraw it (the fee
back before voting), read one, the public list and the developer's own.

Who may act is developer-portal's answer (the ``Developers`` port): a member with the role
owner, admin or editor of the developer account that owns the game. The fee is the fees
context's (the ``FeeDesk`` port, wired to ``fees.service``). Each writing use case commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from parovoz_kit.errors import BusinessRuleViolation, NotFound, PermissionDenied

from parovoz_greenlight.ports import UnitOfWorkPort
from parovoz_greenlight.submissions.domain import (
    EDITABLE,
    PUBLIC,
    TEAM_WRITERS,
    Position,
    Submission,
    SubmissionStatus,
    SubmissionTransitionRefused,
    refund_due_on_withdrawal,
    require_complete,
    withdrawable,
)
from parovoz_greenlight.submissions.rules import SubmissionRules

S = SubmissionStatus

#: The fields a draft's author writes (POST and PATCH).
TEXT_FIELDS = (
    "title",
    "description",
    "genres",
    "target_audience",
    "selling_points",
    "team",
    "timeline",
    "demo_links",
    "business_plan",
)


# --- ports ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Membership:
    """A user's membership of a developer account, as developer-portal answers it."""

    developer_id: uuid.UUID
    #: owner | admin | editor | finance | viewer
    role: str
    #: pending_verification | active | suspended
    account_status: str
    #: greenlight | direct (None when developer-portal did not say)
    publishing_track: str | None = None


@dataclass(frozen=True)
class GameOwner:
    game_id: uuid.UUID
    developer_id: uuid.UUID


class Developers(Protocol):
    """developer-portal: memberships (``GetDeveloper``) and games' owners (``GetGame``)."""

    async def membership(
        self, user_id: uuid.UUID, developer_id: uuid.UUID | None = None
    ) -> Membership | None: ...

    async def game_owner(self, game_id: uuid.UUID) -> GameOwner | None: ...


@dataclass(frozen=True)
class FeeToPay:
    """The fee of a submitted submission: where to pay it (None once paid)."""

    fee_id: uuid.UUID
    payment_id: uuid.UUID | None
    confirmation_url: str | None


class FeeDesk(Protocol):
    """The fees context, as submitting and withdrawing need it. Neither commits."""

    async def start(self, uow: Any, submission: Submission) -> FeeToPay: ...

    async def refund(self, uow: Any, submission: Submission, requested_by: uuid.UUID) -> None: ...


class SubmissionStore(Protocol):
    async def get(self, submission_id: uuid.UUID) -> Submission | None: ...
    async def get_for_update(self, submission_id: uuid.UUID) -> Submission | None: ...
    async def add(self, submission: Submission) -> None: ...
    async def save(self, submission: Submission) -> None: ...
    async def public_page(
        self,
        *,
        statuses: Collection[SubmissionStatus],
        genre: str | None = None,
        after: Position | None = None,
        limit: int = 20,
    ) -> list[Submission]: ...
    async def of_developer(
        self,
        developer_id: uuid.UUID,
        *,
        statuses: Collection[SubmissionStatus] = (),
        after: Position | None = None,
        limit: int = 20,
    ) -> list[Submission]: ...


class SubmissionsUnitOfWork(UnitOfWorkPort, Protocol):
    @property
    def submissions(self) -> SubmissionStore: ...


# --- errors --------------------------------------------------------------------------------------


def submission_not_found(submission_id: uuid.UUID) -> NotFound:
    return NotFound(
        f"Submission {submission_id} does not exist.",
        code="SUBMISSION_NOT_FOUND",
        detail_ru=f"Заявка {submission_id} не найдена.",
    )


def not_a_team_writer() -> PermissionDenied:
    return PermissionDenied(
        "Only an owner, admin or editor of the developer account that owns the game may do this.",
        code="DEVELOPER_MEMBERSHIP_REQUIRED",
        detail_ru="Это может только владелец, администратор или редактор аккаунта "
        "разработчика, которому принадлежит игра.",
    )


def game_not_found(game_id: uuid.UUID) -> BusinessRuleViolation:
    return BusinessRuleViolation(
        f"Game {game_id} does not exist in the developer portal.",
        code="GAME_NOT_FOUND",
        detail_ru=f"Игры {game_id} нет в кабинете разработчика.",
        pointer="/data/attributes/game_id",
    )


# --- reading -------------------------------------------------------------------------------------


async def submission_of(uow: SubmissionsUnitOfWork, submission_id: uuid.UUID) -> Submission:
    """The submission, or 404 ``SUBMISSION_NOT_FOUND``."""
    submission = await uow.submissions.get(submission_id)
    if submission is None:
        raise submission_not_found(submission_id)
    return submission


async def _locked(uow: SubmissionsUnitOfWork, submission_id: uuid.UUID) -> Submission:
    submission = await uow.submissions.get_for_update(submission_id)
    if submission is None:
        raise submission_not_found(submission_id)
    return submission


async def _writer(
    developers: Developers, user_id: uuid.UUID, developer_id: uuid.UUID
) -> Membership | None:
    membership = await developers.membership(user_id, developer_id)
    if membership is None or membership.developer_id != developer_id:
        return None
    return membership if membership.role in TEAM_WRITERS else None


async def _team_member(developers: Developers, user_id: uuid.UUID, developer_id: uuid.UUID) -> bool:
    membership = await developers.membership(user_id, developer_id)
    return membership is not None and membership.developer_id == developer_id


async def _writable(
    uow: SubmissionsUnitOfWork, developers: Developers, submission_id: uuid.UUID, user_id: uuid.UUID
) -> tuple[Submission, Membership]:
    """The submission locked, for a writer of its team; anyone else: 404 if they may not even
    see it, 403 if they may (a team member without a writing role, or a public one)."""
    submission = await _locked(uow, submission_id)
    membership = await _writer(developers, user_id, submission.developer_id)
    if membership is None:
        if submission.status in PUBLIC or await _team_member(
            developers, user_id, submission.developer_id
        ):
            raise not_a_team_writer()
        raise submission_not_found(submission_id)
    return submission, membership


async def view_submission(
    uow: SubmissionsUnitOfWork,
    developers: Developers,
    submission_id: uuid.UUID,
    viewer: uuid.UUID | None,
    *,
    staff: bool = False,
) -> Submission:
    """Public once in voting (and after); the submitting team and staff always; anyone else
    404, like an unknown submission."""
    submission = await submission_of(uow, submission_id)
    if submission.status in PUBLIC or staff:
        return submission
    if viewer is not None and (
        viewer == submission.submitted_by
        or await _team_member(developers, viewer, submission.developer_id)
    ):
        return submission
    raise submission_not_found(submission_id)


@dataclass(frozen=True)
class Page:
    submissions: Sequence[Submission]
    next_cursor: str | None


def _page(found: list[Submission], size: int) -> Page:
    if len(found) > size:
        return Page(found[:size], Position.after(found[size - 1]).cursor())
    return Page(found, None)


async def public_list(
    uow: SubmissionsUnitOfWork,
    *,
    statuses: Collection[SubmissionStatus],
    genre: str | None,
    cursor: str | None,
    size: int,
) -> Page:
    """Public submissions (``statuses`` among PUBLIC; empty = all public), newest first."""
    shown = [status for status in statuses if status in PUBLIC] if statuses else list(PUBLIC)
    if statuses and not shown:
        return Page([], None)
    after = Position.of_cursor(cursor) if cursor else None
    found = await uow.submissions.public_page(
        statuses=shown, genre=genre, after=after, limit=size + 1
    )
    return _page(found, size)


@dataclass(frozen=True)
class Ranked:
    submission: Submission
    score: float


async def trending_list(
    uow: SubmissionsUnitOfWork,
    score: Callable[[Submission], Awaitable[float]],
    *,
    statuses: Collection[SubmissionStatus],
    genre: str | None,
    offset: int,
    size: int,
    candidates: int,
) -> tuple[list[Ranked], int | None]:
    """The newest ``candidates`` public submissions ranked by ``score`` (an awaitable of the
    Wilson lower bound), best first, a page from ``offset``; the next offset or None."""
    shown = [status for status in statuses if status in PUBLIC] if statuses else list(PUBLIC)
    if statuses and not shown:
        return [], None
    found = await uow.submissions.public_page(statuses=shown, genre=genre, limit=candidates)
    ranked = [Ranked(item, await score(item)) for item in found]
    ranked.sort(key=lambda item: (-item.score, -item.submission.created_at.timestamp()))
    page = ranked[offset : offset + size]
    return page, (offset + size if offset + size < len(ranked) else None)


async def developer_submissions(
    uow: SubmissionsUnitOfWork,
    developers: Developers,
    user_id: uuid.UUID,
    *,
    statuses: Collection[SubmissionStatus],
    cursor: str | None,
    size: int,
) -> Page:
    """The submissions of the caller's developer account (any status), newest first; a user in
    no team has none."""
    membership = await developers.membership(user_id)
    if membership is None:
        return Page([], None)
    after = Position.of_cursor(cursor) if cursor else None
    found = await uow.submissions.of_developer(
        membership.developer_id, statuses=statuses, after=after, limit=size + 1
    )
    return _page(found, size)


# --- writing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    game_id: uuid.UUID
    title: str
    description: str
    genres: tuple[str, ...] = ()
    target_audience: str | None = None
    selling_points: tuple[str, ...] = ()
    team: str | None = None
    timeline: str | None = None
    demo_links: tuple[str, ...] = ()
    business_plan: str | None = None


async def create_draft(
    uow: SubmissionsUnitOfWork,
    developers: Developers,
    user_id: uuid.UUID,
    draft: Draft,
    now: datetime,
) -> Submission:
    """A new ``draft`` of the game, for the developer account that owns it (the caller must be
    its owner, admin or editor). A game with an open submission: 409
    ``SUBMISSION_ALREADY_EXISTS``."""
    owner = await developers.game_owner(draft.game_id)
    if owner is None:
        raise game_not_found(draft.game_id)
    if await _writer(developers, user_id, owner.developer_id) is None:
        raise not_a_team_writer()
    submission = Submission(
        id=uuid.uuid4(),
        game_id=draft.game_id,
        developer_id=owner.developer_id,
        submitted_by=user_id,
        title=draft.title,
        description=draft.description,
        status=S.DRAFT,
        created_at=now,
        updated_at=now,
        genres=draft.genres,
        target_audience=draft.target_audience,
        selling_points=draft.selling_points,
        team=draft.team,
        timeline=draft.timeline,
        demo_links=draft.demo_links,
        business_plan=draft.business_plan,
    )
    await uow.submissions.add(submission)
    await uow.commit()
    return submission


def _refuse_unless(submission: Submission, allowed: Collection[SubmissionStatus]) -> None:
    if submission.status not in allowed:
        raise BusinessRuleViolation(
            f"A submission in status {submission.status.value} cannot be changed; only a "
            "draft can.",
            code="SUBMISSION_STATUS_CONFLICT",
            detail_ru=f"Заявку в статусе {submission.status.value} изменить нельзя: "
            "изменяется только черновик.",
        )


async def edit_draft(
    uow: SubmissionsUnitOfWork,
    developers: Developers,
    submission_id: uuid.UUID,
    user_id: uuid.UUID,
    changes: Mapping[str, object],
    now: datetime,
) -> Submission:
    """Change the texts of a ``draft`` (also one whose changes a curator asked for); any other
    status: 422 ``SUBMISSION_STATUS_CONFLICT``. ``changes``: TEXT_FIELDS only."""
    submission, _ = await _writable(uow, developers, submission_id, user_id)
    _refuse_unless(submission, EDITABLE)
    for name, value in changes.items():
        if name not in TEXT_FIELDS:
            raise ValueError(f"not a text field: {name}")
        setattr(submission, name, tuple(value) if isinstance(value, list) else value)
    submission.updated_at = now
    await uow.submissions.save(submission)
    await uow.commit()
    return submission


@dataclass(frozen=True)
class Submitted:
    submission: Submission
    #: Where to pay the fee; None when it is paid already (straight to moderation).
    fee: FeeToPay | None


async def submit(
    uow: SubmissionsUnitOfWork,
    developers: Developers,
    fees: FeeDesk,
    submission_id: uuid.UUID,
    user_id: uuid.UUID,
    now: datetime,
    rules: SubmissionRules,
) -> Submitted:
    """Submit a draft: the caller must be an owner/admin/editor of the ACTIVE developer account
    that owns the game (403 ``DEVELOPER_MEMBERSHIP_REQUIRED``, 422
    ``DEVELOPER_ACCOUNT_NOT_ACTIVE`` / ``GAME_NOT_OWNED``), and the draft complete enough for
    curators and voters (422 ``INVALID_SUBMISSION_DATA``, one error per field missing; nothing
    changes, no fee). With the fee paid already (a draft
    after requested changes) it goes straight to ``under_moderation``; else it becomes
    ``submitted`` and the fee's payment is started (its confirmation URL answered). Submitting
    a ``submitted`` one again answers the same payment."""
    submission, membership = await _writable(uow, developers, submission_id, user_id)
    if membership.account_status != "active":
        raise BusinessRuleViolation(
            f"The developer account is {membership.account_status or 'not active'}: only an "
            "active account may submit.",
            code="DEVELOPER_ACCOUNT_NOT_ACTIVE",
            detail_ru="Аккаунт разработчика не активен: отправлять заявки может только "
            "активный аккаунт (завершите верификацию).",
        )
    owner = await developers.game_owner(submission.game_id)
    if owner is None or owner.developer_id != submission.developer_id:
        raise BusinessRuleViolation(
            f"Game {submission.game_id} does not belong to the submitting developer account.",
            code="GAME_NOT_OWNED",
            detail_ru=f"Игра {submission.game_id} не принадлежит аккаунту разработчика, "
            "отправляющему заявку.",
        )
    if submission.status is S.SUBMITTED:
        fee = await fees.start(uow, submission)
        await uow.commit()
        return Submitted(submission, fee)
    _refuse_unless(submission, EDITABLE)
    require_complete(submission, rules)
    submission.submitted_by = user_id
    if submission.fee_paid:
        submission.move(S.UNDER_MODERATION, now)
        await uow.submissions.save(submission)
        await uow.commit()
        return Submitted(submission, None)
    submission.move(S.SUBMITTED, now)
    await uow.submissions.save(submission)
    fee = await fees.start(uow, submission)
    await uow.commit()
    return Submitted(submission, fee)


async def withdraw(
    uow: SubmissionsUnitOfWork,
    developers: Developers,
    fees: FeeDesk,
    submission_id: uuid.UUID,
    user_id: uuid.UUID,
    now: datetime,
) -> Submission:
    """Withdraw before a result (draft, submitted, under moderation, in voting); else 422
    ``SUBMISSION_STATUS_CONFLICT``. A fee paid before voting started comes back."""
    submission, _ = await _writable(uow, developers, submission_id, user_id)
    if not withdrawable(submission):
        raise SubmissionTransitionRefused(submission.status, S.WITHDRAWN)
    before = submission.status
    submission.move(S.WITHDRAWN, now)
    await uow.submissions.save(submission)
    if refund_due_on_withdrawal(before, submission.fee_paid):
        await fees.refund(uow, submission, user_id)
    await uow.commit()
    return submission
