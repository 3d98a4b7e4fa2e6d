"""SQLAlchemy implementation of the games storage port."""

from __future__ import annotations

import uuid
from typing import Any

from parovoz_kit.errors import Conflict
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_developer_portal.games.domain import Game, GameStatus, ProductType
from parovoz_developer_portal.tables import games


def _game(row: Any) -> Game:
    return Game(
        id=row.id,
        developer_id=row.developer_id,
        title=row.title,
        product_type=ProductType(row.product_type),
        parent_game_id=row.parent_game_id,
        status=GameStatus(row.status),
        created_by_user_id=row.created_by_user_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        published_at=row.published_at,
    )


class SqlGames:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, game: Game) -> None:
        values = {
            **game.__dict__,
            "product_type": game.product_type.value,
            "status": game.status.value,
        }
        try:
            async with self._session.begin_nested():
                await self._session.execute(insert(games).values(values))
        except IntegrityError:
            raise Conflict(
                f"This developer already has a product titled {game.title!r}.",
                detail_ru=f"У разработчика уже есть продукт с названием «{game.title}».",
                code="RESOURCE_ALREADY_EXISTS",
                pointer="/data/attributes/title",
            ) from None

    async def get(self, game_id: uuid.UUID) -> Game | None:
        row = (await self._session.execute(select(games).where(games.c.id == game_id))).first()
        return _game(row) if row else None

    async def save_status(self, game: Game) -> None:
        await self._session.execute(
            update(games)
            .where(games.c.id == game.id)
            .values(
                status=game.status.value,
                updated_at=game.updated_at,
                published_at=game.published_at,
            )
        )
