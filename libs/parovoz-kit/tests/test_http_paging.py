"""The kit's paging parameters (``page[size]``, ``page[cursor]``) on an app built like a
service's: what a route receives, the 400 naming the parameter, and the OpenAPI they show."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

import httpx
import pytest
from fastapi import APIRouter, Depends
from parovoz_kit.http import create_app
from parovoz_kit.http.paging import CURSOR_LIMIT, PageRequest, page_query
from parovoz_kit.settings import ServiceSettings

PREFIX = "/api/v1/kit"


@pytest.fixture
async def client(kit_settings: Callable[..., ServiceSettings]) -> AsyncIterator[httpx.AsyncClient]:
    router = APIRouter(prefix=PREFIX)

    @router.get("/wishes")
    async def wishes(
        page: Annotated[PageRequest, Depends(page_query("Wishes", 20, 50))],
    ) -> dict[str, Any]:
        return {"size": page.size, "cursor": page.cursor}

    app = create_app(kit_settings(), title="Kit test", description="test app", routers=[router])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://kit") as http:
        yield http


async def test_the_route_gets_the_size_and_cursor_asked_for_or_the_default(
    client: httpx.AsyncClient,
) -> None:
    first = await client.get(f"{PREFIX}/wishes")
    assert first.json() == {"size": 20, "cursor": None}
    later = await client.get(f"{PREFIX}/wishes", params={"page[size]": "50", "page[cursor]": "c1"})
    assert later.json() == {"size": 50, "cursor": "c1"}


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"page[size]": "0"}, "page[size]"),
        ({"page[size]": "51"}, "page[size]"),
        ({"page[size]": "ten"}, "page[size]"),
        ({"page[size]": "1.5"}, "page[size]"),
        ({"page[cursor]": ""}, "page[cursor]"),
        ({"page[cursor]": "x" * (CURSOR_LIMIT + 1)}, "page[cursor]"),
        ({"page[cursor]": "a\x00b"}, "page[cursor]"),
    ],
)
async def test_a_bad_page_is_400_naming_the_parameter(
    client: httpx.AsyncClient, params: dict[str, str], parameter: str
) -> None:
    answer = await client.get(f"{PREFIX}/wishes", params=params)
    assert answer.status_code == 400, answer.text
    [error] = answer.json()["errors"]
    assert (error["code"], error["source"]) == ("VALIDATION_ERROR", {"parameter": parameter})


async def test_the_openapi_shows_both_parameters_with_the_bounds(
    client: httpx.AsyncClient,
) -> None:
    document = (await client.get(f"{PREFIX}/openapi.json")).json()
    parameters = {p["name"]: p for p in document["paths"][f"{PREFIX}/wishes"]["get"]["parameters"]}
    assert set(parameters) == {"page[size]", "page[cursor]"}
    size = parameters["page[size]"]
    assert size["description"] == "Wishes a page: 1 to 50."
    assert (size["schema"]["minimum"], size["schema"]["maximum"]) == (1, 50)
    assert size["schema"]["default"] == 20
    assert parameters["page[cursor]"]["required"] is False
