"""Use cases of access: the decision (CheckAccess, the hot path) and the user's devices.

The decision reads its inputs from the cache when it holds them all (one Redis round trip, no
database, no unit of work) and from PostgreSQL otherwise, then stores what it read. A device
seen for the first time is registered in PostgreSQL under the user's lock (never from the
cache), and the user's entry is forgotten after that commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Hashable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from parovoz_kit.errors import NotFound, ValidationFailed

from parovoz_subscription.access.domain import (
    DEVICE_ID_LIMIT,
    AccessDecision,
    Device,
    Devices,
    GameTerms,
    HeldEntitlement,
    PlanTerms,
    UserTerms,
    admit_device,
    decide_access,
)
from parovoz_subscription.access.facts import GameFacts, UserFacts, minimum_age
from parovoz_subscription.access.read_models_service import (
    GameDirectory,
    UserProfiles,
    game_facts,
    user_facts,
)
from parovoz_subscription.access.rules import AccessRules
from parovoz_subscription.plans import service as plans
from parovoz_subscription.ports import UnitOfWorkPort
from parovoz_subscription.subscriptions.domain import GRANTS_ACCESS, SubscriptionStatus


# --- what the cache holds -------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class UserEntry:
    """A user's inputs of a decision, whatever the game."""

    held: tuple[HeldEntitlement, ...]
    terms: UserTerms
    devices: frozenset[str]
    #: The plans whose terms a decision needs (those of subscriptions in a granting state).
    plan_ids: tuple[uuid.UUID, ...]


@dataclass(slots=True)
class CacheLookup:
    """What the cache answered for a user and a game, with the generations to store under."""

    user_generation: Any
    game_generation: Any
    plan_generations: dict[uuid.UUID, Any] = field(default_factory=dict)
    user: UserEntry | None = None
    #: The game's entry is there (``game`` None then means: no such game).
    game_cached: bool = False
    game: GameTerms | None = None
    #: The terms of every plan of ``user.plan_ids`` for the game; None unless all are there.
    plans: dict[uuid.UUID, PlanTerms] | None = None

    @property
    def hit(self) -> bool:
        return self.user is not None and self.game_cached and self.plans is not None


class AccessCachePort(Protocol):
    epoch: int

    def recall(self, key: Hashable, now: datetime) -> object | None: ...

    def remember(
        self, key: Hashable, answer: object, valid_until: datetime, epoch: int
    ) -> None: ...

    async def lookup(
        self, user_id: uuid.UUID, game_id: uuid.UUID, rules: AccessRules
    ) -> CacheLookup | None: ...

    async def stamp_plans(
        self, lookup: CacheLookup, plan_ids: Collection[uuid.UUID], rules: AccessRules
    ) -> None: ...

    async def store(
        self,
        lookup: CacheLookup,
        user_id: uuid.UUID,
        game_id: uuid.UUID,
        *,
        user: UserEntry | None,
        game: GameTerms | None,
        plans: Mapping[uuid.UUID, PlanTerms],
        rules: AccessRules,
    ) -> None: ...


@dataclass(frozen=True)
class AccessPorts:
    """What a decision needs besides the unit of work (built once per process)."""

    cache: AccessCachePort
    profiles: UserProfiles
    games: GameDirectory | None
    rules: AccessRules
    age_zone: ZoneInfo


class AccessUnitOfWork(UnitOfWorkPort, Protocol):
    """What access needs of subscription's unit of work (``SqlSubscriptionUnitOfWork``)."""

    access: Any
    subscriptions: Any
    plans: Any
    read_models: Any


OpenUnitOfWork = Callable[[], AbstractAsyncContextManager[AccessUnitOfWork]]


# --- validation -----------------------------------------------------------------------------------
def check_device_id(device_id: str, *, parameter: str = "device_id") -> str:
    if not device_id or len(device_id) > DEVICE_ID_LIMIT or "\x00" in device_id:
        raise ValidationFailed(
            f"{parameter}: 1 to {DEVICE_ID_LIMIT} characters, no NUL character.",
            parameter=parameter,
            detail_ru=f"{parameter}: от 1 до {DEVICE_ID_LIMIT} символов, без символа NUL.",
        )
    return device_id


def check_region(region: str | None, *, parameter: str = "region") -> str | None:
    if not region:
        return None
    if len(region) != 2 or not ("A" <= region[0] <= "Z" and "A" <= region[1] <= "Z"):
        raise ValidationFailed(
            f"{parameter}: an ISO 3166-1 alpha-2 code in capitals (RU), or empty.",
            parameter=parameter,
            detail_ru=f"{parameter}: код ISO 3166-1 alpha-2 заглавными буквами (RU) или пусто.",
        )
    return region


def game_not_found(game_id: uuid.UUID) -> NotFound:
    return NotFound(
        f"Game {game_id} was not found.",
        code="GAME_NOT_FOUND",
        detail_ru=f"Игра {game_id} не найдена.",
    )


def device_not_found(device_id: str) -> NotFound:
    return NotFound(
        f"You have no registered device {device_id!r}.",
        code="DEVICE_NOT_FOUND",
        detail_ru=f"У вас нет зарегистрированного устройства «{device_id}».",
    )


# --- the decision ---------------------------------------------------------------------------------
def _from_cache(
    found: CacheLookup,
    ports: AccessPorts,
    game_id: uuid.UUID,
    device_id: str,
    region: str | None,
    now: datetime,
) -> AccessDecision:
    user, game, terms = found.user, found.game, found.plans
    assert user is not None and terms is not None
    if game is None:
        raise game_not_found(game_id)
    return decide_access(
        held=user.held,
        plans=terms,
        game=game,
        user=user.terms,
        region=region or user.terms.region,
        devices=Devices(known=device_id in user.devices, used=len(user.devices)),
        default_device_limit=ports.rules.default_device_limit,
        age_zone=ports.age_zone,
        now=now,
    )


def answer_valid_until(decision: AccessDecision, now: datetime, rules: AccessRules) -> datetime:
    """Until when a whole answer may be given again from the process's memory: the rules'
    local time, never past the access it grants (a denial turning into a grant at a known
    instant, a birthday or a release, waits at most that long)."""
    until = now + timedelta(seconds=rules.cache_local_seconds)
    if decision.access_until is not None and decision.access_until < until:
        return decision.access_until
    return until


async def check_access(
    open_uow: OpenUnitOfWork,
    ports: AccessPorts,
    user_id: uuid.UUID,
    game_id: uuid.UUID,
    device_id: str,
    region: str | None,
    now: datetime,
) -> AccessDecision:
    """CheckAccess: from the cache alone when it holds everything and the device is known;
    a unit of work is opened only for a miss or a new device."""
    found = await ports.cache.lookup(user_id, game_id, ports.rules)
    if found is not None and found.game_cached and found.game is None:
        raise game_not_found(game_id)
    if found is not None and found.hit:
        decision = _from_cache(found, ports, game_id, device_id, region, now)
        if not decision.registers_device:
            return decision
        async with open_uow() as uow:
            return await _register(uow, user_id, device_id, decision, now)
    async with open_uow() as uow:
        return await _from_database(uow, ports, found, user_id, game_id, device_id, region, now)


async def decide(
    uow: AccessUnitOfWork,
    ports: AccessPorts,
    user_id: uuid.UUID,
    game_id: uuid.UUID,
    device_id: str,
    region: str | None,
    now: datetime,
) -> AccessDecision:
    """The access decision inside the caller's unit of work (a device registration or a
    fetched profile is committed in it)."""
    found = await ports.cache.lookup(user_id, game_id, ports.rules)
    if found is not None and found.game_cached and found.game is None:
        raise game_not_found(game_id)
    if found is not None and found.hit:
        decision = _from_cache(found, ports, game_id, device_id, region, now)
        if decision.registers_device:
            return await _register(uow, user_id, device_id, decision, now)
        return decision
    return await _from_database(uow, ports, found, user_id, game_id, device_id, region, now)


async def _register(
    uow: AccessUnitOfWork,
    user_id: uuid.UUID,
    device_id: str,
    decision: AccessDecision,
    now: datetime,
) -> AccessDecision:
    """Register the decision's new device under the user's lock, counting again."""
    await uow.access.lock_user(user_id)
    admitted = admit_device(decision, await uow.access.device_state(user_id, device_id))
    if admitted.registers_device:
        await uow.access.register(user_id, device_id, now)
        uow.access_changed(users=[user_id])
    await uow.commit()
    return admitted


def _game_terms(game: GameFacts) -> GameTerms:
    return GameTerms(game.published, frozenset(game.regions), minimum_age(game.age_rating))


def _user_terms(user: UserFacts | None) -> UserTerms:
    if user is None:
        return UserTerms(None, None)
    return UserTerms(user.region, user.birth_date)


async def _plan_terms(
    uow: Any,
    plan_id: uuid.UUID,
    game_id: uuid.UUID,
    release_date: date | None,
    now: datetime,
) -> PlanTerms | None:
    try:
        plan = await plans.get_plan(uow, plan_id)
        answer = await plans.catalog_answer(uow, plan_id, game_id, release_date, now)
    except NotFound:
        return None
    return PlanTerms(
        plan_id,
        answer.included,
        answer.until,
        frozenset(plan.available_regions),
        plan.max_devices,
    )


async def _from_database(
    uow: AccessUnitOfWork,
    ports: AccessPorts,
    found: CacheLookup | None,
    user_id: uuid.UUID,
    game_id: uuid.UUID,
    device_id: str,
    region: str | None,
    now: datetime,
) -> AccessDecision:
    rules = ports.rules
    game_row = await game_facts(uow, game_id, ports.games)
    game = _game_terms(game_row) if game_row is not None else None
    if game is None or game_row is None:
        await uow.commit()
        if found is not None:
            await ports.cache.store(
                found,
                user_id,
                game_id,
                user=None,
                game=None,
                plans={},
                rules=rules,
            )
        raise game_not_found(game_id)
    profile = await user_facts(uow, ports.profiles, user_id, now=now)
    live = await uow.subscriptions.live_of_user(user_id)
    ended = await uow.subscriptions.of_user(user_id, statuses=[SubscriptionStatus.EXPIRED], limit=1)
    held = tuple(HeldEntitlement.of(subscription) for subscription in (*live, *ended))
    plan_ids = tuple(dict.fromkeys(h.plan_id for h in held if h.status in GRANTS_ACCESS))
    if found is not None:
        await ports.cache.stamp_plans(found, plan_ids, rules)
    terms: dict[uuid.UUID, PlanTerms] = {}
    for plan_id in plan_ids:
        plan_terms = await _plan_terms(uow, plan_id, game_id, game_row.release_date, now)
        if plan_terms is not None:
            terms[plan_id] = plan_terms
    registered = frozenset(await uow.access.registered_ids(user_id))
    user = UserEntry(held, _user_terms(profile), registered, plan_ids)
    decision = decide_access(
        held=held,
        plans=terms,
        game=game,
        user=user.terms,
        region=region or user.terms.region,
        devices=Devices(known=device_id in registered, used=len(registered)),
        default_device_limit=rules.default_device_limit,
        age_zone=ports.age_zone,
        now=now,
    )
    if found is not None:
        await ports.cache.store(
            found,
            user_id,
            game_id,
            # A plan that vanished leaves the user's entry incomplete: not stored.
            user=user if len(terms) == len(plan_ids) else None,
            game=game,
            plans=terms,
            rules=rules,
        )
    if decision.registers_device:
        return await _register(uow, user_id, device_id, decision, now)
    if device_id in registered:
        await uow.access.seen(user_id, device_id, now)
    await uow.commit()
    return decision


# --- devices --------------------------------------------------------------------------------------
async def my_devices(uow: AccessUnitOfWork, user_id: uuid.UUID) -> list[Device]:
    devices: list[Device] = await uow.access.devices_of(user_id)
    return devices


async def remove_device(
    uow: AccessUnitOfWork, user_id: uuid.UUID, device_id: str, now: datetime
) -> None:
    """Free the device's slot (404 ``DEVICE_NOT_FOUND`` for one the user has not registered)."""
    if not await uow.access.remove(user_id, device_id, now):
        raise device_not_found(device_id)
    uow.access_changed(users=[user_id])
    await uow.commit()
