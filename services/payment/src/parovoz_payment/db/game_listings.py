"""payment's read model of which games are published (on sale) in the store: followed from
developer-portal's ``developer.game.published.v1`` and ``developer.game.unpublished.v1``. A
game purchase needs a published game (``use_cases.payment_flow``); a price alone does not make
a game sellable."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, Column, DateTime, Table, select
from sqlalchemy.dialects.postgresql import UUID, insert
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db.metadata import metadata

game_listings = Table(
    "game_listings",
    metadata,
    Column("game_id", UUID(as_uuid=True), primary_key=True),
    Column("published", Boolean, nullable=False),
    #: When the state held by ``published`` began (the event's published_at/unpublished_at):
    #: an older event delivered late changes nothing.
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)


class SqlGameListings:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(
        self, game_id: uuid.UUID, *, published: bool, changed_at: datetime, now: datetime
    ) -> bool:
        """The game is (or is no longer) published since ``changed_at``; False when a later
        change is already known (out-of-order delivery) or this one was (a redelivery)."""
        values = {
            "game_id": game_id,
            "published": published,
            "changed_at": changed_at,
            "recorded_at": now,
        }
        statement = insert(game_listings).values(**values)
        query = statement.on_conflict_do_update(
            index_elements=[game_listings.c.game_id],
            set_={
                "published": statement.excluded.published,
                "changed_at": statement.excluded.changed_at,
                "recorded_at": statement.excluded.recorded_at,
            },
            where=game_listings.c.changed_at < statement.excluded.changed_at,
        ).returning(game_listings.c.game_id)
        return (await self._session.execute(query)).first() is not None

    async def is_published(self, game_id: uuid.UUID) -> bool:
        query = select(game_listings.c.published).where(game_listings.c.game_id == game_id)
        return bool((await self._session.execute(query)).scalar_one_or_none())
