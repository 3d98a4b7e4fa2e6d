"""The request guard every kit app runs before anything parses a body (http/guard.py).

Size (413), media type (415), JSON syntax with line and column, nesting depth, NaN, NUL in
strings and member names, integers past int64 (400 with a pointer), NUL in the path and the
query (400 with a parameter), and the body reaching the route unchanged when it passes.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, Request
from parovoz_kit.http import create_app
from parovoz_kit.http.guard import RequestGuard, check_json, is_json_media_type
from parovoz_kit.settings import ServiceSettings
from starlette.types import Message, Receive, Scope, Send

PREFIX = "/api/v1/kit"
EN = {"Accept-Language": "en"}
LIMIT = 64 * 1024


def _router(seen: list[bytes]) -> APIRouter:
    router = APIRouter(prefix=PREFIX)

    @router.post("/webhooks/provider")
    async def webhook(request: Request) -> dict[str, Any]:
        # Like a webhook: the raw bytes first (a signature is computed over them).
        raw = await request.body()
        seen.append(raw)
        return {"received": len(raw)}

    @router.post("/items")
    async def create_item(item: dict[str, Any]) -> dict[str, Any]:
        return item

    @router.delete("/items/{item_id}")
    async def delete_item(item_id: str) -> dict[str, str]:
        return {"deleted": item_id}

    @router.get("/items")
    async def list_items(q: str = "") -> dict[str, str]:
        return {"q": q}

    return router


@pytest.fixture
def seen() -> list[bytes]:
    return []


@pytest.fixture
async def client(
    kit_settings: Callable[..., ServiceSettings], seen: list[bytes]
) -> AsyncIterator[httpx.AsyncClient]:
    settings = kit_settings(max_request_body_bytes=LIMIT)
    app = create_app(settings, title="t", description="d", routers=[_router(seen)])
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://kit") as http:
        yield http


def _error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    [error] = response.json()["errors"]
    assert error["status"] == str(status)
    return error


def _post(client: httpx.AsyncClient, body: bytes, content_type: str = "application/json"):
    return client.post(
        f"{PREFIX}/webhooks/provider", content=body, headers={"Content-Type": content_type}
    )


async def test_the_body_reaches_the_route_unchanged(
    client: httpx.AsyncClient, seen: list[bytes]
) -> None:
    body = '{"event": "payment.succeeded",  "object": {"id": "п-1", "amount": 9223372036854775807}}'
    raw = body.encode()

    response = await _post(client, raw)

    assert response.status_code == 200, response.text
    assert seen == [raw]
    parsed = await client.post(f"{PREFIX}/items", json={"a": [1, {"b": None}]})
    assert parsed.status_code == 200 and parsed.json() == {"a": [1, {"b": None}]}


async def test_ten_thousand_nested_brackets_are_a_clean_400(
    client: httpx.AsyncClient, seen: list[bytes]
) -> None:
    response = await _post(client, b"[" * 10_000)

    error = _error(response, 400)
    assert error["code"] == "VALIDATION_ERROR"
    assert error["detail"] == "Вложенность JSON глубже 32 уровней."
    assert seen == []


async def test_nesting_at_the_limit_passes_and_one_deeper_is_refused(
    client: httpx.AsyncClient,
) -> None:
    at_limit = "[" * 32 + "]" * 32
    deeper = "[" * 33 + "]" * 33

    assert (await _post(client, at_limit.encode())).status_code == 200
    assert (await _post(client, deeper.encode())).status_code == 400
    # Brackets inside strings are text, not nesting.
    assert (await _post(client, json.dumps({"x": "[" * 1000}).encode())).status_code == 200


async def test_a_nul_in_a_member_name_is_refused_with_its_pointer(
    client: httpx.AsyncClient,
) -> None:
    body = json.dumps({"data": {"attributes": {"ti\x00tle": "x"}}}).encode()

    error = _error(await _post(client, body), 400)

    assert error["source"] == {"pointer": "/data/attributes/ti\x00tle"}
    assert "NUL" in error["detail"] and error["detail"].startswith("Имя поля")


async def test_a_nul_in_a_string_is_refused_with_its_pointer(client: httpx.AsyncClient) -> None:
    body = json.dumps({"items": [{"title": "ok"}, {"title": "bad\x00"}]}).encode()

    error = _error(await client.post(f"{PREFIX}/items", content=body, headers=_json()), 400)

    assert error["source"] == {"pointer": "/items/1/title"}


def _json() -> dict[str, str]:
    return {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        (b'{"a": [1, [2, 9223372036854775808]]}', "/a/1/1"),
        (b'{"amount_minor": -9223372036854775809}', "/amount_minor"),
        (b'{"n": 1' + b"0" * 5000 + b"}", "/n"),
        (b'{"a~b/c": 99999999999999999999}', "/a~0b~1c"),
    ],
)
async def test_an_integer_outside_int64_is_refused_with_its_pointer(
    client: httpx.AsyncClient, body: bytes, pointer: str
) -> None:
    error = _error(await _post(client, body), 400)

    assert error["source"] == {"pointer": pointer}
    assert "64-битный" in error["detail"]


async def test_the_int64_bounds_themselves_pass(client: httpx.AsyncClient) -> None:
    body = b'{"max": 9223372036854775807, "min": -9223372036854775808}'

    assert (await _post(client, body)).status_code == 200


@pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-Infinity", b"1e999"])
async def test_non_finite_numbers_are_refused(client: httpx.AsyncClient, literal: bytes) -> None:
    error = _error(await _post(client, b'{"amount": ' + literal + b"}"), 400)

    assert error["code"] == "VALIDATION_ERROR"


async def test_broken_json_says_where_in_both_languages(client: httpx.AsyncClient) -> None:
    body = b'{\n  "title": "x",\n  "price": 10,\n}'

    russian = _error(await _post(client, body), 400)
    english = _error(
        await client.post(
            f"{PREFIX}/items", content=body, headers={**_json(), "Accept-Language": "en"}
        ),
        400,
    )

    assert russian["code"] == english["code"] == "VALIDATION_ERROR"
    assert "строке 4, столбце 1" in russian["detail"]
    assert russian["title"] == "Некорректный запрос"
    assert "line 4, column 1" in english["detail"] and english["title"] == "Bad Request"


async def test_a_body_that_is_not_utf8_is_refused(client: httpx.AsyncClient) -> None:
    error = _error(await _post(client, '{"title": "игра"}'.encode("cp1251")), 400)

    assert "UTF-8" in error["detail"]


async def test_an_unpaired_surrogate_is_refused(client: httpx.AsyncClient) -> None:
    error = _error(await _post(client, b'{"title": "\\ud800x"}'), 400)

    assert error["source"] == {"pointer": "/title"}
    paired = await _post(client, b'{"title": "\\ud83d\\ude00"}')
    assert paired.status_code == 200


async def test_a_form_encoded_body_is_told_to_send_json(client: httpx.AsyncClient) -> None:
    russian = await client.post(f"{PREFIX}/items", data={"title": "x"})
    english = await client.post(f"{PREFIX}/items", data={"title": "x"}, headers=EN)

    error = _error(russian, 415)
    assert error["code"] == "UNSUPPORTED_MEDIA_TYPE"
    assert "application/x-www-form-urlencoded" in error["detail"]
    assert "application/json" in error["detail"] and "форм" in error["detail"]
    assert error["title"] == "Неподдерживаемый тип содержимого"
    assert "send the body as JSON" in _error(english, 415)["detail"]


@pytest.mark.parametrize("content_type", ["text/plain", "multipart/form-data; boundary=x", ""])
async def test_other_media_types_are_415(client: httpx.AsyncClient, content_type: str) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = await client.post(f"{PREFIX}/items", content=b'{"a": 1}', headers=headers)

    detail = _error(response, 415)["detail"]
    assert "application/json" in detail
    if not content_type:
        assert detail.startswith("У тела запроса нет заголовка Content-Type")


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "application/merge-patch+json"],
)
async def test_json_media_types_are_accepted(client: httpx.AsyncClient, content_type: str) -> None:
    assert (await _post(client, b'{"a": 1}', content_type)).status_code == 200


async def test_bodiless_requests_need_no_content_type(client: httpx.AsyncClient) -> None:
    assert (await client.delete(f"{PREFIX}/items/7")).status_code == 200
    assert (await client.post(f"{PREFIX}/webhooks/provider")).status_code == 200


async def test_a_body_over_the_limit_is_413(client: httpx.AsyncClient, seen: list[bytes]) -> None:
    body = json.dumps({"blob": "x" * LIMIT}).encode()

    response = await _post(client, body)

    error = _error(response, 413)
    assert error["code"] == "FILE_TOO_LARGE" and error["title"] == "Слишком большой запрос"
    assert str(LIMIT) in error["detail"]
    assert seen == []


async def test_a_streamed_body_over_the_limit_is_413_without_reading_it_all(
    client: httpx.AsyncClient,
) -> None:
    chunks_read = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal chunks_read
        for _ in range(200):
            chunks_read += 1
            yield b" " * 1024

    response = await client.post(f"{PREFIX}/items", content=chunks(), headers=_json())

    assert _error(response, 413)["code"] == "FILE_TOO_LARGE"
    assert response.request.headers.get("content-length") is None  # chunked, no length
    assert chunks_read <= 70  # stopped just past the limit, not at 200


async def test_a_declared_length_over_the_limit_is_refused_before_reading() -> None:
    received: list[Message] = []
    sent: list[Message] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        raise AssertionError("the app must not be called")

    async def receive() -> Message:
        message = {"type": "http.request", "body": b"{}", "more_body": True}
        received.append(message)
        return message

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/x",
        "query_string": b"",
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"999999")],
    }
    await RequestGuard(app, max_body_bytes=LIMIT)(scope, receive, send)

    assert received == []
    assert sent[0]["status"] == 413
    assert json.loads(sent[1]["body"])["errors"][0]["code"] == "FILE_TOO_LARGE"


async def test_a_nul_in_the_query_names_the_parameter(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{PREFIX}/items?q=abc%00def&page%5Bafter%5D=1")

    error = _error(response, 400)
    assert error["source"] == {"parameter": "q"}
    assert "NUL" in error["detail"]


async def test_a_nul_in_the_path_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.delete(f"{PREFIX}/items/ab%00c")

    assert _error(response, 400)["source"] == {"parameter": "path"}


def test_json_media_type_recognition() -> None:
    assert is_json_media_type("application/json")
    assert is_json_media_type("Application/JSON; charset=UTF-8")
    assert is_json_media_type("application/vnd.api+json")
    assert not is_json_media_type("application/jsonx")
    assert not is_json_media_type("text/json")
    assert not is_json_media_type(None)


def test_a_megabyte_of_json_costs_a_few_json_loads() -> None:
    body = json.dumps(
        {"items": [{"name": "x" * 40, "n": i, "tags": ["a", "b"]} for i in range(12_000)]}
    ).encode()
    assert len(body) > 800_000

    def best_of_three(check: Callable[[], object]) -> float:
        times = []
        for _ in range(3):
            started = time.perf_counter()
            check()
            times.append(time.perf_counter() - started)
        return min(times)

    # Relative to one json.loads on the same machine, so a busy CI runner does not flake it.
    assert best_of_three(lambda: check_json(body)) < 10 * best_of_three(lambda: json.loads(body))
