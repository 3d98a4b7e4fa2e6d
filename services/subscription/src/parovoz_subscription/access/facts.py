"""What access knows about games and users (its read models), as plain values.

Games come from developer-portal (``developer.events.v1``, else its gRPC ``GetGame``), users
from the (external) user service. Plain Python: no framework, no driver.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

#: The Russian age rating scale (436-FZ), lowest first.
AGE_RATINGS: tuple[str, ...] = ("0+", "6+", "12+", "16+", "18+")

#: Where a game's row came from: its events, or developer-portal's GetGame (a miss).
GameSource = Literal["event", "grpc"]


def minimum_age(age_rating: str | None) -> int:
    """The age a rating asks for ("16+" -> 16); an unrated game asks for none (0)."""
    if age_rating is None:
        return 0
    if age_rating not in AGE_RATINGS:
        raise ValueError(f"unknown age rating {age_rating!r}")
    return int(age_rating.removesuffix("+"))


def age_on(birth_date: date, day: date) -> int:
    """Full years of someone born on ``birth_date`` on ``day`` (born 29 February: a year
    older on 1 March of a common year)."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


@dataclass(frozen=True)
class GameFacts:
    """A game (or DLC / software product) as access reads it.

    ``regions`` empty means the developer named no region: developer-portal lets a game be
    published without them (its publication needs a build, metadata, screenshots and a price,
    not regions), so an empty list restricts nothing, while a non-empty one is the whole list
    of regions where the game may be sold and played.
    """

    game_id: uuid.UUID
    developer_id: uuid.UUID | None
    product_type: str | None  # game | dlc | software; None until known
    parent_game_id: uuid.UUID | None
    age_rating: str | None  # "0+" .. "18+"; None until the developer rates it
    regions: tuple[str, ...]
    release_date: date | None
    published: bool
    #: Event time of the metadata held (age rating, regions, release date), if any.
    metadata_at: datetime | None
    #: Event time of the publication state held (``published``), if any.
    listing_at: datetime | None
    source: GameSource
    updated_at: datetime

    @property
    def minimum_age(self) -> int:
        return minimum_age(self.age_rating)

    def available_in(self, region: str) -> bool:
        """May the game be played in ``region`` (empty ``regions``: everywhere)?"""
        return not self.regions or region.upper() in self.regions

    def suits_age(self, age: int) -> bool:
        return age >= self.minimum_age

    def released_within(self, days: int, today: date) -> bool:
        """Released on or before ``today`` and no more than ``days`` days ago (a "new
        release" of a plan's catalog)."""
        if self.release_date is None or self.release_date > today:
            return False
        return today - self.release_date <= timedelta(days=days)


@dataclass(frozen=True)
class UserProfile:
    """A user's profile as the user service answers it."""

    user_id: uuid.UUID
    region: str
    birth_date: date
    blocked: bool


@dataclass(frozen=True)
class UserFacts:
    """A user as access reads it: the profile and when it was fetched.

    ``stale`` is True when the user service could not be asked and the last known (expired)
    profile answers instead.
    """

    user_id: uuid.UUID
    region: str
    birth_date: date
    blocked: bool
    fetched_at: datetime
    stale: bool = False

    def age_on(self, day: date) -> int:
        return age_on(self.birth_date, day)

    def fresh_at(self, now: datetime, fresh_for: timedelta) -> bool:
        return now - self.fetched_at < fresh_for


@dataclass(frozen=True)
class ReadModelRules:
    """The read models' configurable numbers (built by ``SubscriptionSettings``)."""

    #: A cached user profile answers without asking the user service for this long.
    user_profile_ttl: timedelta
    user_service_timeout_seconds: float
