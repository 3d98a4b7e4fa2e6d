"""Test helpers: a developer account opened at the running developer-portal (through the
gateway), a game it drafts, a payout method it adds or removes; their events may not have
reached payment yet."""

from __future__ import annotations

import uuid

import httpx
from auth_support import auth
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.clients.developer_portal import IDEMPOTENT_METHODS, DeveloperPortalCatalogue
from parovoz_payment.domain.games import GameOwner

GATEWAY = "http://127.0.0.1:8080"


#: Real-world details (Sberbank's БИК, correspondent account, ИНН/КПП) with an account number
#: whose control key matches the БИК.
ACCOUNT_NUMBER = "40702810900000000042"
INN = "7707083893"
PAYOUT_DETAILS = {
    "recipient_name": "ООО «Студия Тест»",
    "inn": INN,
    "kpp": "773601001",
    "bik": "044525225",
    "account_number": ACCOUNT_NUMBER,
    "correspondent_account": "30101810400000000225",
    "bank_name": "ПАО Сбербанк",
}
FINANCE = f"{GATEWAY}/api/v1/developer/finance"


async def opened_account(http: httpx.AsyncClient, user_id: str) -> uuid.UUID:
    """``user_id`` opens a developer account (they own it); its id."""
    answer = await http.post(
        f"{GATEWAY}/api/v1/developer/accounts",
        headers=auth(user_id),
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
    assert answer.status_code == 201, answer.text
    return uuid.UUID(answer.json()["data"]["id"])


async def drafted_game(http: httpx.AsyncClient, user_id: str) -> GameOwner:
    """``user_id`` opens a developer account and drafts a game; its owner as GetGame knows it
    (no title yet)."""
    developer_id = await opened_account(http, user_id)
    drafted = (
        await http.post(
            f"{GATEWAY}/api/v1/developer/games",
            headers=auth(user_id),
            json={"data": {"type": "productCreation", "attributes": {"title": "Игра"}}},
        )
    ).json()["data"]
    return GameOwner(uuid.UUID(drafted["id"]), developer_id, "", "game")


async def added_payout_method(http: httpx.AsyncClient, user_id: str) -> uuid.UUID:
    """The account owner ``user_id`` adds a payout method (``PAYOUT_DETAILS``); its id."""
    answer = await http.post(
        f"{FINANCE}/payout-methods",
        headers=auth(user_id),
        json={"data": {"type": "payoutMethods", "attributes": PAYOUT_DETAILS}},
    )
    assert answer.status_code == 201, answer.text
    return uuid.UUID(answer.json()["data"]["id"])


async def removed_payout_method(
    http: httpx.AsyncClient, user_id: str, method_id: uuid.UUID
) -> None:
    answer = await http.delete(f"{FINANCE}/payout-methods/{method_id}", headers=auth(user_id))
    assert answer.status_code in (200, 204), answer.text


def catalogue_at(infrastructure: Infrastructure, target: str) -> DeveloperPortalCatalogue:
    """payment's developer-portal client aimed at ``target`` (e.g. a closed port: the peer
    down), under a peer name of its own: the shared one points at the running service."""
    name = f"developer-portal-test-{target}"
    return DeveloperPortalCatalogue(infrastructure.peer(name, target, IDEMPOTENT_METHODS))
