"""Moderation's use cases over an in-memory unit of work: who may moderate, every action's move
(and what it leaves: a window opened, a rejected event, requested changes, a flag), refused
moves, the append-only audit log, expert reviews and who sees the private ones."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from parovoz_events.base import EventData
from parovoz_events.greenlight import SubmissionRejected
from parovoz_greenlight.moderation import service
from parovoz_greenlight.moderation.domain import (
    Curator,
    CuratorStatus,
    ExpertReview,
    ModerationRecord,
    ModerationType,
    ReviewCategory,
)
from parovoz_greenlight.moderation.rules import ModerationRules
from parovoz_greenlight.moderation.service import Caller
from parovoz_greenlight.submissions.domain import Submission, SubmissionStatus
from parovoz_kit.errors import (
    BusinessRuleViolation,
    Conflict,
    NotFound,
    PermissionDenied,
    Unavailable,
    ValidationFailed,
)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
RULES = ModerationRules(
    changes_deadline=timedelta(days=14),
    longest_changes_deadline=timedelta(days=90),
    appeal_period=timedelta(days=30),
    default_page_size=50,
    max_page_size=200,
)
S = SubmissionStatus
A = ModerationType
SCORES = {category: 4 for category in ReviewCategory}


class MemoryModeration:
    def __init__(self) -> None:
        self.curator_rows: dict[uuid.UUID, Curator] = {}
        self.log: list[ModerationRecord] = []
        self.review_rows: list[ExpertReview] = []

    async def curator(self, user_id: uuid.UUID, *, for_update: bool = False) -> Curator | None:
        return self.curator_rows.get(user_id)

    async def add_curator(self, curator: Curator) -> bool:
        if curator.user_id in self.curator_rows:
            return False
        self.curator_rows[curator.user_id] = curator
        return True

    async def save_curator(self, curator: Curator) -> None:
        self.curator_rows[curator.user_id] = curator

    async def curators(
        self, status: CuratorStatus | None, after: uuid.UUID | None, limit: int
    ) -> list[Curator]:
        rows = sorted(self.curator_rows.values(), key=lambda c: c.user_id)
        rows = [c for c in rows if status is None or c.status is status]
        rows = [c for c in rows if after is None or c.user_id > after]
        return rows[:limit]

    async def record(self, record: ModerationRecord) -> None:
        self.log.append(record)

    async def records(self, submission_id: uuid.UUID) -> list[ModerationRecord]:
        return [r for r in self.log if r.submission_id == submission_id]

    async def last_flagged_at(self, submission_id: uuid.UUID) -> datetime | None:
        flags = (A.ESCALATE_TO_EXPERTS, A.FLAG_FOR_REVIEW)
        times = [r.at for r in self.log if r.submission_id == submission_id and r.action in flags]
        return max(times, default=None)

    async def reviewed_since(self, submission_id: uuid.UUID, since: datetime | None) -> bool:
        return any(
            r.submission_id == submission_id and (since is None or r.created_at >= since)
            for r in self.review_rows
        )

    async def add_review(self, review: ExpertReview) -> bool:
        if any(
            r.submission_id == review.submission_id and r.reviewer_id == review.reviewer_id
            for r in self.review_rows
        ):
            return False
        self.review_rows.append(review)
        return True

    async def reviews(self, submission_id: uuid.UUID, *, public_only: bool) -> list[ExpertReview]:
        return [
            r
            for r in self.review_rows
            if r.submission_id == submission_id and (r.is_public or not public_only)
        ]


class MemorySubmissions:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Submission] = {}
        self.locked: list[uuid.UUID] = []

    async def get(self, submission_id: uuid.UUID) -> Submission | None:
        return self.rows.get(submission_id)

    async def get_for_update(self, submission_id: uuid.UUID) -> Submission | None:
        self.locked.append(submission_id)
        return self.rows.get(submission_id)

    async def save(self, submission: Submission) -> None:
        submission.version += 1
        self.rows[submission.id] = submission


class MemoryUow:
    def __init__(self) -> None:
        self.moderation = MemoryModeration()
        self.submissions = MemorySubmissions()
        self.events: list[EventData] = []
        self.commits = 0

    def emit(self, item: EventData, *, subject: str | None = None, topic: str | None = None) -> Any:
        self.events.append(item)
        return item

    async def commit(self) -> None:
        self.commits += 1


@dataclass
class WindowOpener:
    calls: list[tuple[uuid.UUID, datetime]]

    async def __call__(self, uow: Any, submission: Submission, now: datetime) -> object:
        self.calls.append((submission.id, now))
        submission.voting_started_at, submission.voting_ends_at = now, now + timedelta(days=30)
        return object()


@dataclass
class Membership:
    developer_id: uuid.UUID


class Teams:
    def __init__(self, members: dict[uuid.UUID, uuid.UUID] | None = None) -> None:
        self.members = members or {}

    async def membership(
        self, user_id: uuid.UUID, developer_id: uuid.UUID | None = None
    ) -> Membership | None:
        developer = self.members.get(user_id)
        return Membership(developer) if developer else None


def a_submission(uow: MemoryUow, status: S = S.UNDER_MODERATION, **fields: Any) -> Submission:
    submission = Submission(
        id=uuid.uuid4(),
        game_id=uuid.uuid4(),
        developer_id=uuid.uuid4(),
        submitted_by=uuid.uuid4(),
        title="Звёздный путь",
        description="Космическая стратегия",
        status=status,
        created_at=NOW - timedelta(days=3),
        updated_at=NOW - timedelta(days=1),
        fee_paid=status is not S.DRAFT,
        **fields,
    )
    uow.submissions.rows[submission.id] = submission
    return submission


def a_curator(uow: MemoryUow, status: CuratorStatus = CuratorStatus.ACTIVE) -> Caller:
    user_id = uuid.uuid4()
    uow.moderation.curator_rows[user_id] = Curator(
        user_id, "Анна", ("rpg",), status, uuid.uuid4(), NOW, NOW
    )
    return Caller(user_id, frozenset({"curator"}))


def a_moderator() -> Caller:
    return Caller(uuid.uuid4(), frozenset({"moderator"}))


async def act(
    uow: MemoryUow,
    submission: Submission,
    caller: Caller,
    action: ModerationType,
    opener: WindowOpener | None = None,
    now: datetime = NOW,
    **options: Any,
) -> service.Moderated:
    return await service.moderate(
        uow,
        submission.id,
        caller,
        action,
        comment=options.get("comment"),
        required_changes=options.get("required_changes", ()),
        changes_due_at=options.get("changes_due_at"),
        rules=RULES,
        open_window=opener or WindowOpener([]),
        now=now,
    )


async def review(
    uow: MemoryUow, submission: Submission, caller: Caller, *, public: bool, now: datetime = NOW
) -> ExpertReview:
    return await service.write_expert_review(
        uow,
        submission.id,
        caller,
        scores=SCORES,
        overall=4,
        strengths=["Механика"],
        weaknesses=[],
        recommendations=[],
        is_public=public,
        now=now,
    )


# --- who may moderate -------------------------------------------------------------------------


@pytest.mark.parametrize("status", [CuratorStatus.ACTIVE, CuratorStatus.PROBATION])
async def test_an_acting_curator_moderates(status: CuratorStatus) -> None:
    uow = MemoryUow()
    submission = a_submission(uow)
    caller = a_curator(uow, status)
    outcome = await act(uow, submission, caller, A.FLAG_FOR_REVIEW)
    assert outcome.record.actor_role == "curator"
    assert outcome.record.actor_id == caller.user_id


async def test_a_moderator_moderates_without_a_registry_entry() -> None:
    uow = MemoryUow()
    submission = a_submission(uow)
    outcome = await act(uow, submission, a_moderator(), A.REJECT, comment="Не игра")
    assert outcome.record.actor_role == "moderator"
    assert submission.status is S.REJECTED


@pytest.mark.parametrize("status", [CuratorStatus.INACTIVE, CuratorStatus.SUSPENDED])
async def test_a_curator_not_acting_is_refused(status: CuratorStatus) -> None:
    uow = MemoryUow()
    submission = a_submission(uow)
    with pytest.raises(PermissionDenied) as refused:
        await act(uow, submission, a_curator(uow, status), A.APPROVE)
    assert refused.value.code == "MODERATOR_NOT_AUTHORIZED"
    assert submission.status is S.UNDER_MODERATION
    assert uow.moderation.log == [] and uow.commits == 0


async def test_the_curator_role_without_a_registry_entry_is_refused() -> None:
    uow = MemoryUow()
    submission = a_submission(uow)
    with pytest.raises(PermissionDenied) as refused:
        await act(uow, submission, Caller(uuid.uuid4(), frozenset({"curator"})), A.APPROVE)
    assert refused.value.code == "MODERATOR_NOT_AUTHORIZED"


async def test_a_registry_entry_without_the_curator_role_is_refused() -> None:
    uow = MemoryUow()
    submission = a_submission(uow)
    registered = a_curator(uow)
    for roles in (frozenset(), frozenset({"admin"}), frozenset({"support"})):
        with pytest.raises(PermissionDenied):
            await act(uow, submission, Caller(registered.user_id, roles), A.APPROVE)
    assert submission.status is S.UNDER_MODERATION


# --- every action's move ----------------------------------------------------------------------


async def test_approve_opens_voting_and_the_window() -> None:
    uow = MemoryUow()
    submission = a_submission(uow)
    opener = WindowOpener([])
    outcome = await act(uow, submission, a_moderator(), A.APPROVE, opener)
    assert submission.status is S.ACTIVE_VOTING
    assert opener.calls == [(submission.id, NOW)]
    assert uow.submissions.locked == [submission.id]
    saved = uow.submissions.rows[submission.id]
    assert saved.voting_started_at == NOW and saved.version == 1
    assert (outcome.record.from_status, outcome.record.to_status) == (
        S.UNDER_MODERATION,
        S.ACTIVE_VOTING,
    )
    assert uow.events == [] and uow.commits == 1


async def test_reject_emits_the_rejected_event_appealable_for_30_days() -> None:
    uow = MemoryUow()
    submission = a_submission(uow)
    await act(uow, submission, a_moderator(), A.REJECT, comment="Нарушает правила")
    assert submission.status is S.REJECTED and submission.decided_at == NOW
    [event] = uow.events
    assert isinstance(event, SubmissionRejected)
    assert event.reason == "moderation_rejected"
    assert event.submission_id == submission.id and event.game_id == submission.game_id
    assert event.developer_id == submission.developer_id
    assert event.comment == "Нарушает правила"
    assert event.valid_votes is None and event.approval_basis_points is None
    assert event.appealable_until == NOW + timedelta(days=30)
    assert event.rejected_at == NOW


async def test_request_changes_goes_back_to_draft_with_the_default_deadline() -> None:
    uow = MemoryUow()
    submission = a_submission(uow)
    changes = ["Обновите скриншоты", "Добавьте демо"]
    outcome = await act(uow, submission, a_moderator(), A.REQUEST_CHANGES, required_changes=changes)
    assert submission.status is S.DRAFT
    assert submission.requested_changes == "Обновите скриншоты\nДобавьте демо"
    assert submission.changes_due_at == NOW + timedelta(days=14)
    assert outcome.record.required_changes == tuple(changes)
    assert outcome.record.changes_due_at == NOW + timedelta(days=14)


async def test_request_changes_with_its_own_deadline() -> None:
    uow = MemoryUow()
    submission = a_submission(uow)
    due = NOW + timedelta(days=5)
    await act(
        uow,
        submission,
        a_moderator(),
        A.REQUEST_CHANGES,
        required_changes=["x"],
        changes_due_at=due,
    )
    assert submission.changes_due_at == due


@pytest.mark.parametrize("offset", [timedelta(0), timedelta(days=-1), timedelta(days=91)])
async def test_request_changes_refuses_a_deadline_past_or_too_far(offset: timedelta) -> None:
    uow = MemoryUow()
    submission = a_submission(uow)
    with pytest.raises(ValidationFailed) as refused:
        await act(
            uow,
            submission,
            a_moderator(),
            A.REQUEST_CHANGES,
            required_changes=["x"],
            changes_due_at=NOW + offset,
        )
    assert refused.value.pointer == "/data/attributes/changes_due_at"
    assert submission.status is S.UNDER_MODERATION


async def test_request_changes_without_changes_is_refused() -> None:
    uow = MemoryUow()
    submission = a_submission(uow)
    with pytest.raises(ValidationFailed):
        await act(uow, submission, a_moderator(), A.REQUEST_CHANGES)
    assert submission.status is S.UNDER_MODERATION


@pytest.mark.parametrize(
    ("action", "flag"),
    [(A.ESCALATE_TO_EXPERTS, "escalated_to_experts"), (A.FLAG_FOR_REVIEW, "flagged_for_review")],
)
async def test_escalate_and_flag_leave_a_flag_and_the_status(action: A, flag: str) -> None:
    uow = MemoryUow()
    submission = a_submission(uow)
    outcome = await act(uow, submission, a_moderator(), action)
    assert submission.status is S.UNDER_MODERATION
    assert submission.flags == (flag,)
    assert outcome.record.from_status is outcome.record.to_status is S.UNDER_MODERATION
    await act(uow, submission, a_moderator(), action)
    assert submission.flags == (flag,)  # once
    assert len(uow.moderation.log) == 2


# --- refused moves ----------------------------------------------------------------------------


@pytest.mark.parametrize("status", [s for s in S if s is not S.UNDER_MODERATION])
@pytest.mark.parametrize("action", list(A))
async def test_only_a_submission_under_moderation_is_moderated(status: S, action: A) -> None:
    uow = MemoryUow()
    submission = a_submission(uow, status)
    with pytest.raises(BusinessRuleViolation) as refused:
        await act(uow, submission, a_moderator(), action, required_changes=["x"])
    # The fee awaited is the specific reason (seed 002); any other status is a conflict.
    expected = "SUBMISSION_FEE_NOT_PAID" if status is S.SUBMITTED else "MODERATION_CONFLICT"
    assert refused.value.code == expected
    assert submission.status is status and submission.flags == ()
    assert uow.moderation.log == [] and uow.events == []


async def test_the_second_of_two_actions_sees_the_first_outcome() -> None:
    uow = MemoryUow()
    submission = a_submission(uow)
    await act(uow, submission, a_moderator(), A.APPROVE)
    with pytest.raises(BusinessRuleViolation) as refused:
        await act(uow, submission, a_curator(uow), A.REJECT)
    assert refused.value.code == "MODERATION_CONFLICT"
    assert submission.status is S.ACTIVE_VOTING and uow.events == []


async def test_an_unknown_submission_is_404() -> None:
    uow = MemoryUow()
    with pytest.raises(NotFound) as missing:
        await service.moderate(
            uow,
            uuid.uuid4(),
            a_moderator(),
            A.APPROVE,
            comment=None,
            required_changes=(),
            changes_due_at=None,
            rules=RULES,
            open_window=WindowOpener([]),
            now=NOW,
        )
    assert missing.value.code == "SUBMISSION_NOT_FOUND"


@pytest.mark.parametrize("flagging", [A.ESCALATE_TO_EXPERTS, A.FLAG_FOR_REVIEW])
async def test_approving_a_flagged_submission_needs_an_expert_review_since(flagging: A) -> None:
    uow = MemoryUow()
    submission = a_submission(uow)
    expert = a_curator(uow)
    await review(uow, submission, expert, public=False, now=NOW - timedelta(hours=1))
    await act(uow, submission, a_moderator(), flagging)
    opener = WindowOpener([])
    with pytest.raises(BusinessRuleViolation) as refused:
        await act(uow, submission, a_moderator(), A.APPROVE, opener, now=NOW + timedelta(hours=1))
    assert refused.value.code == "EXPERT_REVIEW_REQUIRED"
    assert submission.status is S.UNDER_MODERATION and opener.calls == []

    await review(uow, submission, a_curator(uow), public=True, now=NOW + timedelta(hours=2))
    await act(uow, submission, a_moderator(), A.APPROVE, opener, now=NOW + timedelta(hours=3))
    assert submission.status is S.ACTIVE_VOTING and len(opener.calls) == 1


async def test_rejecting_a_flagged_submission_needs_no_review() -> None:
    uow = MemoryUow()
    submission = a_submission(uow)
    await act(uow, submission, a_moderator(), A.ESCALATE_TO_EXPERTS)
    await act(uow, submission, a_moderator(), A.REJECT)
    assert submission.status is S.REJECTED


# --- the audit log ----------------------------------------------------------------------------


async def test_the_log_keeps_every_action_in_order_for_staff_and_team() -> None:
    uow = MemoryUow()
    submission = a_submission(uow)
    member = uuid.uuid4()
    teams = Teams({member: submission.developer_id})
    await act(uow, submission, a_moderator(), A.FLAG_FOR_REVIEW)
    await act(
        uow,
        submission,
        a_moderator(),
        A.REQUEST_CHANGES,
        required_changes=["x"],
        now=NOW + timedelta(1),
    )
    for caller in (
        Caller(member),
        Caller(submission.submitted_by),
        Caller(uuid.uuid4(), frozenset({"admin"})),
        a_moderator(),
    ):
        log = await service.moderation_log(uow, submission.id, caller, teams)
        assert [r.action for r in log] == [A.FLAG_FOR_REVIEW, A.REQUEST_CHANGES]


async def test_the_log_is_refused_to_strangers_and_other_teams() -> None:
    uow = MemoryUow()
    submission = a_submission(uow)
    outsider = uuid.uuid4()
    teams = Teams({outsider: uuid.uuid4()})
    for caller in (Caller(outsider), Caller(uuid.uuid4(), frozenset({"support"}))):
        with pytest.raises(PermissionDenied):
            await service.moderation_log(uow, submission.id, caller, teams)


# --- expert reviews ---------------------------------------------------------------------------


async def test_only_an_acting_curator_writes_a_review_once() -> None:
    uow = MemoryUow()
    submission = a_submission(uow)
    for caller in (a_moderator(), a_curator(uow, CuratorStatus.SUSPENDED)):
        with pytest.raises(PermissionDenied) as refused:
            await review(uow, submission, caller, public=True)
        assert refused.value.code == "MODERATOR_NOT_AUTHORIZED"
    curator = a_curator(uow, CuratorStatus.PROBATION)
    written = await review(uow, submission, curator, public=True)
    assert written.reviewer_id == curator.user_id and written.scores == SCORES
    with pytest.raises(Conflict) as twice:
        await review(uow, submission, curator, public=False)
    assert twice.value.code == "EXPERT_REVIEW_EXISTS"


async def test_every_category_scored_1_to_5() -> None:
    uow = MemoryUow()
    submission = a_submission(uow)
    curator = a_curator(uow)
    missing = {c: 3 for c in ReviewCategory if c is not ReviewCategory.INNOVATION}
    for scores, overall in ((missing, 3), ({**SCORES, ReviewCategory.GAMEPLAY: 6}, 3), (SCORES, 0)):
        with pytest.raises(ValidationFailed):
            await service.write_expert_review(
                uow,
                submission.id,
                curator,
                scores=scores,
                overall=overall,
                strengths=[],
                weaknesses=[],
                recommendations=[],
                is_public=True,
                now=NOW,
            )
    assert uow.moderation.review_rows == []


@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.WITHDRAWN])
async def test_a_submission_not_in_moderation_yet_is_not_reviewed(status: S) -> None:
    uow = MemoryUow()
    submission = a_submission(uow, status)
    with pytest.raises(BusinessRuleViolation) as refused:
        await review(uow, submission, a_curator(uow), public=True)
    assert refused.value.code == "EXPERT_REVIEW_NOT_ALLOWED"


async def test_private_reviews_only_to_staff_and_team() -> None:
    uow = MemoryUow()
    submission = a_submission(uow)
    public = await review(uow, submission, a_curator(uow), public=True)
    private = await review(uow, submission, a_curator(uow), public=False)
    member = uuid.uuid4()
    teams = Teams({member: submission.developer_id, uuid.uuid4(): uuid.uuid4()})
    for caller in (Caller(member), Caller(submission.submitted_by), a_moderator()):
        seen = await service.expert_reviews(uow, submission.id, caller, teams)
        assert {r.id for r in seen} == {public.id, private.id}
    # Not public yet: strangers do not see the submission at all.
    with pytest.raises(NotFound):
        await service.expert_reviews(uow, submission.id, Caller(None), teams)
    submission.status = S.ACTIVE_VOTING
    for caller in (
        Caller(None),
        Caller(uuid.uuid4()),
        Caller(uuid.uuid4(), frozenset({"support"})),
    ):
        seen = await service.expert_reviews(uow, submission.id, caller, teams)
        assert [r.id for r in seen] == [public.id]


# --- the registry -----------------------------------------------------------------------------


async def test_register_change_and_list_curators() -> None:
    uow = MemoryUow()
    admin, user = uuid.uuid4(), uuid.uuid4()
    curator = await service.register_curator(
        uow,
        user_id=user,
        display_name="Анна",
        specialties=["rpg"],
        status=CuratorStatus.PROBATION,
        added_by=admin,
        now=NOW,
    )
    assert curator.added_by == admin and curator.status is CuratorStatus.PROBATION
    with pytest.raises(Conflict) as twice:
        await service.register_curator(
            uow,
            user_id=user,
            display_name="Ещё раз",
            specialties=[],
            status=CuratorStatus.ACTIVE,
            added_by=admin,
            now=NOW,
        )
    assert twice.value.code == "CURATOR_ALREADY_REGISTERED"
    later = NOW + timedelta(days=1)
    changed = await service.change_curator(
        uow, user, display_name=None, specialties=None, status=CuratorStatus.SUSPENDED, now=later
    )
    assert changed.status is CuratorStatus.SUSPENDED and changed.display_name == "Анна"
    assert changed.updated_at == later and changed.created_at == NOW
    assert await service.list_curators(uow, CuratorStatus.SUSPENDED, None, 10) == [changed]
    assert await service.list_curators(uow, CuratorStatus.ACTIVE, None, 10) == []
    with pytest.raises(NotFound) as missing:
        await service.change_curator(
            uow, uuid.uuid4(), display_name="x", specialties=None, status=None, now=later
        )
    assert missing.value.code == "CURATOR_NOT_FOUND"


class DownTeams:
    async def membership(
        self, user_id: uuid.UUID, developer_id: uuid.UUID | None = None
    ) -> Membership | None:
        raise Unavailable("developer-portal is down")


async def test_public_reviews_shown_while_developer_portal_is_down() -> None:
    uow = MemoryUow()
    submission = a_submission(uow)
    public = await review(uow, submission, a_curator(uow), public=True)
    await review(uow, submission, a_curator(uow), public=False)
    stranger = Caller(uuid.uuid4())
    with pytest.raises(Unavailable):
        await service.expert_reviews(uow, submission.id, stranger, DownTeams())
    submission.status = S.ACTIVE_VOTING
    seen = await service.expert_reviews(uow, submission.id, stranger, DownTeams())
    assert [r.id for r in seen] == [public.id]
    with pytest.raises(Unavailable):
        await service.moderation_log(uow, submission.id, stranger, DownTeams())
