"""The game -> developer read model, in payment's database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db.tables import game_owners
from parovoz_payment.domain.games import GameOwner


class SqlGameOwners:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, game_id: uuid.UUID) -> GameOwner | None:
        query = select(game_owners).where(game_owners.c.game_id == game_id)
        row = (await self._session.execute(query)).first()
        if row is None:
            return None
        return GameOwner(row.game_id, row.developer_id, row.title, row.product_type)

    async def remember(self, owner: GameOwner, learned_from: str) -> None:
        # Upsert: an event and a gRPC answer may race; both carry the same owner.
        values = {
            "game_id": owner.game_id,
            "developer_id": owner.developer_id,
            "title": owner.title,
            "product_type": owner.product_type,
            "learned_from": learned_from,
            "updated_at": datetime.now(UTC),
        }
        statement = insert(game_owners).values(values)
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[game_owners.c.game_id],
                set_={k: statement.excluded[k] for k in values if k != "game_id"},
            )
        )
