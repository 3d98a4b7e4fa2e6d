"""Appeals' use cases over an in-memory unit of work: who may appeal, the 30-day boundary, one
appeal per submission, improvements for significant_improvements, who may decide, and what an
approval and a rejection leave."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from parovoz_events.base import EventData
from parovoz_greenlight.appeals import service
from parovoz_greenlight.appeals.domain import (
    Appeal,
    AppealDecision,
    AppealReason,
    AppealStatus,
)
from parovoz_greenlight.appeals.rules import AppealRules
from parovoz_greenlight.appeals.service import Caller
from parovoz_greenlight.moderation.domain import Curator, CuratorStatus
from parovoz_greenlight.settings import GreenlightSettings
from parovoz_greenlight.submissions.domain import Submission, SubmissionStatus
from parovoz_kit.errors import BusinessRuleViolation, Conflict, NotFound, PermissionDenied

REJECTED_AT = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
RULES = AppealRules(period=timedelta(days=30), window_days=14)
S = SubmissionStatus
R = AppealReason


class MemoryAppeals:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Appeal] = {}

    async def add(self, appeal: Appeal) -> bool:
        if any(a.submission_id == appeal.submission_id for a in self.rows.values()):
            return False
        self.rows[appeal.id] = appeal
        return True

    async def get(self, appeal_id: uuid.UUID, *, for_update: bool = False) -> Appeal | None:
        return self.rows.get(appeal_id)

    async def of_submission(self, submission_id: uuid.UUID) -> list[Appeal]:
        return [a for a in self.rows.values() if a.submission_id == submission_id]

    async def save(self, appeal: Appeal) -> None:
        self.rows[appeal.id] = appeal


class MemorySubmissions:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Submission] = {}
        self.saved: list[S] = []

    async def get(self, submission_id: uuid.UUID) -> Submission | None:
        return self.rows.get(submission_id)

    async def get_for_update(self, submission_id: uuid.UUID) -> Submission | None:
        return self.rows.get(submission_id)

    async def save(self, submission: Submission) -> None:
        self.saved.append(submission.status)


class MemoryCurators:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Curator] = {}

    async def curator(self, user_id: uuid.UUID, *, for_update: bool = False) -> Curator | None:
        return self.rows.get(user_id)


class MemoryUow:
    def __init__(self) -> None:
        self.appeals = MemoryAppeals()
        self.submissions = MemorySubmissions()
        self.moderation = MemoryCurators()
        self.events: list[EventData] = []
        self.commits = 0

    def emit(self, event: EventData, **_: Any) -> None:
        self.events.append(event)

    async def commit(self) -> None:
        self.commits += 1


@dataclass(frozen=True)
class Member:
    developer_id: uuid.UUID
    role: str


class FakeTeams:
    def __init__(self, members: dict[uuid.UUID, Member] | None = None) -> None:
        self.members = members or {}

    async def membership(
        self, user_id: uuid.UUID, developer_id: uuid.UUID | None = None
    ) -> Member | None:
        return self.members.get(user_id)


@dataclass(frozen=True)
class FakeWindow:
    id: uuid.UUID
    days: int


class Opener:
    def __init__(self) -> None:
        self.calls: list[tuple[uuid.UUID, datetime, int | None]] = []

    async def __call__(
        self, uow: Any, submission: Submission, now: datetime, days: int | None = None
    ) -> FakeWindow:
        self.calls.append((submission.id, now, days))
        submission.voting_started_at = now
        submission.voting_ends_at = now + timedelta(days=days or 30)
        return FakeWindow(uuid.uuid4(), days or 30)


def rejected_submission(uow: MemoryUow, status: S = S.REJECTED) -> Submission:
    submission = Submission(
        id=uuid.uuid4(),
        game_id=uuid.uuid4(),
        developer_id=uuid.uuid4(),
        submitted_by=uuid.uuid4(),
        title="Игра",
        description="Описание",
        status=status,
        created_at=REJECTED_AT - timedelta(days=40),
        updated_at=REJECTED_AT,
        fee_paid=True,
        decided_at=REJECTED_AT if status is S.REJECTED else None,
    )
    uow.submissions.rows[submission.id] = submission
    return submission


def team_of(submission: Submission, role: str = "editor") -> tuple[uuid.UUID, FakeTeams]:
    user = uuid.uuid4()
    return user, FakeTeams({user: Member(submission.developer_id, role)})


async def file(
    uow: MemoryUow,
    teams: FakeTeams,
    submission: Submission,
    user: uuid.UUID,
    *,
    now: datetime,
    reason: R = R.MISUNDERSTANDING,
    improvements: tuple[str, ...] = (),
) -> Appeal:
    return await service.file_appeal(
        uow,
        teams,
        submission.id,
        Caller(user),
        reason=reason,
        explanation="Нас не поняли.",
        improvements=improvements,
        rules=RULES,
        now=now,
    )


# --- filing ---------------------------------------------------------------------------------


async def test_a_team_member_appeals_on_the_last_day() -> None:
    uow = MemoryUow()
    submission = rejected_submission(uow)
    user, teams = team_of(submission)
    appeal = await file(uow, teams, submission, user, now=REJECTED_AT + timedelta(days=30))
    assert appeal.status is AppealStatus.PENDING
    assert appeal.filed_by == user and appeal.developer_id == submission.developer_id
    assert uow.appeals.rows == {appeal.id: appeal} and uow.commits == 1


async def test_day_31_is_past_the_deadline() -> None:
    uow = MemoryUow()
    submission = rejected_submission(uow)
    user, teams = team_of(submission)
    with pytest.raises(BusinessRuleViolation) as refused:
        await file(uow, teams, submission, user, now=REJECTED_AT + timedelta(days=31))
    assert refused.value.code == "APPEAL_DEADLINE_PASSED"
    assert "30" in (refused.value.detail_ru or "")
    assert not uow.appeals.rows and uow.commits == 0


async def test_one_second_after_the_period_is_past_the_deadline() -> None:
    uow = MemoryUow()
    submission = rejected_submission(uow)
    user, teams = team_of(submission)
    late = REJECTED_AT + timedelta(days=30, seconds=1)
    with pytest.raises(BusinessRuleViolation) as refused:
        await file(uow, teams, submission, user, now=late)
    assert refused.value.code == "APPEAL_DEADLINE_PASSED"


@pytest.mark.parametrize("status", [S.DRAFT, S.UNDER_MODERATION, S.ACTIVE_VOTING, S.APPROVED])
async def test_only_a_rejected_submission_is_appealed(status: S) -> None:
    uow = MemoryUow()
    submission = rejected_submission(uow, status)
    user, teams = team_of(submission)
    with pytest.raises(BusinessRuleViolation) as refused:
        await file(uow, teams, submission, user, now=REJECTED_AT)
    assert refused.value.code == "APPEAL_NOT_ALLOWED"
    assert not uow.appeals.rows


async def test_a_second_appeal_is_refused_even_after_a_decision() -> None:
    uow = MemoryUow()
    submission = rejected_submission(uow)
    user, teams = team_of(submission)
    first = await file(uow, teams, submission, user, now=REJECTED_AT + timedelta(days=1))
    moderator = uuid.uuid4()
    await service.decide_appeal(
        uow,
        first.id,
        Caller(moderator, frozenset({"moderator"})),
        AppealDecision.REJECTED,
        notes=None,
        rules=RULES,
        open_window=Opener(),
        now=REJECTED_AT + timedelta(days=2),
    )
    with pytest.raises(Conflict) as refused:
        await file(uow, teams, submission, user, now=REJECTED_AT + timedelta(days=3))
    assert refused.value.code == "APPEAL_NOT_ALLOWED"
    assert list(uow.appeals.rows) == [first.id]


async def test_a_lost_race_for_the_one_appeal_is_refused() -> None:
    uow = MemoryUow()
    submission = rejected_submission(uow)
    user, teams = team_of(submission)

    async def nobody_yet(submission_id: uuid.UUID) -> list[Appeal]:
        return []

    await file(uow, teams, submission, user, now=REJECTED_AT)
    uow.appeals.of_submission = nobody_yet  # type: ignore[method-assign]
    with pytest.raises(Conflict) as refused:
        await file(uow, teams, submission, user, now=REJECTED_AT)
    assert refused.value.code == "APPEAL_NOT_ALLOWED"


@pytest.mark.parametrize("improvements", [(), ("  ",)])
async def test_significant_improvements_need_improvements(improvements: tuple[str, ...]) -> None:
    uow = MemoryUow()
    submission = rejected_submission(uow)
    user, teams = team_of(submission)
    with pytest.raises(BusinessRuleViolation) as refused:
        await file(
            uow,
            teams,
            submission,
            user,
            now=REJECTED_AT,
            reason=R.SIGNIFICANT_IMPROVEMENTS,
            improvements=improvements,
        )
    assert refused.value.code == "INSUFFICIENT_IMPROVEMENTS"
    assert refused.value.pointer == "/data/attributes/improvements"


async def test_significant_improvements_listed_are_kept() -> None:
    uow = MemoryUow()
    submission = rejected_submission(uow)
    user, teams = team_of(submission)
    appeal = await file(
        uow,
        teams,
        submission,
        user,
        now=REJECTED_AT,
        reason=R.SIGNIFICANT_IMPROVEMENTS,
        improvements=("Новое обучение",),
    )
    assert appeal.improvements == ("Новое обучение",)


@pytest.mark.parametrize("case", ["stranger", "other_account", "viewer", "anonymous"])
async def test_only_a_writer_of_the_submitting_team_appeals(case: str) -> None:
    uow = MemoryUow()
    submission = rejected_submission(uow)
    user = uuid.uuid4()
    members = {
        "stranger": {},
        "other_account": {user: Member(uuid.uuid4(), "owner")},
        "viewer": {user: Member(submission.developer_id, "viewer")},
        "anonymous": {},
    }[case]
    caller = Caller(None) if case == "anonymous" else Caller(user)
    with pytest.raises(PermissionDenied):
        await service.file_appeal(
            uow,
            FakeTeams(members),
            submission.id,
            caller,
            reason=R.BIAS_CLAIM,
            explanation="x",
            improvements=(),
            rules=RULES,
            now=REJECTED_AT,
        )
    assert not uow.appeals.rows


async def test_an_unknown_submission_is_not_found() -> None:
    uow = MemoryUow()
    with pytest.raises(NotFound) as refused:
        await service.file_appeal(
            uow,
            FakeTeams(),
            uuid.uuid4(),
            Caller(uuid.uuid4()),
            reason=R.BIAS_CLAIM,
            explanation="x",
            improvements=(),
            rules=RULES,
            now=REJECTED_AT,
        )
    assert refused.value.code == "SUBMISSION_NOT_FOUND"


# --- listing --------------------------------------------------------------------------------


async def test_the_team_and_staff_list_appeals_others_do_not() -> None:
    uow = MemoryUow()
    submission = rejected_submission(uow)
    user, teams = team_of(submission, role="viewer")
    writer, writers = team_of(submission)
    appeal = await file(uow, writers, submission, writer, now=REJECTED_AT)
    assert await service.appeals_of(uow, teams, submission.id, Caller(user)) == [appeal]
    staff = Caller(uuid.uuid4(), frozenset({"curator"}))
    assert await service.appeals_of(uow, FakeTeams(), submission.id, staff) == [appeal]
    with pytest.raises(PermissionDenied):
        await service.appeals_of(uow, teams, submission.id, Caller(uuid.uuid4()))


# --- deciding -------------------------------------------------------------------------------


async def filed(uow: MemoryUow) -> tuple[Submission, Appeal]:
    submission = rejected_submission(uow)
    user, teams = team_of(submission)
    return submission, await file(uow, teams, submission, user, now=REJECTED_AT)


async def test_an_approval_opens_a_new_window_of_the_appeal_length() -> None:
    uow = MemoryUow()
    submission, appeal = await filed(uow)
    opener = Opener()
    moderator = uuid.uuid4()
    now = REJECTED_AT + timedelta(days=5)
    decided = await service.decide_appeal(
        uow,
        appeal.id,
        Caller(moderator, frozenset({"moderator"})),
        AppealDecision.APPROVED,
        notes="Согласны.",
        rules=RULES,
        open_window=opener,
        now=now,
    )
    assert opener.calls == [(submission.id, now, RULES.window_days)]
    assert submission.status is S.ACTIVE_VOTING and uow.submissions.saved == [S.ACTIVE_VOTING]
    assert decided.decision is AppealDecision.APPROVED and decided.status is AppealStatus.DECIDED
    assert (decided.decided_by, decided.decided_by_role) == (moderator, "moderator")
    assert decided.decided_at == now and decided.notes == "Согласны."
    assert decided.window_id is not None


async def test_a_rejection_keeps_the_submission_rejected() -> None:
    uow = MemoryUow()
    submission, appeal = await filed(uow)
    opener = Opener()
    curator = uuid.uuid4()
    uow.moderation.rows[curator] = Curator(
        curator, "Анна", (), CuratorStatus.ACTIVE, uuid.uuid4(), REJECTED_AT, REJECTED_AT
    )
    decided = await service.decide_appeal(
        uow,
        appeal.id,
        Caller(curator, frozenset({"curator"})),
        AppealDecision.REJECTED,
        notes=None,
        rules=RULES,
        open_window=opener,
        now=REJECTED_AT + timedelta(days=5),
    )
    assert opener.calls == [] and submission.status is S.REJECTED
    assert decided.decision is AppealDecision.REJECTED and decided.decided_by_role == "curator"
    assert decided.window_id is None


@pytest.mark.parametrize("case", ["plain_user", "suspended_curator", "admin_only"])
async def test_only_a_moderator_or_acting_curator_decides(case: str) -> None:
    uow = MemoryUow()
    submission, appeal = await filed(uow)
    user = uuid.uuid4()
    roles = {"plain_user": frozenset(), "suspended_curator": frozenset({"curator"})}.get(
        case, frozenset({"admin"})
    )
    if case == "suspended_curator":
        uow.moderation.rows[user] = Curator(
            user, "Б", (), CuratorStatus.SUSPENDED, uuid.uuid4(), REJECTED_AT, REJECTED_AT
        )
    with pytest.raises(PermissionDenied) as refused:
        await service.decide_appeal(
            uow,
            appeal.id,
            Caller(user, roles),
            AppealDecision.APPROVED,
            notes=None,
            rules=RULES,
            open_window=Opener(),
            now=REJECTED_AT,
        )
    assert refused.value.code == "MODERATOR_NOT_AUTHORIZED"
    assert submission.status is S.REJECTED and appeal.status is AppealStatus.PENDING


async def test_a_decided_appeal_is_not_decided_again() -> None:
    uow = MemoryUow()
    submission, appeal = await filed(uow)
    moderator = Caller(uuid.uuid4(), frozenset({"moderator"}))
    args: dict[str, Any] = {"notes": None, "rules": RULES, "now": REJECTED_AT}
    await service.decide_appeal(
        uow, appeal.id, moderator, AppealDecision.REJECTED, open_window=Opener(), **args
    )
    opener = Opener()
    with pytest.raises(BusinessRuleViolation) as refused:
        await service.decide_appeal(
            uow, appeal.id, moderator, AppealDecision.APPROVED, open_window=opener, **args
        )
    assert refused.value.code == "APPEAL_NOT_ALLOWED"
    assert opener.calls == [] and submission.status is S.REJECTED
    assert appeal.decision is AppealDecision.REJECTED


async def test_an_unknown_appeal_is_not_found() -> None:
    uow = MemoryUow()
    with pytest.raises(NotFound) as refused:
        await service.decide_appeal(
            uow,
            uuid.uuid4(),
            Caller(uuid.uuid4(), frozenset({"moderator"})),
            AppealDecision.APPROVED,
            notes=None,
            rules=RULES,
            open_window=Opener(),
            now=REJECTED_AT,
        )
    assert refused.value.code == "APPEAL_NOT_FOUND"


def test_settings_build_the_rules_with_product_defaults() -> None:
    settings = GreenlightSettings(environment="test")
    rules = settings.appeal_rules()
    assert rules.period == timedelta(days=settings.moderation_appeal_days)
    assert rules.window_days == settings.results_appeal_window_days
    defaults = GreenlightSettings.model_fields
    assert defaults["moderation_appeal_days"].default == 30
    assert defaults["results_appeal_window_days"].default == 14
