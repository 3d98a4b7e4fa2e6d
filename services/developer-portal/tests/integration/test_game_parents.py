"""A DLC's parent tells another tenant nothing (issue 12, item 8): a parent id that is another
developer's game, another developer's DLC, the developer's own DLC or no game at all gets the
same answer (status, code, detail, pointer), in both languages; a parent on a product that is
not a DLC is refused before any lookup, whatever the id names."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

PREFIX = "/api/v1/developer"


def product(title: str, product_type: str, parent: str | None = None) -> dict[str, Any]:
    attributes: dict[str, Any] = {"title": title, "product_type": product_type}
    if parent is not None:
        attributes["parent_game_id"] = parent
    return {"data": {"type": "productCreation", "attributes": attributes}}


async def create(studio, body: dict[str, Any], language: str = "ru") -> httpx.Response:  # type: ignore[no-untyped-def]
    headers = studio.auth(studio.owner) | {"Accept-Language": language}
    return await studio.client.post(f"{PREFIX}/games", json=body, headers=headers)


async def created_id(studio, body: dict[str, Any]) -> str:  # type: ignore[no-untyped-def]
    answer = await create(studio, body)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["data"]["id"])


@pytest.mark.parametrize("language", ["ru", "en"])
async def test_unknown_and_not_yours_parents_look_the_same(studio, new_studio, language) -> None:
    other = await new_studio()
    others_game = await created_id(other, product(f"Чужая {uuid.uuid4()}", "game"))
    others_dlc = await created_id(other, product(f"Чужое DLC {uuid.uuid4()}", "dlc", others_game))
    own_game = await created_id(studio, product(f"Своя {uuid.uuid4()}", "game"))
    own_dlc = await created_id(studio, product(f"Своё DLC {uuid.uuid4()}", "dlc", own_game))

    answers = []
    for parent in (str(uuid.uuid4()), others_game, others_dlc, own_dlc):
        answer = await create(studio, product(f"DLC {uuid.uuid4()}", "dlc", parent), language)
        answers.append((answer.status_code, answer.json()))

    assert answers[0][0] == 422
    [error] = answers[0][1]["errors"]
    assert error["code"] == "INVALID_PARENT_GAME"
    assert error["source"] == {"pointer": "/data/attributes/parent_game_id"}
    assert all(answer == answers[0] for answer in answers[1:]), answers


async def test_a_parent_on_a_game_is_refused_whatever_it_names(studio, new_studio) -> None:
    other = await new_studio()
    others_game = await created_id(other, product(f"Чужая {uuid.uuid4()}", "game"))

    answers = []
    for parent in (str(uuid.uuid4()), others_game):
        answer = await create(studio, product(f"Игра {uuid.uuid4()}", "game", parent))
        answers.append((answer.status_code, answer.json()))

    assert answers[0][0] == 400
    assert answers[0][1]["errors"][0]["code"] == "DLC_PARENT_REQUIRED"
    assert answers[1] == answers[0]
