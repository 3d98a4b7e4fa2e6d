"""What the games tests share: a studio (conftest's account) that drafts games and calls the
game routes as one of its members, and the outbox of its games' events, each checked against
its schema in parovoz_events."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from parovoz_events import schema_for
from sqlalchemy import text

PREFIX = "/api/v1/developer"
GAMES = f"{PREFIX}/games"
A = "/data/attributes"


def product(title: str | None = None, product_type: str = "game", **more: Any) -> dict:
    attributes = {"title": title or f"Игра {uuid.uuid4()}", "product_type": product_type, **more}
    return {"data": {"type": "productCreation", "attributes": attributes}}


def texts(title: str = "Поезд в тайгу", **attributes: Any) -> dict[str, Any]:
    return {"data": {"type": "gameMetadata", "attributes": {"title": title, **attributes}}}


def change(**attributes: Any) -> dict[str, Any]:
    return {"data": {"type": "game", "attributes": attributes}}


class GameStudio:
    """conftest's studio, seen from the game routes."""

    def __init__(self, account: Any) -> None:
        self.account = account
        self.client: httpx.AsyncClient = account.client
        self.infrastructure = account.infrastructure
        self.owner: uuid.UUID = account.owner
        self.developer_id = str(account.developer_id)

    async def member(self, role: str) -> uuid.UUID:
        member: uuid.UUID = await self.account.member(role)
        return member

    def auth(self, user_id: uuid.UUID | None = None) -> dict[str, str]:
        headers: dict[str, str] = self.account.auth(user_id or self.owner)
        return headers

    async def draft(self, title: str | None = None, product_type: str = "game", **more: Any) -> str:
        answer = await self.client.post(
            GAMES, json=product(title, product_type, **more), headers=self.auth()
        )
        assert answer.status_code == 201, answer.text
        return str(answer.json()["data"]["id"])

    async def get(
        self, path: str, user_id: uuid.UUID | None = None, **params: Any
    ) -> httpx.Response:
        return await self.client.get(f"{GAMES}{path}", params=params, headers=self.auth(user_id))

    async def put(self, path: str, body: Any, user_id: uuid.UUID | None = None) -> httpx.Response:
        return await self.client.put(f"{GAMES}{path}", json=body, headers=self.auth(user_id))

    async def patch(self, path: str, body: Any, user_id: uuid.UUID | None = None) -> httpx.Response:
        return await self.client.patch(f"{GAMES}{path}", json=body, headers=self.auth(user_id))

    async def post(
        self, path: str, body: Any = None, user_id: uuid.UUID | None = None
    ) -> httpx.Response:
        return await self.client.post(f"{GAMES}{path}", json=body, headers=self.auth(user_id))

    async def delete(self, path: str, user_id: uuid.UUID | None = None) -> httpx.Response:
        return await self.client.delete(f"{GAMES}{path}", headers=self.auth(user_id))

    async def set_status(self, game_id: str, status: str) -> None:
        """Test set-up only: another context (releases, review) moves a game in real life."""
        async with self.infrastructure.session_factory.begin() as session:
            await session.execute(
                text("UPDATE games SET status = :status WHERE id = :id"),
                {"status": status, "id": game_id},
            )

    async def events(self, game_id: str, event_type: str) -> list[dict[str, Any]]:
        """The game's events of ``event_type`` in the outbox, each valid against its schema."""
        async with self.infrastructure.session_factory() as session:
            rows = await session.execute(
                text("SELECT payload FROM outbox WHERE type = :type AND key = :key ORDER BY seq"),
                {"type": event_type, "key": game_id},
            )
            payloads = [row.payload for row in rows]
        for payload in payloads:
            schema_for(event_type).model_validate(payload)
        return payloads


METADATA_UPDATED = "developer.game.metadata.updated.v1"
UNPUBLISHED = "developer.game.unpublished.v1"


def error(response: httpx.Response) -> dict[str, Any]:
    [only] = response.json()["errors"]
    return dict(only)
