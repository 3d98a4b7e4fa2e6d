"""What every context's use cases need of subscription's unit of work beside its repositories
(``unit_of_work.SqlSubscriptionUnitOfWork`` is the real one; tests pass in-memory ones)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Protocol

from parovoz_events import EventData


class UnitOfWorkPort(Protocol):
    def emit(
        self, item: EventData, *, subject: str | None = None, topic: str | None = None
    ) -> object:
        """Collect an event for the outbox, written with the change at commit."""
        ...

    def access_changed(
        self,
        *,
        users: Iterable[uuid.UUID] = (),
        plans: Iterable[uuid.UUID] = (),
        games: Iterable[uuid.UUID] = (),
    ) -> None:
        """Cached access answers of these users, plans and games are stale after the commit."""
        ...

    async def commit(self) -> None: ...
