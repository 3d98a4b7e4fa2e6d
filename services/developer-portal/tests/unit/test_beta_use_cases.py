"""Beta tests' use cases over an in-memory unit of work (no engines): tenant isolation before
the role, the role before the test's id, what a join, a leave and feedback store."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from parovoz_developer_portal.beta import service as beta
from parovoz_developer_portal.beta.domain import (
    BetaStatus,
    BetaTest,
    Feedback,
    InviteCode,
    Participation,
    Position,
    RatingSummary,
)
from parovoz_developer_portal.beta.rules import BetaRules
from parovoz_developer_portal.builds.domain import GameVersion, VersionStatus
from parovoz_developer_portal.games.domain import Game, GameStatus, ProductType
from parovoz_developer_portal.team.domain import Actor, TeamRole
from parovoz_kit.errors import BusinessRuleViolation, NotFound, PermissionDenied

NOW = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)
RULES = BetaRules(
    max_participants=100,
    max_duration=timedelta(days=180),
    max_active_codes=5,
    default_page_size=2,
    max_page_size=10,
)


@dataclass
class Store:
    games: dict[uuid.UUID, Game] = field(default_factory=dict)
    versions: dict[uuid.UUID, GameVersion] = field(default_factory=dict)
    tests: dict[uuid.UUID, BetaTest] = field(default_factory=dict)
    codes: dict[uuid.UUID, InviteCode] = field(default_factory=dict)
    participants: dict[tuple[uuid.UUID, uuid.UUID], Participation] = field(default_factory=dict)
    feedback: dict[tuple[uuid.UUID, uuid.UUID], Feedback] = field(default_factory=dict)


class FakeBeta:
    def __init__(self, store: Store) -> None:
        self.s = store

    async def add(self, test: BetaTest) -> None:
        self.s.tests[test.id] = test

    async def test(self, beta_id: uuid.UUID) -> BetaTest | None:
        return self.s.tests.get(beta_id)

    test_for_update = test

    async def tests_of_game(self, game_id: uuid.UUID) -> list[BetaTest]:
        found = [t for t in self.s.tests.values() if t.game_id == game_id]
        return sorted(found, key=lambda t: t.created_at, reverse=True)

    async def save(self, test: BetaTest) -> None:
        self.s.tests[test.id] = test

    async def add_code(self, code: InviteCode) -> None:
        self.s.codes[code.id] = code

    async def code(self, code_id: uuid.UUID) -> InviteCode | None:
        return self.s.codes.get(code_id)

    code_for_update = code

    async def code_by_text(self, text: str) -> InviteCode | None:
        return next((c for c in self.s.codes.values() if c.code == text), None)

    async def codes_of_test(self, beta_id: uuid.UUID) -> list[InviteCode]:
        return [c for c in self.s.codes.values() if c.beta_test_id == beta_id]

    async def count_active_codes(self, beta_id: uuid.UUID, now: datetime) -> int:
        return sum(1 for c in await self.codes_of_test(beta_id) if c.status_at(now) == "active")

    async def save_code(self, code: InviteCode) -> None:
        self.s.codes[code.id] = code

    async def participation(self, beta_id: uuid.UUID, user_id: uuid.UUID) -> Participation | None:
        return self.s.participants.get((beta_id, user_id))

    async def save_participation(self, participation: Participation) -> None:
        self.s.participants[(participation.beta_test_id, participation.user_id)] = participation

    async def participants_page(
        self, beta_id: uuid.UUID, after: Position | None, limit: int
    ) -> list[Participation]:
        rows = sorted(
            (p for (b, _), p in self.s.participants.items() if b == beta_id and p.active),
            key=lambda p: (p.joined_at, p.user_id),
        )
        if after is not None:
            rows = [p for p in rows if (p.joined_at, p.user_id) > (after.at, after.user_id)]
        return rows[:limit]

    async def tests_of_player(self, user_id: uuid.UUID) -> list[tuple[BetaTest, Participation]]:
        return [
            (self.s.tests[b], p)
            for (b, u), p in self.s.participants.items()
            if u == user_id and p.active
        ]

    async def feedback_of(self, beta_id: uuid.UUID, user_id: uuid.UUID) -> Feedback | None:
        return self.s.feedback.get((beta_id, user_id))

    async def save_feedback(self, feedback: Feedback) -> None:
        self.s.feedback[(feedback.beta_test_id, feedback.user_id)] = feedback

    async def feedback_page(
        self, beta_id: uuid.UUID, after: Position | None, limit: int
    ) -> list[Feedback]:
        return [f for (b, _), f in self.s.feedback.items() if b == beta_id][:limit]

    async def rating_summary(self, beta_id: uuid.UUID) -> RatingSummary:
        ratings = [f.rating for (b, _), f in self.s.feedback.items() if b == beta_id]
        return RatingSummary(len(ratings), sum(ratings))


class FakeUnitOfWork:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.commits = 0
        self.beta = FakeBeta(store)
        self.games = self.builds = self

    def emit(self, item: Any) -> object:
        return item

    async def commit(self) -> None:
        self.commits += 1

    async def get(self, game_id: uuid.UUID) -> Game | None:
        return self.store.games.get(game_id)

    async def version(self, version_id: uuid.UUID) -> GameVersion | None:
        return self.store.versions.get(version_id)


@dataclass
class World:
    uow: FakeUnitOfWork
    editor: Actor
    viewer: Actor
    stranger: Actor
    game: Game
    version: GameVersion


@pytest.fixture
def world() -> World:
    store = Store()
    developer = uuid.uuid4()
    game = Game(
        id=uuid.uuid4(),
        developer_id=developer,
        title="Игра",
        product_type=ProductType.GAME,
        parent_game_id=None,
        status=GameStatus.DRAFT,
        created_by_user_id=uuid.uuid4(),
        created_at=NOW,
        updated_at=NOW,
    )
    version = GameVersion(
        id=uuid.uuid4(),
        game_id=game.id,
        developer_id=developer,
        version_name="1.0",
        changelog={},
        status=VersionStatus.READY_FOR_REVIEW,
        created_at=NOW,
        updated_at=NOW,
        created_by_user_id=uuid.uuid4(),
    )
    store.games[game.id] = game
    store.versions[version.id] = version
    return World(
        uow=FakeUnitOfWork(store),
        editor=Actor(developer, uuid.uuid4(), TeamRole.EDITOR),
        viewer=Actor(developer, uuid.uuid4(), TeamRole.VIEWER),
        stranger=Actor(uuid.uuid4(), uuid.uuid4(), TeamRole.OWNER),
        game=game,
        version=version,
    )


def new_test(world: World, **changes: Any) -> beta.NewBetaTest:
    values: dict[str, Any] = {
        "version_id": world.version.id,
        "title": "Тест",
        "description": "",
        "max_participants": 2,
        "starts_at": NOW,
        "ends_at": NOW + timedelta(days=10),
        **changes,
    }
    return beta.NewBetaTest(**values)


async def open_test(world: World) -> tuple[BetaTest, InviteCode]:
    uow, editor, game_id = world.uow, world.editor, world.game.id
    test = await beta.create_beta_test(uow, editor, game_id, new_test(world), RULES, NOW)
    await beta.open_beta(uow, editor, game_id, test.id, NOW)
    code = await beta.create_code(uow, editor, game_id, test.id, None, None, RULES, NOW)
    return test, code


async def test_a_test_is_created_as_a_draft_and_committed(world: World) -> None:
    test = await beta.create_beta_test(
        world.uow, world.editor, world.game.id, new_test(world), RULES, NOW
    )
    assert test.status is BetaStatus.DRAFT and world.uow.commits == 1
    assert world.uow.store.tests[test.id] == test
    assert await beta.beta_tests_of_game(world.uow, world.viewer, world.game.id) == [test]


async def test_another_tenant_gets_404_before_the_role_and_a_viewer_403(world: World) -> None:
    test, _ = await open_test(world)
    with pytest.raises(NotFound):
        await beta.create_beta_test(
            world.uow, world.stranger, world.game.id, new_test(world), RULES, NOW
        )
    with pytest.raises(NotFound):
        await beta.beta_test(world.uow, world.stranger, world.game.id, test.id)
    with pytest.raises(PermissionDenied):
        await beta.end_beta(world.uow, world.viewer, world.game.id, test.id, NOW)
    # The role is refused before the test's id is looked up.
    with pytest.raises(PermissionDenied):
        await beta.end_beta(world.uow, world.viewer, world.game.id, uuid.uuid4(), NOW)
    with pytest.raises(NotFound):
        await beta.end_beta(world.uow, world.editor, world.game.id, uuid.uuid4(), NOW)


async def test_a_version_of_another_game_is_404(world: World) -> None:
    with pytest.raises(NotFound):
        await beta.create_beta_test(
            world.uow,
            world.editor,
            world.game.id,
            new_test(world, version_id=uuid.uuid4()),
            RULES,
            NOW,
        )


async def test_join_stores_the_place_the_use_and_the_participant(world: World) -> None:
    test, code = await open_test(world)
    player = uuid.uuid4()
    joined = await beta.join_beta(world.uow, player, f" {code.code} ", NOW)
    assert joined.new and joined.feedback is None
    store = world.uow.store
    assert store.tests[test.id].participant_count == 1 and store.codes[code.id].uses == 1
    assert store.participants[(test.id, player)].active
    commits = world.uow.commits
    assert not (await beta.join_beta(world.uow, player, code.code, NOW)).new
    assert world.uow.commits == commits  # nothing to store
    with pytest.raises(BusinessRuleViolation) as error:
        await beta.join_beta(world.uow, uuid.uuid4(), "unknown", NOW)
    assert error.value.code == "BETA_CODE_INVALID"


async def test_leave_feedback_and_my_tests(world: World) -> None:
    test, code = await open_test(world)
    player = uuid.uuid4()
    await beta.join_beta(world.uow, player, code.code, NOW)
    feedback, first = await beta.send_feedback(world.uow, player, test.id, 5, "Супер", NOW)
    assert first and feedback.rating == 5
    _, first_again = await beta.send_feedback(world.uow, player, test.id, 3, "", NOW)
    assert not first_again
    (mine,) = await beta.my_beta_tests(world.uow, player)
    assert mine[0].id == test.id and mine[2] is not None and mine[2].rating == 3
    page = await beta.feedback_of_beta(world.uow, world.viewer, world.game.id, test.id, None, 10)
    assert page.summary.average == "3.00"
    await beta.leave_beta(world.uow, player, test.id, NOW)
    assert world.uow.store.tests[test.id].participant_count == 0
    assert await beta.my_beta_tests(world.uow, player) == []
    with pytest.raises(NotFound):
        await beta.leave_beta(world.uow, player, uuid.uuid4(), NOW)


async def test_participants_come_a_page_at_a_time(world: World) -> None:
    test, code = await open_test(world)
    change = beta.BetaChanges(max_participants=3)
    await beta.change_beta(world.uow, world.editor, world.game.id, test.id, change, RULES, NOW)
    players = [uuid.uuid4() for _ in range(3)]
    for minute, player in enumerate(players):
        await beta.join_beta(world.uow, player, code.code, NOW + timedelta(minutes=minute))
    args = (world.uow, world.viewer, world.game.id, test.id)
    _, first = await beta.participants_of_beta(*args, None, 2)
    assert [p.user_id for p in first.items] == players[:2] and first.next_cursor
    _, second = await beta.participants_of_beta(*args, first.next_cursor, 2)
    assert [p.user_id for p in second.items] == players[2:] and second.next_cursor is None


async def test_revoking_a_code_of_another_test_is_404_and_twice_changes_nothing(
    world: World,
) -> None:
    test, code = await open_test(world)
    _, other_code = await open_test(world)
    with pytest.raises(NotFound):
        await beta.revoke_code(world.uow, world.editor, world.game.id, test.id, other_code.id, NOW)
    revoked = await beta.revoke_code(world.uow, world.editor, world.game.id, test.id, code.id, NOW)
    later = NOW + timedelta(hours=1)
    again = await beta.revoke_code(world.uow, world.editor, world.game.id, test.id, code.id, later)
    assert revoked.revoked_at == again.revoked_at == NOW
