"""beta: use cases, one function per action, over the unit of work.

Team side: a test is reached through its game (``games.game_for_actor``: another account's
game is RESOURCE_NOT_FOUND before the role is checked, then the role: MANAGE_GAMES to create,
change, open, end, cancel and manage codes, VIEW to read), so a tenant never learns which ids
exist, and a role is refused before any test id is looked up. Player side: any signed-in user;
a test they are not in is answered like an unknown one (``BETA_NOT_PARTICIPANT``, 404).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from parovoz_developer_portal.beta.domain import (
    BetaChanges,
    BetaTest,
    Feedback,
    InviteCode,
    Participation,
    Position,
    RatingSummary,
    admit,
    beta_not_found,
    cancel_beta_test,
    change_beta_test,
    code_not_found,
    end_beta_test,
    give_feedback,
    invalid_code,
    issue_code,
    leave,
    normalized_code,
    not_participant,
    open_beta_test,
    plan_beta_test,
)
from parovoz_developer_portal.beta.rules import BetaRules
from parovoz_developer_portal.builds import service as builds
from parovoz_developer_portal.builds.ports import BuildsUnitOfWork
from parovoz_developer_portal.games import service as games
from parovoz_developer_portal.team.domain import Actor, Permission


class BetaStore(Protocol):
    async def add(self, test: BetaTest) -> None: ...
    async def test(self, beta_id: uuid.UUID) -> BetaTest | None: ...
    async def test_for_update(self, beta_id: uuid.UUID) -> BetaTest | None: ...
    async def tests_of_game(self, game_id: uuid.UUID) -> list[BetaTest]: ...
    async def save(self, test: BetaTest) -> None: ...
    async def add_code(self, code: InviteCode) -> None: ...
    async def code(self, code_id: uuid.UUID) -> InviteCode | None: ...
    async def code_by_text(self, text: str) -> InviteCode | None: ...
    async def code_for_update(self, code_id: uuid.UUID) -> InviteCode | None: ...
    async def codes_of_test(self, beta_id: uuid.UUID) -> list[InviteCode]: ...
    async def count_active_codes(self, beta_id: uuid.UUID, now: datetime) -> int: ...
    async def save_code(self, code: InviteCode) -> None: ...
    async def participation(
        self, beta_id: uuid.UUID, user_id: uuid.UUID
    ) -> Participation | None: ...
    async def save_participation(self, participation: Participation) -> None: ...
    async def participants_page(
        self, beta_id: uuid.UUID, after: Position | None, limit: int
    ) -> list[Participation]: ...
    async def tests_of_player(self, user_id: uuid.UUID) -> list[tuple[BetaTest, Participation]]: ...
    async def feedback_of(self, beta_id: uuid.UUID, user_id: uuid.UUID) -> Feedback | None: ...
    async def save_feedback(self, feedback: Feedback) -> None: ...
    async def feedback_page(
        self, beta_id: uuid.UUID, after: Position | None, limit: int
    ) -> list[Feedback]: ...
    async def rating_summary(self, beta_id: uuid.UUID) -> RatingSummary: ...


class BetaUnitOfWork(BuildsUnitOfWork, Protocol):
    beta: BetaStore


#: open_beta, end_beta, cancel_beta.
MoveUseCase = Callable[
    [BetaUnitOfWork, Actor, uuid.UUID, uuid.UUID, datetime], Awaitable["BetaTest"]
]


@dataclass(frozen=True)
class ParticipantsPage:
    items: list[Participation]
    next_cursor: str | None


@dataclass(frozen=True)
class FeedbackPage:
    items: list[Feedback]
    next_cursor: str | None
    summary: RatingSummary


# --- team side --------------------------------------------------------------------------------


async def _test_of_game(
    uow: BetaUnitOfWork,
    actor: Actor,
    game_id: uuid.UUID,
    beta_id: uuid.UUID,
    permission: Permission,
    *,
    lock: bool = False,
) -> BetaTest:
    await games.game_for_actor(uow, actor, game_id, permission)
    test = await (uow.beta.test_for_update(beta_id) if lock else uow.beta.test(beta_id))
    if test is None or test.game_id != game_id:
        raise beta_not_found(beta_id)
    return test


@dataclass(frozen=True)
class NewBetaTest:
    version_id: uuid.UUID
    title: str
    description: str
    max_participants: int | None
    starts_at: datetime
    ends_at: datetime


async def create_beta_test(
    uow: BetaUnitOfWork,
    actor: Actor,
    game_id: uuid.UUID,
    new: NewBetaTest,
    rules: BetaRules,
    now: datetime,
) -> BetaTest:
    version = await builds.version_for_actor(
        uow, actor, game_id, new.version_id, Permission.MANAGE_GAMES
    )
    test = plan_beta_test(
        developer_id=actor.developer_id,
        game_id=game_id,
        version_id=version.id,
        version_state=version.status.value,
        title=new.title,
        description=new.description,
        max_participants=new.max_participants,
        starts_at=new.starts_at,
        ends_at=new.ends_at,
        user_id=actor.user_id,
        rules=rules,
        now=now,
    )
    await uow.beta.add(test)
    await uow.commit()
    return test


async def beta_tests_of_game(
    uow: BetaUnitOfWork, actor: Actor, game_id: uuid.UUID
) -> list[BetaTest]:
    await games.game_for_actor(uow, actor, game_id, Permission.VIEW)
    return await uow.beta.tests_of_game(game_id)


async def beta_test(
    uow: BetaUnitOfWork, actor: Actor, game_id: uuid.UUID, beta_id: uuid.UUID
) -> BetaTest:
    return await _test_of_game(uow, actor, game_id, beta_id, Permission.VIEW)


async def change_beta(
    uow: BetaUnitOfWork,
    actor: Actor,
    game_id: uuid.UUID,
    beta_id: uuid.UUID,
    changes: BetaChanges,
    rules: BetaRules,
    now: datetime,
) -> BetaTest:
    test = await _test_of_game(uow, actor, game_id, beta_id, Permission.MANAGE_GAMES, lock=True)
    changed = change_beta_test(test, changes, rules, now)
    await uow.beta.save(changed)
    await uow.commit()
    return changed


async def _move(
    uow: BetaUnitOfWork,
    actor: Actor,
    game_id: uuid.UUID,
    beta_id: uuid.UUID,
    now: datetime,
    move: Callable[[BetaTest, datetime], BetaTest],
) -> BetaTest:
    test = await _test_of_game(uow, actor, game_id, beta_id, Permission.MANAGE_GAMES, lock=True)
    moved = move(test, now)
    await uow.beta.save(moved)
    await uow.commit()
    return moved


async def open_beta(
    uow: BetaUnitOfWork, actor: Actor, game_id: uuid.UUID, beta_id: uuid.UUID, now: datetime
) -> BetaTest:
    return await _move(uow, actor, game_id, beta_id, now, open_beta_test)


async def end_beta(
    uow: BetaUnitOfWork, actor: Actor, game_id: uuid.UUID, beta_id: uuid.UUID, now: datetime
) -> BetaTest:
    return await _move(uow, actor, game_id, beta_id, now, end_beta_test)


async def cancel_beta(
    uow: BetaUnitOfWork, actor: Actor, game_id: uuid.UUID, beta_id: uuid.UUID, now: datetime
) -> BetaTest:
    return await _move(uow, actor, game_id, beta_id, now, cancel_beta_test)


async def create_code(
    uow: BetaUnitOfWork,
    actor: Actor,
    game_id: uuid.UUID,
    beta_id: uuid.UUID,
    max_uses: int | None,
    expires_at: datetime | None,
    rules: BetaRules,
    now: datetime,
) -> InviteCode:
    # The test's lock serializes code creations: the active codes' limit holds.
    test = await _test_of_game(uow, actor, game_id, beta_id, Permission.MANAGE_GAMES, lock=True)
    active = await uow.beta.count_active_codes(test.id, now)
    code = issue_code(test, active, max_uses, expires_at, actor.user_id, rules, now)
    await uow.beta.add_code(code)
    await uow.commit()
    return code


async def codes_of_beta(
    uow: BetaUnitOfWork, actor: Actor, game_id: uuid.UUID, beta_id: uuid.UUID
) -> list[InviteCode]:
    test = await _test_of_game(uow, actor, game_id, beta_id, Permission.VIEW)
    return await uow.beta.codes_of_test(test.id)


async def revoke_code(
    uow: BetaUnitOfWork,
    actor: Actor,
    game_id: uuid.UUID,
    beta_id: uuid.UUID,
    code_id: uuid.UUID,
    now: datetime,
) -> InviteCode:
    test = await _test_of_game(uow, actor, game_id, beta_id, Permission.MANAGE_GAMES)
    code = await uow.beta.code(code_id)
    if code is None or code.beta_test_id != test.id:
        raise code_not_found(code_id)
    revoked = code.revoked(now)
    if revoked is not code:
        await uow.beta.save_code(revoked)
        await uow.commit()
    return revoked


def _after(cursor: str | None) -> Position | None:
    return Position.of_cursor(cursor) if cursor is not None else None


async def participants_of_beta(
    uow: BetaUnitOfWork,
    actor: Actor,
    game_id: uuid.UUID,
    beta_id: uuid.UUID,
    cursor: str | None,
    limit: int,
) -> tuple[BetaTest, ParticipantsPage]:
    after = _after(cursor)
    test = await _test_of_game(uow, actor, game_id, beta_id, Permission.VIEW)
    rows = await uow.beta.participants_page(test.id, after, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = Position(rows[-1].joined_at, rows[-1].user_id).cursor() if more else None
    return test, ParticipantsPage(rows, next_cursor)


async def feedback_of_beta(
    uow: BetaUnitOfWork,
    actor: Actor,
    game_id: uuid.UUID,
    beta_id: uuid.UUID,
    cursor: str | None,
    limit: int,
) -> FeedbackPage:
    after = _after(cursor)
    test = await _test_of_game(uow, actor, game_id, beta_id, Permission.VIEW)
    rows = await uow.beta.feedback_page(test.id, after, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = Position(rows[-1].created_at, rows[-1].user_id).cursor() if more else None
    return FeedbackPage(rows, next_cursor, await uow.beta.rating_summary(test.id))


# --- player side ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Joined:
    test: BetaTest
    participation: Participation
    new: bool
    feedback: Feedback | None


async def join_beta(
    uow: BetaUnitOfWork, user_id: uuid.UUID, code_text: str, now: datetime
) -> Joined:
    """Join the test of an invite code. The test's row is locked first, then the code's: joins
    of one test run one at a time, so the cap and a code's uses hold under concurrency."""
    found = await uow.beta.code_by_text(normalized_code(code_text))
    if found is None:
        raise invalid_code()
    test = await uow.beta.test_for_update(found.beta_test_id)
    code = await uow.beta.code_for_update(found.id)
    if test is None or code is None:
        raise invalid_code()
    existing = await uow.beta.participation(test.id, user_id)
    admission = admit(test, code, existing, user_id, now)
    feedback = await uow.beta.feedback_of(test.id, user_id)
    if admission.new:
        await uow.beta.save(admission.test)
        await uow.beta.save_code(admission.code)
        await uow.beta.save_participation(admission.participation)
        await uow.commit()
    return Joined(admission.test, admission.participation, admission.new, feedback)


async def leave_beta(
    uow: BetaUnitOfWork, user_id: uuid.UUID, beta_id: uuid.UUID, now: datetime
) -> BetaTest:
    test = await uow.beta.test_for_update(beta_id)
    if test is None:
        raise not_participant(beta_id)
    left_test, participation = leave(test, await uow.beta.participation(beta_id, user_id), now)
    await uow.beta.save(left_test)
    await uow.beta.save_participation(participation)
    await uow.commit()
    return left_test


async def my_beta_tests(
    uow: BetaUnitOfWork, user_id: uuid.UUID
) -> list[tuple[BetaTest, Participation, Feedback | None]]:
    found = await uow.beta.tests_of_player(user_id)
    return [
        (test, participation, await uow.beta.feedback_of(test.id, user_id))
        for test, participation in found
    ]


async def send_feedback(
    uow: BetaUnitOfWork,
    user_id: uuid.UUID,
    beta_id: uuid.UUID,
    rating: int,
    text: str,
    now: datetime,
) -> tuple[Feedback, bool]:
    """The participant's feedback (created: True), or their earlier one replaced (False)."""
    test = await uow.beta.test(beta_id)
    if test is None:
        raise not_participant(beta_id)
    participation = await uow.beta.participation(beta_id, user_id)
    previous = await uow.beta.feedback_of(beta_id, user_id)
    feedback = give_feedback(test, participation, previous, rating, text, now)
    await uow.beta.save_feedback(feedback)
    await uow.commit()
    return feedback, previous is None
