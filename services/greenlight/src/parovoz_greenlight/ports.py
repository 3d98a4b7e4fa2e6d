"""What every context's use cases need of greenlight's unit of work beside its repositories
(``unit_of_work.SqlGreenlightUnitOfWork`` is the real one; unit tests pass in-memory ones)."""

from __future__ import annotations

from typing import Protocol

from parovoz_events import EventData


class UnitOfWorkPort(Protocol):
    def emit(
        self, item: EventData, *, subject: str | None = None, topic: str | None = None
    ) -> object:
        """Collect an event for the outbox, written with the change at commit."""
        ...

    async def commit(self) -> None: ...
