"""api_keys: use cases, one function per action, over the unit of work.

Creating, listing and revoking keys is the account's owner's or admin's (MANAGE_TEAM), with a
user token. Authenticating by key makes the caller its account's editor; each request of a key
is counted in its minute's window (429 beyond the rules' number).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Protocol

from parovoz_developer_portal.accounts.ports import PortalUnitOfWork
from parovoz_developer_portal.api_keys.domain import (
    RATE_WINDOW_SECONDS,
    ApiKey,
    IssuedKey,
    api_key_not_found,
    display_prefix,
    invalid_key,
    issue_key,
    looks_like_key,
    rate_window,
    require_within_rate,
)
from parovoz_developer_portal.api_keys.rules import ApiKeyRules
from parovoz_developer_portal.team.domain import Actor, Permission, TeamRole


class ApiKeyStore(Protocol):
    async def add(self, key: ApiKey) -> None: ...
    async def get(self, key_id: uuid.UUID) -> ApiKey | None: ...
    async def by_prefix(self, prefix: str) -> ApiKey | None: ...
    async def of_account(self, developer_id: uuid.UUID) -> list[ApiKey]: ...
    async def count_active_locked(self, developer_id: uuid.UUID, now: datetime) -> int: ...
    async def save_revoked(self, key: ApiKey) -> None: ...
    async def save_last_used(self, key: ApiKey) -> None: ...


class ApiKeysUnitOfWork(PortalUnitOfWork, Protocol):
    api_keys: ApiKeyStore


class RequestCounter(Protocol):
    async def count(self, key_id: uuid.UUID, window: int, ttl_seconds: int) -> int:
        """Counts one more request of the key in the window; answers the window's total."""
        ...


async def create_api_key(
    uow: ApiKeysUnitOfWork,
    actor: Actor,
    name: str,
    expires_at: datetime | None,
    rules: ApiKeyRules,
    now: datetime,
) -> IssuedKey:
    actor.require(Permission.MANAGE_TEAM)
    active = await uow.api_keys.count_active_locked(actor.developer_id, now)
    issued = issue_key(actor.developer_id, name, expires_at, actor.user_id, active, rules, now)
    await uow.api_keys.add(issued.key)
    await uow.commit()
    return issued


async def api_keys_of_account(uow: ApiKeysUnitOfWork, actor: Actor) -> list[ApiKey]:
    actor.require(Permission.MANAGE_TEAM)
    return await uow.api_keys.of_account(actor.developer_id)


async def revoke_api_key(
    uow: ApiKeysUnitOfWork, actor: Actor, key_id: uuid.UUID, now: datetime
) -> ApiKey:
    key = await uow.api_keys.get(key_id)
    if key is None or key.developer_id != actor.developer_id:
        # Another account's key is answered like an unknown id.
        raise api_key_not_found(key_id)
    actor.require(Permission.MANAGE_TEAM)
    revoked = key.revoked(now)
    if revoked is not key:
        await uow.api_keys.save_revoked(revoked)
        await uow.commit()
    return revoked


async def actor_for_api_key(
    uow: ApiKeysUnitOfWork,
    counter: RequestCounter,
    plain_key: str,
    rules: ApiKeyRules,
    now: datetime,
) -> Actor:
    """The key's account acting as an editor (401 ``API_KEY_INVALID`` for an unknown, revoked
    or expired key alike; 429 ``API_KEY_RATE_LIMITED`` beyond the minute's requests)."""
    if not looks_like_key(plain_key):
        raise invalid_key()
    key = await uow.api_keys.by_prefix(display_prefix(plain_key))
    if key is None or not key.matches(plain_key) or not key.active_at(now):
        raise invalid_key()
    window = rate_window(now)
    counted = await counter.count(key.id, window.number, RATE_WINDOW_SECONDS * 2)
    require_within_rate(counted, window, rules)
    used = key.used_at(now)
    if used is not None:
        await uow.api_keys.save_last_used(used)
        await uow.commit()
    return Actor(
        developer_id=key.developer_id,
        user_id=key.created_by_user_id,
        role=TeamRole.EDITOR,
        api_key_id=key.id,
    )
