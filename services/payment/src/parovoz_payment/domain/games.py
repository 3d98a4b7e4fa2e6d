"""Who earns from a game: payment's own knowledge of developer-portal's games."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol

from parovoz_kit.errors import NotFound


@dataclass(frozen=True)
class GameOwner:
    game_id: uuid.UUID
    developer_id: uuid.UUID
    title: str
    product_type: str


class GameOwnerReadModel(Protocol):
    async def get(self, game_id: uuid.UUID) -> GameOwner | None: ...
    async def remember(self, owner: GameOwner, learned_from: str) -> None: ...


class GameCatalogue(Protocol):
    """developer-portal, the owner of games (asked over gRPC)."""

    async def game_owner(self, game_id: uuid.UUID) -> GameOwner | None: ...


async def owner_of_game(
    game_id: uuid.UUID, read_model: GameOwnerReadModel, catalogue: GameCatalogue
) -> GameOwner:
    """The read model answers; when its event has not arrived yet, developer-portal does."""
    owner = await read_model.get(game_id)
    if owner is not None:
        return owner
    owner = await catalogue.game_owner(game_id)
    if owner is None:
        raise NotFound(f"Game {game_id} is not known to the store.", code="GAME_NOT_FOUND")
    await read_model.remember(owner, learned_from="grpc")
    return owner
