"""access/service.py's hot path with in-memory fakes: a hit opens no unit of work, a new device
is registered under the user's lock (counting again), an unknown game is answered from the
cache, and a remembered answer never outlives its access."""

from __future__ import annotations

import uuid
from collections.abc import Hashable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from parovoz_kit.errors import NotFound, ValidationFailed
from parovoz_subscription.access import service as access
from parovoz_subscription.access.domain import (
    AccessReason,
    Devices,
    GameTerms,
    HeldEntitlement,
    PlanTerms,
    UserTerms,
)
from parovoz_subscription.access.rules import AccessRules
from parovoz_subscription.access.service import AccessPorts, CacheLookup, UserEntry
from parovoz_subscription.subscriptions.domain import PlanType, SubscriptionStatus

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
RULES = AccessRules(
    default_device_limit=3,
    cache_ttl_seconds=300,
    cache_timeout_seconds=0.25,
    cache_retry_after_seconds=1.0,
    cache_local_seconds=1.0,
    age_time_zone="Europe/Moscow",
)


class FakeCache:
    def __init__(self, found: CacheLookup | None) -> None:
        self.found = found
        self.epoch = 0
        self.stored: list[Any] = []

    async def lookup(self, user_id: Any, game_id: Any, rules: Any) -> CacheLookup | None:
        return self.found

    async def stamp_plans(self, lookup: Any, plan_ids: Any, rules: Any) -> None:
        return None

    async def store(self, *args: Any, **kwargs: Any) -> None:
        self.stored.append((args, kwargs))

    def recall(self, key: Hashable, now: datetime) -> object | None:
        return None

    def remember(self, key: Hashable, answer: object, valid_until: datetime, epoch: int) -> None:
        return None


class FakeDevices:
    def __init__(self, registered: set[str]) -> None:
        self.registered = registered
        self.locked: list[uuid.UUID] = []

    async def lock_user(self, user_id: uuid.UUID) -> None:
        self.locked.append(user_id)

    async def device_state(self, user_id: uuid.UUID, device_id: str) -> Devices:
        return Devices(known=device_id in self.registered, used=len(self.registered))

    async def register(self, user_id: uuid.UUID, device_id: str, now: datetime) -> None:
        self.registered.add(device_id)


class FakeUnitOfWork:
    def __init__(self, devices: FakeDevices) -> None:
        self.access = devices
        self.subscriptions: Any = None
        self.plans: Any = None
        self.read_models: Any = None
        self.changed: list[uuid.UUID] = []
        self.committed = 0

    async def __aenter__(self) -> FakeUnitOfWork:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    def access_changed(self, *, users: Any = (), plans: Any = (), games: Any = ()) -> None:
        self.changed.extend(users)

    async def commit(self) -> None:
        self.committed += 1


def hit(devices: frozenset[str], *, game: GameTerms | None = None) -> CacheLookup:
    plan_id = uuid.uuid4()
    held = HeldEntitlement(
        uuid.uuid4(), plan_id, PlanType.PREMIUM, SubscriptionStatus.ACTIVE, NOW + timedelta(days=9)
    )
    return CacheLookup(
        user_generation=b"1",
        game_generation=b"1",
        user=UserEntry((held,), UserTerms("RU", date(1990, 1, 1)), devices, (plan_id,)),
        game_cached=True,
        game=game or GameTerms(True, frozenset({"RU"}), 12),
        plans={plan_id: PlanTerms(plan_id, True, None, frozenset({"RU"}), 2)},
    )


def ports(cache: FakeCache) -> AccessPorts:
    return AccessPorts(
        cache=cache,
        profiles=None,  # type: ignore[arg-type]
        games=None,
        rules=RULES,
        age_zone=ZoneInfo("Europe/Moscow"),
    )


def no_unit_of_work() -> Any:
    raise AssertionError("a hit must not open a unit of work")


async def test_a_hit_on_a_known_device_opens_no_unit_of_work() -> None:
    found = hit(frozenset({"pc"}))
    decision = await access.check_access(
        no_unit_of_work, ports(FakeCache(found)), uuid.uuid4(), uuid.uuid4(), "pc", None, NOW
    )
    assert decision.allowed and decision.access_until == NOW + timedelta(days=9)
    assert (decision.devices_used, decision.device_limit) == (1, 2)


async def test_a_new_device_is_registered_under_the_lock_and_forgets_the_user() -> None:
    user_id = uuid.uuid4()
    devices = FakeDevices({"pc"})
    uow = FakeUnitOfWork(devices)
    decision = await access.check_access(
        lambda: uow,  # type: ignore[arg-type,return-value]
        ports(FakeCache(hit(frozenset({"pc"})))),
        user_id,
        uuid.uuid4(),
        "tv",
        None,
        NOW,
    )
    assert decision.allowed and decision.devices_used == 2
    assert devices.locked == [user_id] and devices.registered == {"pc", "tv"}
    assert uow.changed == [user_id] and uow.committed == 1


async def test_a_slot_taken_meanwhile_refuses_the_new_device() -> None:
    """The cache saw one device; under the lock the database counts two (the limit)."""
    devices = FakeDevices({"pc", "laptop"})
    uow = FakeUnitOfWork(devices)
    decision = await access.check_access(
        lambda: uow,  # type: ignore[arg-type,return-value]
        ports(FakeCache(hit(frozenset({"pc"})))),
        uuid.uuid4(),
        uuid.uuid4(),
        "tv",
        None,
        NOW,
    )
    assert not decision.allowed and decision.reason is AccessReason.DEVICE_LIMIT_EXCEEDED
    assert devices.registered == {"pc", "laptop"} and uow.changed == []


async def test_an_unknown_game_in_the_cache_is_404_without_the_database() -> None:
    found = CacheLookup(user_generation=b"0", game_generation=b"3", game_cached=True, game=None)
    with pytest.raises(NotFound) as caught:
        await access.check_access(
            no_unit_of_work, ports(FakeCache(found)), uuid.uuid4(), uuid.uuid4(), "pc", None, NOW
        )
    assert caught.value.code == "GAME_NOT_FOUND"


@pytest.mark.parametrize(
    ("device_id", "ok"),
    [("pc", True), ("x" * 128, True), ("", False), ("x" * 129, False), ("a\x00b", False)],
)
def test_device_ids(device_id: str, ok: bool) -> None:
    if ok:
        assert access.check_device_id(device_id) == device_id
    else:
        with pytest.raises(ValidationFailed, match="device_id"):
            access.check_device_id(device_id)


@pytest.mark.parametrize(
    ("region", "ok"), [("RU", True), ("", True), ("ru", False), ("RUS", False)]
)
def test_regions(region: str, ok: bool) -> None:
    if ok:
        assert access.check_region(region) == (region or None)
    else:
        with pytest.raises(ValidationFailed, match="region"):
            access.check_region(region)
