"""Players in a test: joins under the cap (a code use and a place each), leaves, one feedback
per participant, and the exact average rating."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from parovoz_kit.errors import ValidationFailed

from parovoz_developer_portal.beta.domain.beta_test import (
    ATTRIBUTES,
    BetaTest,
    not_participant,
    refusal,
)
from parovoz_developer_portal.beta.domain.codes import InviteCode, invalid_code

MIN_RATING, MAX_RATING = 1, 5


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
        raise refusal(
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
            pointer=f"{ATTRIBUTES}/rating",
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
