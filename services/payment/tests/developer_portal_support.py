"""Test helper: a game drafted at the running developer-portal (through the gateway) by a
developer who has just opened an account there; its events may not have reached payment yet."""

from __future__ import annotations

import uuid

import httpx
from auth_support import auth
from parovoz_payment.domain.games import GameOwner

GATEWAY = "http://127.0.0.1:8080"


async def drafted_game(http: httpx.AsyncClient, user_id: str) -> GameOwner:
    """``user_id`` opens a developer account and drafts a game; its owner as GetGame knows it
    (no title yet)."""
    headers = auth(user_id)
    account = (
        await http.post(
            f"{GATEWAY}/api/v1/developer/accounts",
            headers=headers,
            json={
                "data": {
                    "type": "developerAccountCreation",
                    "attributes": {
                        "company_name": "Студия",
                        "legal_entity_type": "sole_proprietor",
                        "tax_id": "500100732259",
                        "contact_email": "a@example.com",
                        "country_code": "RU",
                    },
                }
            },
        )
    ).json()["data"]
    drafted = (
        await http.post(
            f"{GATEWAY}/api/v1/developer/games",
            headers=headers,
            json={"data": {"type": "productCreation", "attributes": {"title": "Игра"}}},
        )
    ).json()["data"]
    return GameOwner(uuid.UUID(drafted["id"]), uuid.UUID(account["id"]), "", "game")
