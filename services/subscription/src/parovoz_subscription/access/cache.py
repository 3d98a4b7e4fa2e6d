"""The cache of access answers in Redis (owned by access).

``invalidate`` is called by the unit of work after every commit that changed something access
depends on (a subscription, a plan's catalog, a game, a user, a device): the keys named go.
Redis being down never fails a write: the answers then come from PostgreSQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection

from redis.asyncio import Redis


class AccessCache:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def invalidate(
        self,
        *,
        users: Collection[uuid.UUID] = (),
        plans: Collection[uuid.UUID] = (),
        games: Collection[uuid.UUID] = (),
    ) -> None:
        """Forget every cached answer that depends on these users, plans or games."""
