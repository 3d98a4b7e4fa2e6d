"""accounts' consumer of ``admin.events.v1``: a verified studio becomes active, on the
direct publishing track.

The handler runs in the consumer's inbox transaction: the account's change and its
``developer.account.status.changed.v1`` outbox row commit together with the inbox row, so a
redelivered event has no second effect (and a repeated verification changes nothing anyway).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from parovoz_events import EventData
from parovoz_events.admin import DeveloperVerified
from parovoz_kit.clock import Clock
from parovoz_kit.events import Event, Handler
from parovoz_kit.events.tables import stage_events
from parovoz_kit.infrastructure import Infrastructure
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_developer_portal.accounts.repository import SqlAccounts
from parovoz_developer_portal.accounts.service import verify_studio

log = logging.getLogger(__name__)


class InboxUnitOfWork:
    """The accounts repository over the consumer's session; ``commit`` writes the emitted
    events to the outbox in that session and leaves the commit to the consumer."""

    def __init__(self, session: AsyncSession, source: str, clock: Clock) -> None:
        self.accounts = SqlAccounts(session)
        self._session, self._source, self._clock = session, source, clock
        self._pending: list[tuple[str, Event]] = []

    def emit(self, item: EventData) -> Event:
        event = Event.from_data(item, self._source, time=self._clock.now())
        self._pending.append((type(item).topic, event))
        return event

    async def commit(self) -> None:
        await stage_events(self._session, self._pending)
        self._pending = []


def admin_account_handlers(infrastructure: Infrastructure) -> Mapping[str, Handler]:
    clock, source = infrastructure.clock, infrastructure.source

    async def on_developer_verified(
        session: AsyncSession, data: DeveloperVerified, event: Event
    ) -> None:
        uow = InboxUnitOfWork(session, source, clock)
        verified = await verify_studio(uow, data.developer_id, clock.now())
        log.info(
            "developer verified as a studio"
            if verified
            else "developer verification ignored (no such account, or already verified)",
            extra={"developer_id": str(data.developer_id), "event_id": str(event.id)},
        )

    return {DeveloperVerified.event_type: on_developer_verified}
