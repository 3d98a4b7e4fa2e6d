"""Unit of work: one transaction for a domain change and the events it causes.

Usage (application layer)::

    async with UnitOfWork(session_factory, source="/parovoz/developer-portal") as uow:
        uow.session.add(game)
        uow.emit(GameCreated(game_id=game.id, ...))
        await uow.commit()

``emit`` validates the event at once (bad data fails the request, not the relay);
``commit`` writes the collected events as outbox rows in the same transaction as the
change, so both happen or neither does. Leaving the block without ``commit`` rolls back:
nothing is written and nothing is emitted.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Self

from parovoz_events import EventData, UnknownEventType, schema_for
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from parovoz_kit.clock import Clock, SystemClock
from parovoz_kit.errors import ValidationFailed
from parovoz_kit.events.envelope import Event, validated_data
from parovoz_kit.events.tables import stage_events


class UnitOfWork:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        source: str,
        *,
        clock: Clock | None = None,
    ) -> None:
        self._session_factory = session_factory
        #: CloudEvents ``source`` of every event emitted here, e.g. ``/parovoz/payment``.
        self.source = source
        #: Stamps ``time`` on emitted events (the service's clock, so tests can move it).
        self._clock = clock or SystemClock()
        self._session: AsyncSession | None = None
        self._pending: list[tuple[str, Event]] = []

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("UnitOfWork used outside 'async with'")
        return self._session

    async def __aenter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("UnitOfWork is not re-entrant")
        self._session = self._session_factory()
        self._pending = []
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        session, self._session = self.session, None
        self._pending = []
        if not session.in_transaction():
            # Nothing began (a read answered without the database, or only lone reads on
            # connections of their own): the session holds no connection, nothing to undo.
            return
        try:
            await session.rollback()  # a no-op after commit; undoes everything otherwise
        finally:
            await session.close()

    def emit(
        self, item: EventData | Event, *, subject: str | None = None, topic: str | None = None
    ) -> Event:
        """Collect an event for the outbox; raises :class:`ValidationFailed` on bad data.

        ``item`` is normally the event's data model; a ready :class:`Event` is accepted too
        (its data is validated against the schema registered for its type).
        """
        self.session  # noqa: B018 - fail fast outside the block
        if isinstance(item, EventData):
            event = Event.from_data(item, self.source, subject=subject, time=self._clock.now())
            event_topic = topic or type(item).topic
        else:
            model_type = _registered_schema(item.type)
            validated_data(model_type, item.data)
            event, event_topic = item, topic or model_type.topic
        self._pending.append((event_topic, event))
        return event

    async def commit(self) -> None:
        """Write the pending events to the outbox and commit, all in one transaction."""
        await stage_events(self.session, self._pending)
        await self.session.commit()
        self._pending = []

    async def rollback(self) -> None:
        self._pending = []
        await self.session.rollback()


def _registered_schema(event_type: str) -> type[EventData]:
    try:
        return schema_for(event_type)
    except UnknownEventType:
        raise ValidationFailed(
            f"event type {event_type} has no schema in parovoz_events", code="UNKNOWN_EVENT_TYPE"
        ) from None


#: What use cases take to open a unit of work (``Infrastructure.unit_of_work``), one per step.
UnitOfWorkFactory = Callable[[], UnitOfWork]
