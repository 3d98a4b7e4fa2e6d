"""Closed beta tests (seed 000 "Testing Management"): a test of one version of a game, its
invite codes, its participants under a cap, and their feedback (plain Python, no I/O).

A test moves ``draft`` → ``open`` → ``ended``, or to ``cancelled`` from either; an illegal move
is 422 ``BETA_STATE_CONFLICT``. An open test whose ``ends_at`` has passed *is* ended: its status
is read from the clock (:meth:`BetaTest.status_at`), no job needs to run for it. Players join
an open, started test with an invite code of it (several per test, each with its own optional
use limit and expiry, revocable), while the participants stay under the cap.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from parovoz_kit.errors import BusinessRuleViolation, NotFound, ValidationFailed

from parovoz_developer_portal.beta.rules import BetaRules

#: Version states that have every build verified: ready for review, or any state after it.
TESTABLE_VERSION_STATES = frozenset(
    {"ready_for_review", "in_review", "approved", "rejected", "live", "deprecated"}
)
#: Random bytes of an invite code (16 url-safe characters).
CODE_BYTES = 12
MIN_RATING, MAX_RATING = 1, 5
_ATTRIBUTES = "/data/attributes"


class BetaStatus(StrEnum):
    DRAFT = "draft"  # being prepared; codes may be made, nobody can join yet
    OPEN = "open"  # players join with a code (from starts_at) until ends_at
    ENDED = "ended"  # ended by the team, or its ends_at passed
    CANCELLED = "cancelled"  # called off by the team


_MOVES: dict[BetaStatus, frozenset[BetaStatus]] = {
    BetaStatus.DRAFT: frozenset({BetaStatus.OPEN, BetaStatus.CANCELLED}),
    BetaStatus.OPEN: frozenset({BetaStatus.ENDED, BetaStatus.CANCELLED}),
    BetaStatus.ENDED: frozenset(),
    BetaStatus.CANCELLED: frozenset(),
}


def can_move(current: BetaStatus, target: BetaStatus) -> bool:
    return target in _MOVES[current]


# --- errors -------------------------------------------------------------------------------------


def _refusal(code: str, english: str, russian: str, field: str | None = None) -> Exception:
    pointer = f"{_ATTRIBUTES}/{field}" if field else None
    return BusinessRuleViolation(english, detail_ru=russian, code=code, pointer=pointer)


def beta_not_found(beta_id: uuid.UUID) -> NotFound:
    return NotFound(
        f"Beta test {beta_id} was not found.",
        detail_ru=f"Бета-тест {beta_id} не найден.",
        code="RESOURCE_NOT_FOUND",
    )


def code_not_found(code_id: uuid.UUID) -> NotFound:
    return NotFound(
        f"Invite code {code_id} was not found.",
        detail_ru=f"Код приглашения {code_id} не найден.",
        code="RESOURCE_NOT_FOUND",
    )


def not_participant(beta_id: uuid.UUID) -> NotFound:
    """A closed test is not shown to players outside it: unknown and not joined alike."""
    return NotFound(
        f"You take part in no beta test {beta_id}.",
        detail_ru=f"Вы не участвуете в бета-тесте {beta_id}.",
        code="BETA_NOT_PARTICIPANT",
    )


def _ended() -> Exception:
    return _refusal("BETA_ENDED", "The beta test has ended.", "Бета-тест завершён.")


def _cancelled() -> Exception:
    return _refusal("BETA_CANCELLED", "The beta test was cancelled.", "Бета-тест отменён.")


def _state_conflict(current: BetaStatus, target: BetaStatus) -> Exception:
    return _refusal(
        "BETA_STATE_CONFLICT",
        f"A beta test in status '{current}' cannot become '{target}'.",
        f"Бета-тест в статусе «{current}» не может перейти в «{target}».",
    )


# --- the test -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BetaTest:
    id: uuid.UUID
    developer_id: uuid.UUID
    game_id: uuid.UUID
    version_id: uuid.UUID
    title: str
    description: str
    max_participants: int
    participant_count: int
    status: BetaStatus
    starts_at: datetime
    ends_at: datetime
    created_by_user_id: uuid.UUID
    created_at: datetime
    updated_at: datetime
    opened_at: datetime | None = None
    ended_at: datetime | None = None
    cancelled_at: datetime | None = None

    def status_at(self, now: datetime) -> BetaStatus:
        """The stored status, except that an open test is ended once its ``ends_at`` passed."""
        if self.status is BetaStatus.OPEN and now >= self.ends_at:
            return BetaStatus.ENDED
        return self.status

    def ended_at_(self, now: datetime) -> datetime | None:
        """When it ended: by the team, or at ``ends_at`` when the clock ended it."""
        if self.ended_at is None and self.status_at(now) is BetaStatus.ENDED:
            return self.ends_at
        return self.ended_at

    def require_changeable(self, now: datetime) -> BetaStatus:
        """Its status, if the team may still change it (its data, its codes)."""
        current = self.status_at(now)
        if current is BetaStatus.ENDED:
            raise _ended()
        if current is BetaStatus.CANCELLED:
            raise _cancelled()
        return current

    def require_running(self, now: datetime) -> None:
        """Open and started: players join, leave and give feedback."""
        current = self.status_at(now)
        if current is BetaStatus.ENDED:
            raise _ended()
        if current is not BetaStatus.OPEN:
            raise _refusal(
                "BETA_NOT_OPEN",
                "The beta test is not open.",
                "Бета-тест не открыт для участников.",
            )
        if now < self.starts_at:
            raise _refusal(
                "BETA_NOT_STARTED",
                f"The beta test starts at {self.starts_at.isoformat()}.",
                f"Бета-тест начнётся {self.starts_at.isoformat()}.",
            )


def _require_dates(starts_at: datetime, ends_at: datetime, rules: BetaRules, now: datetime) -> None:
    if ends_at <= starts_at:
        raise _refusal(
            "BETA_DATES_INVALID",
            "ends_at must be later than starts_at.",
            "ends_at должен быть позже starts_at.",
            "ends_at",
        )
    if ends_at <= now:
        raise _refusal(
            "BETA_END_IN_PAST", "ends_at must be in the future.", "ends_at уже прошёл.", "ends_at"
        )
    if ends_at - starts_at > rules.max_duration:
        days = rules.max_duration.days
        raise _refusal(
            "BETA_TOO_LONG",
            f"A beta test runs at most {days} days from its start.",
            f"Бета-тест длится не дольше {days} дней от начала.",
            "ends_at",
        )


def _require_cap(cap: int, participants: int, rules: BetaRules) -> None:
    if not 1 <= cap <= rules.max_participants:
        raise _refusal(
            "BETA_CAP_OUT_OF_RANGE",
            f"max_participants is 1 to {rules.max_participants}.",
            f"max_participants — от 1 до {rules.max_participants}.",
            "max_participants",
        )
    if cap < participants:
        raise _refusal(
            "BETA_CAP_BELOW_PARTICIPANTS",
            f"The test already has {participants} participants: the cap cannot be lower.",
            f"В тесте уже {participants} участников: лимит не может быть меньше.",
            "max_participants",
        )


def plan_beta_test(
    *,
    developer_id: uuid.UUID,
    game_id: uuid.UUID,
    version_id: uuid.UUID,
    version_state: str,
    title: str,
    description: str,
    max_participants: int | None,
    starts_at: datetime,
    ends_at: datetime,
    user_id: uuid.UUID,
    rules: BetaRules,
    now: datetime,
) -> BetaTest:
    """A new draft test of a version that has its builds verified (422 otherwise)."""
    if version_state not in TESTABLE_VERSION_STATES:
        raise _refusal(
            "BETA_VERSION_NOT_READY",
            f"The version is '{version_state}': a beta test needs one whose builds are verified "
            "(ready_for_review or later).",
            f"Версия в статусе «{version_state}»: для бета-теста нужна версия с проверенными "
            "билдами (ready_for_review или дальше).",
            "version_id",
        )
    cap = rules.max_participants if max_participants is None else max_participants
    _require_cap(cap, 0, rules)
    _require_dates(starts_at, ends_at, rules, now)
    return BetaTest(
        id=uuid.uuid4(),
        developer_id=developer_id,
        game_id=game_id,
        version_id=version_id,
        title=title,
        description=description,
        max_participants=cap,
        participant_count=0,
        status=BetaStatus.DRAFT,
        starts_at=starts_at,
        ends_at=ends_at,
        created_by_user_id=user_id,
        created_at=now,
        updated_at=now,
    )


@dataclass(frozen=True)
class BetaChanges:
    """A PATCH: None leaves a field as it is."""

    title: str | None = None
    description: str | None = None
    max_participants: int | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None


def change_beta_test(
    test: BetaTest, changes: BetaChanges, rules: BetaRules, now: datetime
) -> BetaTest:
    """The test changed: any field of a draft; an open test keeps its start (it may have
    begun), its cap never below its participants; an ended or cancelled test is final."""
    current = test.require_changeable(now)
    if changes.starts_at is not None and current is not BetaStatus.DRAFT:
        raise _refusal(
            "BETA_STARTS_AT_FIXED",
            "starts_at can be changed only while the test is a draft.",
            "starts_at меняется только у черновика бета-теста.",
            "starts_at",
        )
    starts_at = changes.starts_at or test.starts_at
    ends_at = changes.ends_at or test.ends_at
    if changes.starts_at is not None or changes.ends_at is not None:
        _require_dates(starts_at, ends_at, rules, now)
    cap = test.max_participants if changes.max_participants is None else changes.max_participants
    if changes.max_participants is not None:
        _require_cap(cap, test.participant_count, rules)
    return replace(
        test,
        title=test.title if changes.title is None else changes.title,
        description=test.description if changes.description is None else changes.description,
        max_participants=cap,
        starts_at=starts_at,
        ends_at=ends_at,
        updated_at=now,
    )


def _move(test: BetaTest, target: BetaStatus, now: datetime) -> BetaTest:
    current = test.status_at(now)
    if current is BetaStatus.ENDED:
        raise _ended()
    if not can_move(current, target):
        raise _state_conflict(current, target)
    return replace(test, status=target, updated_at=now)


def open_beta_test(test: BetaTest, now: datetime) -> BetaTest:
    """Players may join (from ``starts_at``). A draft whose end passed needs new dates first."""
    if test.status is BetaStatus.DRAFT and now >= test.ends_at:
        raise _refusal(
            "BETA_END_IN_PAST",
            "The test's ends_at has passed: set new dates before opening it.",
            "ends_at бета-теста уже прошёл: задайте новые даты, прежде чем открыть его.",
            "ends_at",
        )
    return replace(_move(test, BetaStatus.OPEN, now), opened_at=now)


def end_beta_test(test: BetaTest, now: datetime) -> BetaTest:
    return replace(_move(test, BetaStatus.ENDED, now), ended_at=now)


def cancel_beta_test(test: BetaTest, now: datetime) -> BetaTest:
    return replace(_move(test, BetaStatus.CANCELLED, now), cancelled_at=now)


# --- invite codes -----------------------------------------------------------------------------


class CodeStatus(StrEnum):
    ACTIVE = "active"
    USED_UP = "used_up"
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True)
class InviteCode:
    """A code players join with. Not a secret from the team: they share it, so it is stored
    and shown to every member; only the test's players' own joins use it up."""

    id: uuid.UUID
    beta_test_id: uuid.UUID
    code: str
    max_uses: int | None
    uses: int
    expires_at: datetime | None
    created_by_user_id: uuid.UUID
    created_at: datetime
    revoked_at: datetime | None = None

    def status_at(self, now: datetime) -> CodeStatus:
        if self.revoked_at is not None:
            return CodeStatus.REVOKED
        if self.expires_at is not None and now >= self.expires_at:
            return CodeStatus.EXPIRED
        if self.max_uses is not None and self.uses >= self.max_uses:
            return CodeStatus.USED_UP
        return CodeStatus.ACTIVE

    def revoked(self, now: datetime) -> InviteCode:
        """Revoking twice keeps the first time."""
        return self if self.revoked_at is not None else replace(self, revoked_at=now)

    def require_admits(self, now: datetime) -> None:
        status = self.status_at(now)
        if status is CodeStatus.REVOKED:
            raise invalid_code()
        if status is CodeStatus.EXPIRED:
            raise _refusal(
                "BETA_CODE_EXPIRED",
                "The invite code has expired.",
                "Срок действия кода приглашения истёк.",
                "code",
            )
        if status is CodeStatus.USED_UP:
            raise _refusal(
                "BETA_CODE_USED_UP",
                "The invite code has been used as many times as it allows.",
                "Код приглашения уже использован максимальное число раз.",
                "code",
            )


def invalid_code() -> Exception:
    """Unknown and revoked codes alike (a guesser learns nothing)."""
    return _refusal(
        "BETA_CODE_INVALID",
        "The invite code is not valid.",
        "Код приглашения недействителен.",
        "code",
    )


def normalized_code(text: str) -> str:
    return text.strip()


def issue_code(
    test: BetaTest,
    active_codes: int,
    max_uses: int | None,
    expires_at: datetime | None,
    user_id: uuid.UUID,
    rules: BetaRules,
    now: datetime,
) -> InviteCode:
    test.require_changeable(now)
    if active_codes >= rules.max_active_codes:
        raise _refusal(
            "BETA_CODE_LIMIT_REACHED",
            f"The test already has {active_codes} active invite codes, the most allowed.",
            f"У бета-теста уже {active_codes} действующих кодов приглашения — это предел.",
        )
    if max_uses is not None and max_uses < 1:
        raise ValidationFailed(
            "max_uses is at least 1.",
            detail_ru="max_uses — не меньше 1.",
            pointer=f"{_ATTRIBUTES}/max_uses",
        )
    if expires_at is not None and expires_at <= now:
        raise _refusal(
            "BETA_CODE_EXPIRY_IN_PAST",
            "expires_at must be in the future.",
            "expires_at уже прошёл.",
            "expires_at",
        )
    return InviteCode(
        id=uuid.uuid4(),
        beta_test_id=test.id,
        code=secrets.token_urlsafe(CODE_BYTES),
        max_uses=max_uses,
        uses=0,
        expires_at=expires_at,
        created_by_user_id=user_id,
        created_at=now,
    )


# --- participants -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Participation:
    beta_test_id: uuid.UUID
    user_id: uuid.UUID
    code_id: uuid.UUID
    joined_at: datetime
    left_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.left_at is None


@dataclass(frozen=True)
class Admission:
    """What a join changes: the test's count, the code's uses, the participation. ``new`` is
    False when the player was in already (nothing changed)."""

    test: BetaTest
    code: InviteCode
    participation: Participation
    new: bool


def admit(
    test: BetaTest,
    code: InviteCode,
    existing: Participation | None,
    user_id: uuid.UUID,
    now: datetime,
) -> Admission:
    """A player joins with a code: the test open and started, the code valid, a place left
    (422 ``BETA_FULL``). Joining again while in changes nothing; after leaving, it is a new
    join (a code use and a place)."""
    if code.beta_test_id != test.id:
        raise invalid_code()
    test.require_running(now)
    if existing is not None and existing.active:
        return Admission(test, code, existing, new=False)
    code.require_admits(now)
    if test.participant_count >= test.max_participants:
        raise _refusal(
            "BETA_FULL",
            f"The beta test has its {test.max_participants} participants.",
            f"В бета-тесте уже максимальное число участников ({test.max_participants}).",
        )
    return Admission(
        test=replace(test, participant_count=test.participant_count + 1),
        code=replace(code, uses=code.uses + 1),
        participation=Participation(test.id, user_id, code.id, now),
        new=True,
    )


def leave(
    test: BetaTest, participation: Participation | None, now: datetime
) -> tuple[BetaTest, Participation]:
    """The player's place is freed (while the test runs; after its end it is history)."""
    if participation is None or not participation.active:
        raise not_participant(test.id)
    test.require_running(now)
    return (
        replace(test, participant_count=test.participant_count - 1),
        replace(participation, left_at=now),
    )


# --- feedback -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Feedback:
    beta_test_id: uuid.UUID
    user_id: uuid.UUID
    rating: int
    text: str
    created_at: datetime
    updated_at: datetime


def give_feedback(
    test: BetaTest,
    participation: Participation | None,
    previous: Feedback | None,
    rating: int,
    text: str,
    now: datetime,
) -> Feedback:
    """One feedback per participant, replaced while the test is open."""
    if participation is None or not participation.active:
        raise not_participant(test.id)
    test.require_running(now)
    if not MIN_RATING <= rating <= MAX_RATING:
        raise ValidationFailed(
            f"rating is {MIN_RATING} to {MAX_RATING}.",
            detail_ru=f"rating — от {MIN_RATING} до {MAX_RATING}.",
            pointer=f"{_ATTRIBUTES}/rating",
        )
    created_at = previous.created_at if previous is not None else now
    return Feedback(test.id, participation.user_id, rating, text, created_at, now)


@dataclass(frozen=True)
class RatingSummary:
    """Ratings counted and summed (integers): the average is exact, in hundredths."""

    count: int
    total: int

    @property
    def average_hundredths(self) -> int | None:
        """The mean rating × 100, rounded half up (4.335 → 434); None without ratings."""
        if self.count == 0:
            return None
        return (self.total * 200 + self.count) // (2 * self.count)

    @property
    def average(self) -> str | None:
        """The mean as a decimal text with two places ("4.33")."""
        hundredths = self.average_hundredths
        if hundredths is None:
            return None
        return f"{hundredths // 100}.{hundredths % 100:02d}"


# --- pages ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Position:
    """Where a page of participants or feedback continues: after the row of ``user_id`` at
    ``at`` (keyset order: stable while rows are added)."""

    at: datetime
    user_id: uuid.UUID

    def cursor(self) -> str:
        raw = json.dumps([self.at.isoformat(), str(self.user_id)]).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def of_cursor(cls, cursor: str) -> Position:
        """The position a previous page's cursor names, or 400 ``INVALID_PAGE_CURSOR``."""
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            moment, user_id = json.loads(raw)
            position: Position | None = cls(datetime.fromisoformat(moment), uuid.UUID(user_id))
        except (binascii.Error, ValueError, TypeError):
            position = None
        if position is None or position.at.tzinfo is None:
            raise ValidationFailed(
                "page[cursor] is not a cursor of this list; start from the first page.",
                detail_ru="page[cursor] — не курсор этого списка: начните с первой страницы.",
                code="INVALID_PAGE_CURSOR",
                parameter="page[cursor]",
            )
        return position
