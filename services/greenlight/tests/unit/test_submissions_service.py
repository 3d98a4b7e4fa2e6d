"""Use cases of submissions over in-memory fakes: who may write, submit and withdraw, what each
status allows, the fee started or skipped, the refund asked only when due, who sees what."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from parovoz_greenlight.settings import GreenlightSettings
from parovoz_greenlight.submissions import service as use_cases
from parovoz_greenlight.submissions.domain import Position, Submission, SubmissionStatus
from parovoz_greenlight.submissions.service import (
    Draft,
    FeeToPay,
    GameOwner,
    Membership,
)
from parovoz_kit.errors import BusinessRuleViolation, NotFound, PermissionDenied

S = SubmissionStatus
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
RULES = GreenlightSettings(environment="test").submission_rules()


def complete_draft(game_id: uuid.UUID, title: str = "Игра") -> Draft:
    """A draft with everything submitting asks for (at the rules' minimum lengths)."""
    return Draft(
        game_id=game_id,
        title=title,
        description="О" * RULES.min_description_chars,
        genres=("indie",),
        target_audience="Ц" * RULES.min_detail_chars,
        team="К" * RULES.min_detail_chars,
        timeline="П" * RULES.min_detail_chars,
        demo_links=("https://demo.example.ru/igra",),
        business_plan="Б" * RULES.min_detail_chars,
    )


class FakeStore:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Submission] = {}

    async def get(self, submission_id: uuid.UUID) -> Submission | None:
        found = self.rows.get(submission_id)
        return dataclasses.replace(found) if found else None

    get_for_update = get

    async def add(self, submission: Submission) -> None:
        self.rows[submission.id] = dataclasses.replace(submission)

    async def save(self, submission: Submission) -> None:
        assert self.rows[submission.id].version == submission.version
        submission.version += 1
        self.rows[submission.id] = dataclasses.replace(submission)

    def _sorted(self, items: list[Submission], after: Position | None, limit: int) -> list[Any]:
        items.sort(key=lambda s: (s.created_at, s.id), reverse=True)
        if after is not None:
            items = [
                s for s in items if (s.created_at, s.id) < (after.created_at, after.submission_id)
            ]
        return items[:limit]

    async def public_page(
        self,
        *,
        statuses: Collection[SubmissionStatus],
        genre: str | None = None,
        after: Position | None = None,
        limit: int = 20,
    ) -> list[Submission]:
        items = [
            s
            for s in self.rows.values()
            if s.status in statuses and (genre is None or genre in s.genres)
        ]
        return self._sorted(items, after, limit)

    async def of_developer(
        self,
        developer_id: uuid.UUID,
        *,
        statuses: Collection[SubmissionStatus] = (),
        after: Position | None = None,
        limit: int = 20,
    ) -> list[Submission]:
        items = [
            s
            for s in self.rows.values()
            if s.developer_id == developer_id and (not statuses or s.status in statuses)
        ]
        return self._sorted(items, after, limit)


class FakeUow:
    def __init__(self) -> None:
        self.submissions = FakeStore()
        self.commits = 0

    def emit(self, item: object, *, subject: str | None = None, topic: str | None = None) -> None:
        raise AssertionError("no events expected")

    async def commit(self) -> None:
        self.commits += 1


class FakeDevelopers:
    def __init__(self) -> None:
        self.members: dict[tuple[uuid.UUID, uuid.UUID], Membership] = {}
        self.games: dict[uuid.UUID, uuid.UUID] = {}

    def join(
        self, user_id: uuid.UUID, developer_id: uuid.UUID, role: str, status: str = "active"
    ) -> None:
        self.members[(user_id, developer_id)] = Membership(developer_id, role, status, "greenlight")

    async def membership(
        self, user_id: uuid.UUID, developer_id: uuid.UUID | None = None
    ) -> Membership | None:
        if developer_id is None:
            found = [m for (user, _), m in self.members.items() if user == user_id]
            return found[0] if len(found) == 1 else None
        return self.members.get((user_id, developer_id))

    async def game_owner(self, game_id: uuid.UUID) -> GameOwner | None:
        owner = self.games.get(game_id)
        return GameOwner(game_id, owner) if owner else None


class FakeFees:
    def __init__(self) -> None:
        self.started: list[uuid.UUID] = []
        self.refunded: list[uuid.UUID] = []

    async def start(self, uow: Any, submission: Submission) -> FeeToPay:
        self.started.append(submission.id)
        return FeeToPay(uuid.uuid4(), uuid.uuid4(), f"https://pay.example/{submission.id}")

    async def refund(self, uow: Any, submission: Submission, requested_by: uuid.UUID) -> None:
        self.refunded.append(submission.id)


class World:
    def __init__(self) -> None:
        self.uow, self.developers, self.fees = FakeUow(), FakeDevelopers(), FakeFees()
        self.developer_id, self.game_id, self.owner = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        self.developers.games[self.game_id] = self.developer_id
        self.developers.join(self.owner, self.developer_id, "owner")

    async def draft(self, **changes: Any) -> Submission:
        created = await use_cases.create_draft(
            self.uow,
            self.developers,
            self.owner,
            complete_draft(self.game_id),
            NOW,
        )
        if changes:
            row = self.uow.submissions.rows[created.id]
            for name, value in changes.items():
                setattr(row, name, value)
        return self.uow.submissions.rows[created.id]

    async def submit(self, submission: Submission, user: uuid.UUID | None = None) -> Any:
        return await use_cases.submit(
            self.uow, self.developers, self.fees, submission.id, user or self.owner, NOW, RULES
        )

    async def withdraw(self, submission: Submission, user: uuid.UUID | None = None) -> Submission:
        return await use_cases.withdraw(
            self.uow, self.developers, self.fees, submission.id, user or self.owner, NOW
        )


async def test_a_writer_creates_a_draft_of_the_game_owner_account() -> None:
    world = World()
    created = await world.draft()
    assert (created.status, created.developer_id, created.submitted_by) == (
        S.DRAFT,
        world.developer_id,
        world.owner,
    )
    assert world.uow.commits == 1


@pytest.mark.parametrize("role", ["finance", "viewer", None])
async def test_only_owner_admin_editor_create(role: str | None) -> None:
    world = World()
    user = uuid.uuid4()
    if role:
        world.developers.join(user, world.developer_id, role)
    with pytest.raises(PermissionDenied) as refused:
        await use_cases.create_draft(
            world.uow, world.developers, user, Draft(world.game_id, "T", "D"), NOW
        )
    assert refused.value.code == "DEVELOPER_MEMBERSHIP_REQUIRED"
    assert world.uow.submissions.rows == {}


async def test_an_unknown_game_is_refused_with_a_pointer() -> None:
    world = World()
    with pytest.raises(BusinessRuleViolation) as refused:
        await use_cases.create_draft(
            world.uow, world.developers, world.owner, Draft(uuid.uuid4(), "T", "D"), NOW
        )
    assert refused.value.code == "GAME_NOT_FOUND"


async def test_submit_moves_to_submitted_and_starts_the_fee() -> None:
    world = World()
    draft = await world.draft()
    submitted = await world.submit(draft)
    assert submitted.submission.status is S.SUBMITTED
    assert submitted.fee is not None and submitted.fee.confirmation_url
    assert world.fees.started == [draft.id]
    assert world.uow.submissions.rows[draft.id].status is S.SUBMITTED


async def test_submitting_again_answers_the_fee_again() -> None:
    world = World()
    draft = await world.draft()
    await world.submit(draft)
    again = await world.submit(draft)
    assert again.submission.status is S.SUBMITTED and world.fees.started == [draft.id, draft.id]


async def test_a_draft_after_requested_changes_with_the_fee_paid_goes_to_moderation() -> None:
    world = World()
    draft = await world.draft(fee_paid=True, requested_changes="Трейлер")
    submitted = await world.submit(draft)
    assert submitted.fee is None and submitted.submission.status is S.UNDER_MODERATION
    assert world.fees.started == []
    assert world.uow.submissions.rows[draft.id].requested_changes is None


@pytest.mark.parametrize("status", ["pending_verification", "suspended"])
async def test_submit_needs_an_active_account(status: str) -> None:
    world = World()
    draft = await world.draft()
    world.developers.join(world.owner, world.developer_id, "owner", status)
    with pytest.raises(BusinessRuleViolation) as refused:
        await world.submit(draft)
    assert refused.value.code == "DEVELOPER_ACCOUNT_NOT_ACTIVE"
    assert world.uow.submissions.rows[draft.id].status is S.DRAFT and not world.fees.started


async def test_submit_needs_the_account_to_still_own_the_game() -> None:
    world = World()
    draft = await world.draft()
    world.developers.games[world.game_id] = uuid.uuid4()
    with pytest.raises(BusinessRuleViolation) as refused:
        await world.submit(draft)
    assert refused.value.code == "GAME_NOT_OWNED"


@pytest.mark.parametrize(
    "status", [S.UNDER_MODERATION, S.ACTIVE_VOTING, S.APPROVED, S.REJECTED, S.WITHDRAWN]
)
async def test_submit_and_edit_refused_outside_a_draft(status: SubmissionStatus) -> None:
    world = World()
    draft = await world.draft(status=status)
    with pytest.raises(BusinessRuleViolation) as refused:
        await world.submit(draft)
    assert refused.value.code == "SUBMISSION_STATUS_CONFLICT"
    with pytest.raises(BusinessRuleViolation) as refused:
        await use_cases.edit_draft(
            world.uow, world.developers, draft.id, world.owner, {"title": "Новое"}, NOW
        )
    assert refused.value.code == "SUBMISSION_STATUS_CONFLICT"
    assert world.uow.submissions.rows[draft.id].title == "Игра"


async def test_an_editor_edits_a_draft_a_viewer_may_not_a_stranger_sees_nothing() -> None:
    world = World()
    draft = await world.draft()
    editor, viewer, stranger = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    world.developers.join(editor, world.developer_id, "editor")
    world.developers.join(viewer, world.developer_id, "viewer")
    edited = await use_cases.edit_draft(
        world.uow, world.developers, draft.id, editor, {"title": "Новое", "genres": ["rpg"]}, NOW
    )
    assert (edited.title, edited.genres) == ("Новое", ("rpg",))
    with pytest.raises(PermissionDenied):
        await use_cases.edit_draft(
            world.uow, world.developers, draft.id, viewer, {"title": "X"}, NOW
        )
    with pytest.raises(NotFound):
        await use_cases.edit_draft(
            world.uow, world.developers, draft.id, stranger, {"title": "X"}, NOW
        )
    assert world.uow.submissions.rows[draft.id].title == "Новое"


@pytest.mark.parametrize(
    ("status", "fee_paid", "refund"),
    [
        (S.DRAFT, False, False),
        (S.DRAFT, True, True),
        (S.SUBMITTED, False, False),
        (S.UNDER_MODERATION, True, True),
        (S.ACTIVE_VOTING, True, False),
    ],
)
async def test_withdraw_refunds_only_a_paid_fee_before_voting(
    status: SubmissionStatus, fee_paid: bool, refund: bool
) -> None:
    world = World()
    draft = await world.draft(status=status, fee_paid=fee_paid)
    withdrawn = await world.withdraw(draft)
    assert withdrawn.status is S.WITHDRAWN and withdrawn.withdrawn_at == NOW
    assert world.fees.refunded == ([draft.id] if refund else [])


@pytest.mark.parametrize("status", [S.VOTING_COMPLETED, S.APPROVED, S.REJECTED, S.WITHDRAWN])
async def test_withdraw_refused_after_voting_closed(status: SubmissionStatus) -> None:
    world = World()
    draft = await world.draft(status=status, fee_paid=True)
    with pytest.raises(BusinessRuleViolation) as refused:
        await world.withdraw(draft)
    assert refused.value.code == "SUBMISSION_STATUS_CONFLICT"
    assert world.uow.submissions.rows[draft.id].status is status and not world.fees.refunded


async def test_a_draft_is_seen_by_its_team_and_staff_only_public_ones_by_all() -> None:
    world = World()
    draft = await world.draft()
    viewer = uuid.uuid4()
    world.developers.join(viewer, world.developer_id, "viewer")
    for who, staff in ((world.owner, False), (viewer, False), (uuid.uuid4(), True)):
        seen = await use_cases.view_submission(
            world.uow, world.developers, draft.id, who, staff=staff
        )
        assert seen.id == draft.id
    for who in (uuid.uuid4(), None):
        with pytest.raises(NotFound):
            await use_cases.view_submission(world.uow, world.developers, draft.id, who)
    world.uow.submissions.rows[draft.id].status = S.ACTIVE_VOTING
    assert (
        await use_cases.view_submission(world.uow, world.developers, draft.id, None)
    ).id == draft.id


async def test_the_public_list_shows_public_statuses_newest_first_a_page_at_a_time() -> None:
    world = World()
    made = []
    for number, status in enumerate(
        [S.ACTIVE_VOTING, S.DRAFT, S.APPROVED, S.VOTING_COMPLETED, S.ACTIVE_VOTING]
    ):
        world.developers.games[game := uuid.uuid4()] = world.developer_id
        item = await use_cases.create_draft(
            world.uow,
            world.developers,
            world.owner,
            Draft(game, f"T{number}", "D"),
            NOW + timedelta(minutes=number),
        )
        world.uow.submissions.rows[item.id].status = status
        made.append((item.id, status))
    public = [sid for sid, status in reversed(made) if status is not S.DRAFT]
    first = await use_cases.public_list(world.uow, statuses=[], genre=None, cursor=None, size=2)
    assert [s.id for s in first.submissions] == public[:2] and first.next_cursor
    second = await use_cases.public_list(
        world.uow, statuses=[], genre=None, cursor=first.next_cursor, size=2
    )
    assert [s.id for s in second.submissions] == public[2:4] and second.next_cursor is None
    only_drafts = await use_cases.public_list(
        world.uow, statuses=[S.DRAFT], genre=None, cursor=None, size=5
    )
    assert only_drafts.submissions == []
    mine = await use_cases.developer_submissions(
        world.uow, world.developers, world.owner, statuses=[], cursor=None, size=10
    )
    assert len(mine.submissions) == 5


async def test_trending_ranks_by_the_score_best_first() -> None:
    world = World()
    scores = {}
    for number in range(3):
        world.developers.games[game := uuid.uuid4()] = world.developer_id
        item = await use_cases.create_draft(
            world.uow, world.developers, world.owner, Draft(game, f"T{number}", "D"), NOW
        )
        world.uow.submissions.rows[item.id].status = S.ACTIVE_VOTING
        scores[item.id] = [0.2, 0.9, 0.5][number]

    async def score(submission: Submission) -> float:
        return scores[submission.id]

    page, next_offset = await use_cases.trending_list(
        world.uow, score, statuses=[], genre=None, offset=0, size=2, candidates=10
    )
    assert [item.score for item in page] == [0.9, 0.5] and next_offset == 2
    rest, end = await use_cases.trending_list(
        world.uow, score, statuses=[], genre=None, offset=2, size=2, candidates=10
    )
    assert [item.score for item in rest] == [0.2] and end is None


async def test_an_incomplete_draft_is_refused_field_by_field_and_nothing_moves() -> None:
    world = World()
    bare = await use_cases.create_draft(
        world.uow,
        world.developers,
        world.owner,
        Draft(world.game_id, "Игра", "Коротко"),
        NOW,
    )  # a draft may stay incomplete until it is submitted
    with pytest.raises(BusinessRuleViolation) as refused:
        await world.submit(bare)
    assert refused.value.http_status == 422
    reasons = refused.value.reasons
    assert {r.code for r in reasons} == {"INVALID_SUBMISSION_DATA"}
    assert [r.pointer for r in reasons] == [
        "/data/attributes/description",
        "/data/attributes/genres",
        "/data/attributes/target_audience",
        "/data/attributes/team",
        "/data/attributes/timeline",
        "/data/attributes/business_plan",
        "/data/attributes/demo_links",
    ]
    assert all(r.detail_ru for r in reasons)
    stored = world.uow.submissions.rows[bare.id]
    assert stored.status is S.DRAFT and stored.submitted_at is None
    assert world.fees.started == [] and world.uow.commits == 1  # the creation only


async def test_the_minimum_lengths_are_the_rules_boundaries() -> None:
    world = World()
    short = RULES.min_detail_chars - 1
    draft = await world.draft(
        description=" " + "О" * (RULES.min_description_chars - 1) + " ",
        team="К" * short,
        demo_links=(),
    )
    with pytest.raises(BusinessRuleViolation) as refused:
        await world.submit(draft)
    assert [r.pointer for r in refused.value.reasons] == [
        "/data/attributes/description",
        "/data/attributes/team",
        "/data/attributes/demo_links",
    ]
    assert str(RULES.min_description_chars) in refused.value.reasons[0].detail
    draft.description = "О" * RULES.min_description_chars
    draft.team = "К" * RULES.min_detail_chars
    draft.demo_links = ("https://demo.example.ru/igra",)
    assert (await world.submit(draft)).submission.status is S.SUBMITTED


async def test_a_resubmission_after_requested_changes_is_checked_too() -> None:
    world = World()
    draft = await world.draft(fee_paid=True, requested_changes="Бизнес-план", business_plan=None)
    with pytest.raises(BusinessRuleViolation) as refused:
        await world.submit(draft)
    assert [r.pointer for r in refused.value.reasons] == ["/data/attributes/business_plan"]
    assert world.uow.submissions.rows[draft.id].status is S.DRAFT
