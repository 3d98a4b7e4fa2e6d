"""A closed beta test and its machine: ``draft`` → ``open`` → ``ended``, or ``cancelled`` from
either (422 ``BETA_STATE_CONFLICT`` otherwise); an open test whose ``ends_at`` passed *is* ended
(:meth:`BetaTest.status_at` reads it from the clock; no job needs to run). Its dates and its
participant cap; the errors the whole context answers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from parovoz_kit.errors import BusinessRuleViolation, NotFound

from parovoz_developer_portal.beta.rules import BetaRules

#: Version states that have every build verified: ready for review, or any state after it.
TESTABLE_VERSION_STATES = frozenset(
    {"ready_for_review", "in_review", "approved", "rejected", "live", "deprecated"}
)
ATTRIBUTES = "/data/attributes"


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


def refusal(code: str, english: str, russian: str, field: str | None = None) -> Exception:
    """A 422 of the context, pointing at ``field`` of the request's attributes."""
    pointer = f"{ATTRIBUTES}/{field}" if field else None
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


def ended() -> Exception:
    return refusal("BETA_ENDED", "The beta test has ended.", "Бета-тест завершён.")


def cancelled() -> Exception:
    return refusal("BETA_CANCELLED", "The beta test was cancelled.", "Бета-тест отменён.")


def _state_conflict(current: BetaStatus, target: BetaStatus) -> Exception:
    return refusal(
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
            raise ended()
        if current is BetaStatus.CANCELLED:
            raise cancelled()
        return current

    def require_running(self, now: datetime) -> None:
        """Open and started: players join, leave and give feedback."""
        current = self.status_at(now)
        if current is BetaStatus.ENDED:
            raise ended()
        if current is not BetaStatus.OPEN:
            raise refusal(
                "BETA_NOT_OPEN",
                "The beta test is not open.",
                "Бета-тест не открыт для участников.",
            )
        if now < self.starts_at:
            raise refusal(
                "BETA_NOT_STARTED",
                f"The beta test starts at {self.starts_at.isoformat()}.",
                f"Бета-тест начнётся {self.starts_at.isoformat()}.",
            )


def _require_dates(starts_at: datetime, ends_at: datetime, rules: BetaRules, now: datetime) -> None:
    if ends_at <= starts_at:
        raise refusal(
            "BETA_DATES_INVALID",
            "ends_at must be later than starts_at.",
            "ends_at должен быть позже starts_at.",
            "ends_at",
        )
    if ends_at <= now:
        raise refusal(
            "BETA_END_IN_PAST", "ends_at must be in the future.", "ends_at уже прошёл.", "ends_at"
        )
    if ends_at - starts_at > rules.max_duration:
        days = rules.max_duration.days
        raise refusal(
            "BETA_TOO_LONG",
            f"A beta test runs at most {days} days from its start.",
            f"Бета-тест длится не дольше {days} дней от начала.",
            "ends_at",
        )


def _require_cap(cap: int, participants: int, rules: BetaRules) -> None:
    if not 1 <= cap <= rules.max_participants:
        raise refusal(
            "BETA_CAP_OUT_OF_RANGE",
            f"max_participants is 1 to {rules.max_participants}.",
            f"max_participants — от 1 до {rules.max_participants}.",
            "max_participants",
        )
    if cap < participants:
        raise refusal(
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
        raise refusal(
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
        raise refusal(
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
        raise ended()
    if not can_move(current, target):
        raise _state_conflict(current, target)
    return replace(test, status=target, updated_at=now)


def open_beta_test(test: BetaTest, now: datetime) -> BetaTest:
    """Players may join (from ``starts_at``). A draft whose end passed needs new dates first."""
    if test.status is BetaStatus.DRAFT and now >= test.ends_at:
        raise refusal(
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
