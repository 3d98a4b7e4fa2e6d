"""Seed 001's error contract (§3.1, §8.2) as every kit app answers it.

400 ``VALIDATION_ERROR`` with a pointer or a parameter per issue, seed 001's codes for 404,
405, 409, 413, 422, 429 (with ``Retry-After``) and a generic 500; ``title`` and ``detail`` in
Russian by default and in English when ``Accept-Language`` prefers English.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

import httpx
import pytest
from fastapi import APIRouter, Header, Query
from parovoz_kit.errors import (
    BusinessRuleViolation,
    Conflict,
    NotFound,
    TooManyRequests,
    Unavailable,
)
from parovoz_kit.http import create_app
from parovoz_kit.http.fields import (
    Flag,
    Instant,
    Int64,
    MinorUnits,
    QueryInt64,
    RequestModel,
    Text,
)
from parovoz_kit.http.language import Language, negotiate_language
from parovoz_kit.infrastructure import open_infrastructure
from parovoz_kit.service import ServiceDefinition, build_app, job_runner
from parovoz_kit.settings import ServiceSettings
from pydantic import BaseModel

PREFIX = "/api/v1/kit"
RU = {"Accept-Language": "ru"}
EN = {"Accept-Language": "en-US,en;q=0.9,ru;q=0.8"}
CATALOGUE = {"GAME_NOT_PUBLISHED": "Игра ещё не опубликована."}


class _Attributes(RequestModel):
    title: Annotated[str, Text(8, min_length=1)]
    amount_minor: MinorUnits
    count: Int64 = 1
    gift: Flag = False
    starts_at: Instant | None = None


class _Data(BaseModel):
    attributes: _Attributes


class _Document(BaseModel):
    data: _Data


def _router() -> APIRouter:
    router = APIRouter(prefix=PREFIX)

    @router.post("/games", status_code=201)
    async def create_game(document: _Document) -> dict[str, Any]:
        return {"title": document.data.attributes.title}

    @router.get("/games")
    async def list_games(
        after: Annotated[QueryInt64 | None, Query(alias="page[after]")] = None,
    ) -> dict[str, Any]:
        return {"after": after}

    @router.post("/keyed")
    async def keyed(idempotency_key: Annotated[str, Header()]) -> dict[str, str]:
        return {"key": idempotency_key}

    @router.get("/games/{game_id}")
    async def game(game_id: QueryInt64) -> None:
        raise NotFound(f"Game {game_id} not found.", detail_ru=f"Игра {game_id} не найдена.")

    @router.post("/games/{game_id}/publish")
    async def publish(game_id: QueryInt64) -> None:
        raise BusinessRuleViolation("The game is not published yet.", code="GAME_NOT_PUBLISHED")

    @router.post("/games/{game_id}/release")
    async def release(game_id: QueryInt64) -> None:
        raise BusinessRuleViolation.of_reasons(
            [
                BusinessRuleViolation("The game has no price.", code="GAME_NOT_PUBLISHED"),
                BusinessRuleViolation(
                    "Two screenshots, three needed.",
                    detail_ru="Скриншотов два, нужно три.",
                    code="NOT_ENOUGH_SCREENSHOTS",
                    pointer="/data/attributes/media",
                ),
            ]
        )

    @router.post("/duplicates")
    async def duplicate() -> None:
        raise Conflict("A game with this title exists.", pointer="/data/attributes/title")

    @router.post("/busy")
    async def busy() -> None:
        raise TooManyRequests("Slow down.", retry_after_seconds=30)

    @router.get("/down")
    async def down() -> None:
        raise Unavailable("The catalogue is down.")

    @router.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret-internal-detail")

    return router


@pytest.fixture
async def client(kit_settings: Callable[..., ServiceSettings]) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        kit_settings(), title="t", description="d", routers=[_router()], error_texts_ru=CATALOGUE
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://kit") as http:
        yield http


def _game(**attributes: Any) -> dict[str, Any]:
    return {"data": {"attributes": {"title": "Дота", "amount_minor": 100, **attributes}}}


def _errors(response: httpx.Response, status: int) -> list[dict[str, Any]]:
    assert response.status_code == status, response.text
    errors = response.json()["errors"]
    assert errors and all(error["status"] == str(status) for error in errors)
    assert set(response.json()) == {"errors"}
    return errors


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("en-US,en;q=0.9,ru;q=0.8", Language.EN),
        ("ru,en;q=0.5", Language.RU),
        ("en;q=0.4, ru;q=0.6", Language.RU),
        ("de-DE, en;q=0.3", Language.EN),
        ("de-DE", Language.RU),
        ("", Language.RU),
        (None, Language.RU),
        ("en;q=0", Language.RU),
        ("*;q=0.5, en-GB", Language.EN),
        ("en;q=abc, ru", Language.RU),
    ],
)
def test_accept_language_is_negotiated_by_quality(header: str | None, language: Language) -> None:
    assert negotiate_language(header) is language


async def test_an_invalid_body_field_is_400_with_its_pointer_in_russian(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(f"{PREFIX}/games", json=_game(title="слишком длинное название"))

    [error] = _errors(response, 400)
    assert error["code"] == "VALIDATION_ERROR"
    assert error["source"] == {"pointer": "/data/attributes/title"}
    assert error["title"] == "Некорректный запрос"
    assert error["detail"] == "Строка должна содержать не более 8 символов."
    assert response.headers["content-language"] == "ru"


async def test_the_same_error_is_english_when_english_is_preferred(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        f"{PREFIX}/games", json=_game(title="a very long title"), headers=EN
    )

    [error] = _errors(response, 400)
    assert error["title"] == "Bad Request"
    assert error["detail"] == "String should have at most 8 characters"
    assert response.headers["content-language"] == "en"


async def test_one_error_object_per_issue(client: httpx.AsyncClient) -> None:
    body = {"data": {"attributes": {"title": "", "amount_minor": "15000.00", "gift": "yes"}}}

    errors = _errors(await client.post(f"{PREFIX}/games", json=body, headers=RU), 400)

    by_pointer = {error["source"]["pointer"]: error["detail"] for error in errors}
    assert by_pointer == {
        "/data/attributes/title": "Строка должна содержать не менее 1 символа.",
        "/data/attributes/amount_minor": "Ожидается целое число.",
        "/data/attributes/gift": "Ожидается логическое значение: true или false.",
    }


@pytest.mark.parametrize(
    ("attributes", "pointer", "russian"),
    [
        ({"title": None}, "/data/attributes/title", "Ожидается строка."),
        ({"title": "a\x00b"}, "/data/attributes/title", "символ NUL (U+0000)"),
        ({"count": 2**63}, "/data/attributes/count", "64-битный диапазон"),
        ({"amount_minor": 2**62 * 2}, "/data/attributes/amount_minor", "64-битный диапазон"),
        ({"count": 1.5}, "/data/attributes/count", "Ожидается целое число."),
        ({"starts_at": 0}, "/data/attributes/starts_at", "а не число"),
        ({"starts_at": "2026-01-31T12:00:00"}, "/data/attributes/starts_at", "часовой пояс"),
        ({"starts_at": "yesterday"}, "/data/attributes/starts_at", "ISO 8601"),
    ],
)
async def test_poison_values_are_400_with_a_russian_detail(
    client: httpx.AsyncClient, attributes: dict[str, Any], pointer: str, russian: str
) -> None:
    errors = _errors(await client.post(f"{PREFIX}/games", json=_game(**attributes)), 400)

    [error] = [error for error in errors if error["source"]["pointer"] == pointer]
    assert russian in error["detail"]


async def test_a_missing_field_and_a_missing_body(client: httpx.AsyncClient) -> None:
    missing_field = {"data": {"attributes": {"title": "x"}}}
    [field_error] = _errors(await client.post(f"{PREFIX}/games", json=missing_field), 400)
    [body_error] = _errors(await client.post(f"{PREFIX}/games"), 400)

    assert field_error["source"] == {"pointer": "/data/attributes/amount_minor"}
    assert field_error["detail"] == "Обязательное поле не заполнено."
    assert body_error["source"] == {"pointer": ""}  # RFC 6901: the whole document


async def test_a_bad_query_parameter_names_the_parameter(client: httpx.AsyncClient) -> None:
    for value in ("1.0", str(2**63), "abc"):
        response = await client.get(f"{PREFIX}/games", params={"page[after]": value})
        [error] = _errors(response, 400)
        assert error["source"] == {"parameter": "page[after]"}, value
    fine = await client.get(f"{PREFIX}/games", params={"page[after]": "42"})
    assert fine.status_code == 200 and fine.json() == {"after": 42}


async def test_a_missing_header_names_the_header(client: httpx.AsyncClient) -> None:
    [error] = _errors(await client.post(f"{PREFIX}/keyed"), 400)

    assert error["source"] == {"parameter": "Idempotency-Key"}
    assert error["detail"] == "Обязательное поле не заполнено."


async def test_a_bad_path_parameter_names_it(client: httpx.AsyncClient) -> None:
    [error] = _errors(await client.get(f"{PREFIX}/games/x1"), 400)

    assert error["source"] == {"parameter": "game_id"}


async def test_not_found_uses_the_errors_russian_detail(client: httpx.AsyncClient) -> None:
    russian = await client.get(f"{PREFIX}/games/7")
    english = await client.get(f"{PREFIX}/games/7", headers=EN)

    [ru] = _errors(russian, 404)
    [en] = _errors(english, 404)
    assert ru == {
        "status": "404",
        "code": "RESOURCE_NOT_FOUND",
        "title": "Ресурс не найден",
        "detail": "Игра 7 не найдена.",
    }
    assert en["title"] == "Not Found" and en["detail"] == "Game 7 not found."


async def test_a_business_rule_takes_its_russian_text_from_the_service_catalogue(
    client: httpx.AsyncClient,
) -> None:
    [ru] = _errors(await client.post(f"{PREFIX}/games/7/publish"), 422)
    [en] = _errors(await client.post(f"{PREFIX}/games/7/publish", headers=EN), 422)

    assert ru["code"] == en["code"] == "GAME_NOT_PUBLISHED"
    assert ru["title"] == "Нарушено бизнес-правило"
    assert ru["detail"] == "Игра ещё не опубликована."
    assert en["detail"] == "The game is not published yet."


async def test_conflict_falls_back_to_the_generic_russian_text(client: httpx.AsyncClient) -> None:
    [error] = _errors(await client.post(f"{PREFIX}/duplicates"), 409)

    assert error["code"] == "RESOURCE_ALREADY_EXISTS"
    assert error["title"] == "Конфликт"
    assert error["detail"] == "Запрос конфликтует с текущим состоянием ресурса."
    assert error["source"] == {"pointer": "/data/attributes/title"}


async def test_too_many_requests_says_when_to_retry(client: httpx.AsyncClient) -> None:
    response = await client.post(f"{PREFIX}/busy")

    [error] = _errors(response, 429)
    assert error["code"] == "TOO_MANY_REQUESTS" and error["title"] == "Слишком много запросов"
    assert response.headers["retry-after"] == "30"


async def test_unavailable_is_503_in_russian(client: httpx.AsyncClient) -> None:
    [error] = _errors(await client.get(f"{PREFIX}/down"), 503)

    assert error["code"] == "SERVICE_UNAVAILABLE"
    assert error["title"] == "Сервис временно недоступен"


async def test_an_unknown_path_is_resource_not_found(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{PREFIX}/nothing-here")
    english = await client.get(f"{PREFIX}/nothing-here", headers=EN)

    [error] = _errors(response, 404)
    assert error["code"] == "RESOURCE_NOT_FOUND"
    assert error["title"] == "Ресурс не найден"
    assert error["detail"] == "Запрошенный ресурс не найден."
    [en] = _errors(english, 404)
    assert en["title"] == "Not Found" and en["detail"] == "There is no resource at this address."


async def test_a_wrong_method_is_405_and_keeps_allow(client: httpx.AsyncClient) -> None:
    response = await client.delete(f"{PREFIX}/games")

    [error] = _errors(response, 405)
    assert error["code"] == "METHOD_NOT_ALLOWED"
    assert error["title"] == "Метод не поддерживается"
    assert set(response.headers["allow"].replace(" ", "").split(",")) == {"GET", "POST"}


@pytest.mark.parametrize("headers", [RU, EN])
async def test_a_crash_is_a_generic_500_in_either_language(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await client.get(f"{PREFIX}/boom", headers=headers)

    [error] = _errors(response, 500)
    assert error["code"] == "INTERNAL_ERROR"
    assert "secret-internal-detail" not in response.text and "Traceback" not in response.text
    if headers is RU:
        assert error["title"] == "Внутренняя ошибка сервера"
    else:
        assert error["title"] == "Internal Server Error"


async def test_a_service_definition_gives_its_russian_texts_to_its_app(
    kit_settings: Callable[..., ServiceSettings],
) -> None:
    definition = ServiceDefinition(
        title="t", description="d", routers=lambda _: [_router()], error_texts_ru=CATALOGUE
    )
    async with open_infrastructure(kit_settings()) as infrastructure:
        app = build_app(definition, infrastructure, job_runner(definition, infrastructure))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kit") as http:
            response = await http.post(f"{PREFIX}/games/7/publish")
            unauthenticated = await http.post("/internal/jobs/x/run")

    [error] = _errors(response, 422)
    assert error["detail"] == "Игра ещё не опубликована."
    [refusal] = _errors(unauthenticated, 401)
    assert refusal["title"] == "Требуется аутентификация"
    assert unauthenticated.headers["www-authenticate"] == 'Bearer realm="parovoz"'


async def test_a_refusal_with_several_reasons_answers_each_as_its_own_error(
    client: httpx.AsyncClient,
) -> None:
    ru = _errors(await client.post(f"{PREFIX}/games/7/release", headers=RU), 422)
    assert [(error["code"], error["detail"]) for error in ru] == [
        ("GAME_NOT_PUBLISHED", CATALOGUE["GAME_NOT_PUBLISHED"]),
        ("NOT_ENOUGH_SCREENSHOTS", "Скриншотов два, нужно три."),
    ]
    assert ru[1]["source"] == {"pointer": "/data/attributes/media"}
    en = _errors(await client.post(f"{PREFIX}/games/7/release", headers=EN), 422)
    assert [error["detail"] for error in en] == [
        "The game has no price.",
        "Two screenshots, three needed.",
    ]


def test_a_refusal_needs_a_reason() -> None:
    with pytest.raises(ValueError):
        BusinessRuleViolation.of_reasons([])
