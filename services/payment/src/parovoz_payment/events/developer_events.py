"""payment's consumer of ``developer.events.v1`` (group ``payment.developer.events.v1``)."""

from __future__ import annotations

from collections.abc import Mapping

from parovoz_events.developer import GameCreated
from parovoz_kit.events import Event, Handler
from parovoz_kit.infrastructure import Infrastructure
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db.game_owners import SqlGameOwners
from parovoz_payment.domain.games import GameOwner


async def on_game_created(session: AsyncSession, data: GameCreated, _event: Event) -> None:
    owner = GameOwner(data.game_id, data.developer_id, data.title, data.product_type)
    await SqlGameOwners(session).remember(owner, learned_from="event")


def developer_event_handlers(_: Infrastructure) -> Mapping[str, Handler]:
    return {GameCreated.event_type: on_game_created}
