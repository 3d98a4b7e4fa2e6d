"""State at the running developer-portal, made through the gateway as a developer would: an
account, a drafted game, a payout method added or removed. Their events may not have reached
the other services yet."""

from __future__ import annotations

import uuid

import httpx

from parovoz_testing.platform import GATEWAY
from parovoz_testing.tokens import auth

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
DEVELOPER = f"{GATEWAY}/api/v1/developer"
FINANCE = f"{DEVELOPER}/finance"


async def opened_account(http: httpx.AsyncClient, user_id: str) -> uuid.UUID:
    """``user_id`` opens a developer account (they own it); its id."""
    answer = await http.post(
        f"{DEVELOPER}/accounts",
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


async def drafted_game(http: httpx.AsyncClient, user_id: str) -> tuple[uuid.UUID, uuid.UUID]:
    """``user_id`` opens a developer account and drafts a game (no title yet); the game's id
    and the account's."""
    developer_id = await opened_account(http, user_id)
    answer = await http.post(
        f"{DEVELOPER}/games",
        headers=auth(user_id),
        json={"data": {"type": "productCreation", "attributes": {"title": "Игра"}}},
    )
    assert answer.status_code == 201, answer.text
    return uuid.UUID(answer.json()["data"]["id"]), developer_id


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
