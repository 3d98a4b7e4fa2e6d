"""API keys' domain and use cases with in-memory fakes: issuing (shown once, hashed, limited,
future expiry), recognising (unknown, revoked, expired alike), the last-use resolution, the
rate window, and the tenant of revocation."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from parovoz_developer_portal.api_keys import service
from parovoz_developer_portal.api_keys.domain import (
    ApiKey,
    IssuedKey,
    issue_key,
    looks_like_key,
    rate_window,
    require_within_rate,
)
from parovoz_developer_portal.api_keys.rules import ApiKeyRules
from parovoz_developer_portal.team.domain import Actor, TeamRole
from parovoz_kit.errors import (
    BusinessRuleViolation,
    NotFound,
    PermissionDenied,
    TooManyRequests,
    Unauthenticated,
)

NOW = datetime(2101, 5, 1, 10, 0, 30, tzinfo=UTC)
RULES = ApiKeyRules(requests_per_minute=3, max_active_keys=2)
ACCOUNT = uuid.uuid4()
OWNER = uuid.uuid4()


def issued(now: datetime = NOW, expires_at: datetime | None = None, active: int = 0) -> IssuedKey:
    return issue_key(ACCOUNT, "CI", expires_at, OWNER, active, RULES, now)


def test_a_key_is_random_prefixed_and_only_its_hash_is_kept() -> None:
    first, second = issued(), issued()
    assert first.plain_key != second.plain_key
    assert first.plain_key.startswith("pk_live_") and looks_like_key(first.plain_key)
    assert len(first.plain_key) - len("pk_live_") >= 43  # 32 random bytes
    assert first.key.key_hash == hashlib.sha256(first.plain_key.encode()).hexdigest()
    assert first.plain_key.startswith(first.key.prefix) and len(first.key.prefix) < 20
    assert first.plain_key not in repr(first.key)
    assert first.key.matches(first.plain_key) and not first.key.matches(second.plain_key)


def test_the_active_keys_are_limited() -> None:
    issued(active=RULES.max_active_keys - 1)
    with pytest.raises(BusinessRuleViolation) as refused:
        issued(active=RULES.max_active_keys)
    assert refused.value.code == "API_KEY_LIMIT_REACHED"


def test_an_expiry_must_be_in_the_future() -> None:
    for moment in (NOW, NOW - timedelta(seconds=1)):
        with pytest.raises(BusinessRuleViolation) as refused:
            issued(expires_at=moment)
        assert refused.value.code == "API_KEY_EXPIRY_IN_PAST"
    assert issued(expires_at=NOW + timedelta(seconds=1)).key.active_at(NOW)


def test_status_follows_revocation_and_expiry() -> None:
    key = issued(expires_at=NOW + timedelta(days=1)).key
    assert key.status_at(NOW) == "active"
    assert key.status_at(NOW + timedelta(days=1)) == "expired"
    revoked = key.revoked(NOW)
    assert revoked.status_at(NOW) == "revoked" and not revoked.active_at(NOW)
    assert revoked.revoked(NOW + timedelta(hours=1)).revoked_at == NOW


def test_last_use_is_written_at_most_once_a_minute() -> None:
    key = issued().key
    used = key.used_at(NOW)
    assert used is not None and used.last_used_at == NOW
    assert used.used_at(NOW + timedelta(seconds=59)) is None
    later = used.used_at(NOW + timedelta(minutes=1))
    assert later is not None and later.last_used_at == NOW + timedelta(minutes=1)


def test_the_rate_window_is_the_minute_and_says_when_it_ends() -> None:
    window = rate_window(NOW)
    assert window.seconds_left == 30
    assert rate_window(NOW + timedelta(seconds=29)).number == window.number
    assert rate_window(NOW + timedelta(seconds=30)).number == window.number + 1
    require_within_rate(RULES.requests_per_minute, window, RULES)
    with pytest.raises(TooManyRequests) as limited:
        require_within_rate(RULES.requests_per_minute + 1, window, RULES)
    assert limited.value.retry_after_seconds == 30
    assert limited.value.code == "API_KEY_RATE_LIMITED"


# --- use cases over fakes ---------------------------------------------------------------------
@dataclass
class FakeKeys:
    keys: dict[uuid.UUID, ApiKey] = field(default_factory=dict)

    async def add(self, key: ApiKey) -> None:
        self.keys[key.id] = key

    async def get(self, key_id: uuid.UUID) -> ApiKey | None:
        return self.keys.get(key_id)

    async def by_prefix(self, prefix: str) -> ApiKey | None:
        return next((key for key in self.keys.values() if key.prefix == prefix), None)

    async def of_account(self, developer_id: uuid.UUID) -> list[ApiKey]:
        return [key for key in self.keys.values() if key.developer_id == developer_id]

    async def count_active_locked(self, developer_id: uuid.UUID, now: datetime) -> int:
        return sum(key.active_at(now) for key in await self.of_account(developer_id))

    async def save_revoked(self, key: ApiKey) -> None:
        self.keys[key.id] = key

    async def save_last_used(self, key: ApiKey) -> None:
        self.keys[key.id] = key


@dataclass
class FakeUnitOfWork:
    api_keys: FakeKeys = field(default_factory=FakeKeys)
    commits: int = 0
    accounts: object = None
    games: object = None

    def emit(self, item: object) -> object:
        return item

    async def commit(self) -> None:
        self.commits += 1


@dataclass
class FakeCounter:
    counts: dict[tuple[uuid.UUID, int], int] = field(default_factory=dict)

    async def count(self, key_id: uuid.UUID, window: int, ttl_seconds: int) -> int:
        self.counts[(key_id, window)] = self.counts.get((key_id, window), 0) + 1
        return self.counts[(key_id, window)]


def member(role: TeamRole, developer_id: uuid.UUID = ACCOUNT) -> Actor:
    return Actor(developer_id=developer_id, user_id=OWNER, role=role)


async def test_a_key_authenticates_as_its_accounts_editor() -> None:
    uow = FakeUnitOfWork()
    made = await service.create_api_key(uow, member(TeamRole.ADMIN), "CI", None, RULES, NOW)
    actor = await service.actor_for_api_key(uow, FakeCounter(), made.plain_key, RULES, NOW)
    assert actor == Actor(ACCOUNT, OWNER, TeamRole.EDITOR, api_key_id=made.key.id)
    assert uow.api_keys.keys[made.key.id].last_used_at == NOW


@pytest.mark.parametrize("role", [TeamRole.EDITOR, TeamRole.FINANCE, TeamRole.VIEWER])
async def test_only_owner_and_admin_create_keys(role: TeamRole) -> None:
    with pytest.raises(PermissionDenied):
        await service.create_api_key(FakeUnitOfWork(), member(role), "CI", None, RULES, NOW)


async def test_unknown_revoked_and_expired_keys_are_refused_alike() -> None:
    uow, counter = FakeUnitOfWork(), FakeCounter()
    owner = member(TeamRole.OWNER)
    revoked = await service.create_api_key(uow, owner, "r", None, RULES, NOW)
    await service.revoke_api_key(uow, owner, revoked.key.id, NOW)
    expiring = await service.create_api_key(uow, owner, "e", NOW + timedelta(hours=1), RULES, NOW)
    later = NOW + timedelta(hours=1)
    forged = expiring.plain_key[:-1] + ("A" if expiring.plain_key[-1] != "A" else "B")
    errors = []
    for plain in (revoked.plain_key, expiring.plain_key, forged, "pk_live_nope", "eyJhbGciOi"):
        with pytest.raises(Unauthenticated) as refused:
            await service.actor_for_api_key(uow, counter, plain, RULES, later)
        errors.append((refused.value.code, refused.value.detail))
    assert set(errors) == {("API_KEY_INVALID", "The API key is not valid.")}
    assert counter.counts == {}  # refused keys use no allowance


async def test_requests_beyond_the_minutes_allowance_are_429() -> None:
    uow, counter = FakeUnitOfWork(), FakeCounter()
    made = await service.create_api_key(uow, member(TeamRole.OWNER), "CI", None, RULES, NOW)
    for _ in range(RULES.requests_per_minute):
        await service.actor_for_api_key(uow, counter, made.plain_key, RULES, NOW)
    with pytest.raises(TooManyRequests):
        await service.actor_for_api_key(uow, counter, made.plain_key, RULES, NOW)
    next_minute = NOW + timedelta(seconds=30)
    await service.actor_for_api_key(uow, counter, made.plain_key, RULES, next_minute)


async def test_another_accounts_key_is_not_found_before_the_role_is_checked() -> None:
    uow = FakeUnitOfWork()
    made = await service.create_api_key(uow, member(TeamRole.OWNER), "CI", None, RULES, NOW)
    stranger = member(TeamRole.VIEWER, developer_id=uuid.uuid4())
    with pytest.raises(NotFound):
        await service.revoke_api_key(uow, stranger, made.key.id, NOW)
    with pytest.raises(PermissionDenied):
        await service.revoke_api_key(uow, member(TeamRole.VIEWER), made.key.id, NOW)
    assert uow.api_keys.keys[made.key.id].revoked_at is None


async def test_without_redis_a_key_is_not_let_through_unlimited() -> None:
    from parovoz_developer_portal.api_keys.repository import RedisRequestCounter
    from parovoz_kit.errors import Unavailable
    from redis.asyncio import Redis

    unreachable = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    with pytest.raises(Unavailable):
        await RedisRequestCounter(unreachable).count(uuid.uuid4(), 1, 120)
    await unreachable.aclose()
