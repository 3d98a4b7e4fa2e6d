"""Use cases of access's read models: what is known about a game and about a user.

``game_facts``: the games read model (fed by developer-portal's events), else developer-portal's
``GetGame`` for a game no event has brought yet, stored so the next check reads the table.
``user_facts``: the cached profile while fresh (TTL), else the user service, stored; the user
service down answers the last known profile (marked ``stale``), or 503
``USER_SERVICE_UNAVAILABLE`` when none is known.

Both may write (a first-seen game, a fetched profile): the caller commits its unit of work.
A change that alters what access answers names the game or user with ``uow.access_changed``.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from parovoz_kit.errors import Unavailable

from parovoz_subscription.access.facts import GameFacts, UserFacts, UserProfile

log = logging.getLogger(__name__)

__all__ = [
    "GameDirectory",
    "GameFacts",
    "UserFacts",
    "UserProfile",
    "UserProfiles",
    "game_facts",
    "user_facts",
]


class UserProfiles(Protocol):
    """The user service: a user's profile, None when it knows no such user; raises
    ``Unavailable`` when it cannot be asked."""

    @property
    def fresh_for(self) -> timedelta:
        """How long a fetched profile is used without asking again."""
        ...

    async def profile(self, user_id: uuid.UUID) -> UserProfile | None: ...


class GameDirectory(Protocol):
    """developer-portal: a game's facts as of now, None when it has no such game; raises
    ``Unavailable`` when it cannot be asked."""

    async def game(self, game_id: uuid.UUID) -> GameFacts | None: ...


def _now(uow: Any) -> datetime:
    clock = getattr(uow, "clock", None) or uow._clock  # the unit of work's (tests move it)
    now: datetime = clock.now()
    return now


async def game_facts(
    uow: Any,
    game_id: uuid.UUID,
    games: GameDirectory | None = None,
) -> GameFacts | None:
    """The game as access knows it; None when neither the read model nor developer-portal
    (when ``games`` is given) knows it. developer-portal down for a game the read model has
    never heard of: 503 ``DEVELOPER_PORTAL_UNAVAILABLE``."""
    held: GameFacts | None = await uow.read_models.game(game_id)
    if held is not None or games is None:
        return held
    try:
        found = await games.game(game_id)
    except Unavailable:
        raise Unavailable(
            "developer-portal cannot be asked about this game now; try again later.",
            code="DEVELOPER_PORTAL_UNAVAILABLE",
        ) from None
    if found is None:
        return None
    stored: GameFacts = await uow.read_models.remember_game(found)
    uow.access_changed(games=[game_id])
    return stored


async def user_facts(
    uow: Any,
    profiles: UserProfiles,
    user_id: uuid.UUID,
    *,
    now: datetime | None = None,
) -> UserFacts | None:
    """The user's region, birth date and blocked flag; None when the user service knows no
    such user. ``now`` defaults to the unit of work's clock."""
    now = now or _now(uow)
    held: UserFacts | None = await uow.read_models.user(user_id)
    if held is not None and held.fresh_at(now, profiles.fresh_for):
        return held
    try:
        profile = await profiles.profile(user_id)
    except Unavailable:
        if held is not None:
            log.warning(
                "user service unavailable: answering from the expired cached profile",
                extra={"user_id": str(user_id), "fetched_at": held.fetched_at.isoformat()},
            )
            return replace(held, stale=True)
        raise Unavailable(
            "The user service is unavailable and nothing is known about this user yet; "
            "try again later.",
            code="USER_SERVICE_UNAVAILABLE",
        ) from None
    if profile is None:
        if held is not None and await uow.read_models.forget_user(user_id):
            uow.access_changed(users=[user_id])
        return None
    facts = UserFacts(
        user_id=user_id,
        region=profile.region,
        birth_date=profile.birth_date,
        blocked=profile.blocked,
        fetched_at=now,
    )
    if await uow.read_models.remember_user(facts):
        uow.access_changed(users=[user_id])
    return facts
