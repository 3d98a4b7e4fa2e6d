"""payment's handlers of a game's release and unpublication (on ``developer.events.v1``), for
preorders. They only flag (in the inbox transaction, quick and idempotent): the money moves in
the ``preorders-release`` job.

- ``developer.game.published.v1``: the first publication is the release (``published_at ==
  first_published_at``; a re-publication after an unpublication carries the earlier date and
  is remembered by it only if payment never heard of the release).
- ``developer.game.unpublished.v1`` before the release: open preorders are cancelled, their
  money owed back.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from parovoz_events.developer import GamePublished, GameUnpublished
from parovoz_kit.events import Event, Handler
from parovoz_kit.infrastructure import Infrastructure
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.use_cases.preorders import cancel_preorders_of_game, record_release

log = logging.getLogger(__name__)


def preorder_event_handlers(infrastructure: Infrastructure) -> Mapping[str, Handler]:
    clock = infrastructure.clock

    async def on_game_published(session: AsyncSession, data: GamePublished, _: Event) -> None:
        if await record_release(session, data.game_id, data.first_published_at, clock.now()):
            log.info("game released: its preorders are due", extra={"game_id": str(data.game_id)})

    async def on_game_unpublished(session: AsyncSession, data: GameUnpublished, _: Event) -> None:
        cancelled = await cancel_preorders_of_game(session, data.game_id, clock.now())
        if cancelled:
            log.info(
                "game unpublished before release: %s preorders cancelled",
                cancelled,
                extra={"game_id": str(data.game_id)},
            )

    return {
        GamePublished.event_type: on_game_published,
        GameUnpublished.event_type: on_game_unpublished,
    }
