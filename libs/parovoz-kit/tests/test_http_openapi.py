"""The kit's OpenAPI post-processor, OPTIONS and the security headers, on an app built like a
service's (create_app, the kit's auth and idempotency dependencies, the internal jobs router)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

import httpx
import jsonschema
import pytest
from fastapi import APIRouter, Depends, FastAPI, Query
from fastapi.routing import iter_route_contexts
from parovoz_kit.auth import CurrentPrincipal, require_roles
from parovoz_kit.errors import TooManyRequests
from parovoz_kit.http import create_app
from parovoz_kit.http.fields import QueryInt64, RequestModel, Text
from parovoz_kit.http.openapi import (
    ERROR_DOCUMENT,
    answers_errors,
    error_responses,
    error_schemas,
)
from parovoz_kit.idempotency.rest import IdempotencyKey, OptionalIdempotencyKey
from parovoz_kit.jobs.router import internal_jobs_router
from parovoz_kit.settings import ServiceSettings

PREFIX = "/api/v1/kit"


@answers_errors({401: ["TOKEN_MISSING", "KEY_INVALID"], 429: ["KEY_RATE_LIMITED"]})
async def _caller_by_key() -> str:
    """An authentication of the route's own (not the kit's ``current_principal``)."""
    return "caller"


async def _nested(caller: Annotated[str, Depends(_caller_by_key)]) -> str:
    return caller


class Wish(RequestModel):
    title: Annotated[str, Text(64)]


def _router() -> APIRouter:
    router = APIRouter(prefix=PREFIX)

    @router.get("/public", summary="Public", description="No auth, no parameters.")
    async def public() -> dict[str, str]:
        return {"ok": "yes"}

    @router.get("/wishes", summary="List", description="Authenticated list.")
    async def list_wishes(
        principal: CurrentPrincipal,
        after: Annotated[int | None, Query()] = None,
        size: Annotated[QueryInt64, Query(alias="page[size]", ge=1, le=200)] = 50,
    ) -> dict[str, str]:
        return {"sub": principal.subject}

    @router.post(
        "/wishes",
        status_code=201,
        summary="Create",
        description="Idempotent creation.",
        responses=error_responses({422: ["WISH_LIMIT_REACHED"]}),
    )
    async def create_wish(
        body: Wish, key: IdempotencyKey, principal: CurrentPrincipal
    ) -> dict[str, str]:
        return {"title": body.title}

    @router.put("/wishes/{wish_id}", summary="Replace", description="Optional key.")
    async def replace_wish(wish_id: str, body: Wish, key: OptionalIdempotencyKey) -> dict[str, str]:
        return {"id": wish_id}

    @router.get(
        "/wishes/{wish_id}",
        summary="Read",
        description="Admins only.",
        dependencies=[Depends(require_roles("admin"))],
        responses=error_responses({404: ["WISH_NOT_FOUND"], 429: ["WISH_READS_EXCEEDED"]}),
    )
    async def read_wish(wish_id: str) -> dict[str, str]:
        raise TooManyRequests("slow down", retry_after_seconds=3)

    @router.delete("/wishes/{wish_id}", summary="Delete", description="Deletes.")
    async def delete_wish(wish_id: str) -> dict[str, str]:
        return {"id": wish_id}

    @router.get("/keyed/{item_id}", summary="Keyed", description="Own authentication, nested.")
    async def keyed(item_id: str, caller: Annotated[str, Depends(_nested)]) -> dict[str, str]:
        return {"caller": caller}

    @router.get("/boom", summary="Boom", description="Fails.")
    async def boom() -> None:
        raise RuntimeError("boom")

    @router.get("/internal/peek", summary="Peek", description="For operators.")
    async def peek() -> dict[str, str]:
        return {}

    return router


class _NoJobs:
    async def run_now(self, name: str, period: str | None) -> Any:
        raise AssertionError("not called")


def _app(settings: ServiceSettings) -> FastAPI:
    app = create_app(
        settings,
        title="Kit test",
        description="test app",
        routers=[_router()],
        error_texts_ru={"WISH_LIMIT_REACHED": "Желаний больше не принимаем."},
    )
    app.include_router(internal_jobs_router(_NoJobs(), require_roles("admin")))  # type: ignore[arg-type]
    return app


@pytest.fixture
def app(kit_settings: Callable[..., ServiceSettings]) -> FastAPI:
    return _app(kit_settings())


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://kit") as c:
        yield c


@pytest.fixture
async def document(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get(f"{PREFIX}/openapi.json")
    assert response.status_code == 200
    return response.json()


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def _error_validator(document: dict[str, Any]) -> Callable[[Any], None]:
    schema = {"$ref": f"#/components/schemas/{ERROR_DOCUMENT}", **document}
    validator = jsonschema.Draft202012Validator(schema)
    return validator.validate


def test_no_fastapi_validation_shape_is_left(document: dict[str, Any]) -> None:
    text = str(document)
    assert "HTTPValidationError" not in text
    assert "'ValidationError'" not in text
    assert document["components"]["schemas"][ERROR_DOCUMENT] == error_schemas()[ERROR_DOCUMENT]
    for path, method, operation in _operations(document):
        if "422" in operation["responses"]:
            # A 422 that is left is a business or idempotency refusal, never validation.
            codes = operation["responses"]["422"]["content"]["application/json"]["examples"]
            assert "VALIDATION_ERROR" not in codes, (path, method)


def test_a_parameters_own_bounds_are_documented_as_json_schema(document: dict[str, Any]) -> None:
    # pydantic left Query(ge=1, le=200) on a kit type as "ge"/"le" beside int64's range: a
    # client (and schemathesis) read 201 as valid, and the service refused it.
    [size] = [
        parameter
        for parameter in document["paths"][f"{PREFIX}/wishes"]["get"]["parameters"]
        if parameter["name"] == "page[size]"
    ]
    schema = size["schema"]
    assert (schema["minimum"], schema["maximum"]) == (1, 200)
    assert not {"ge", "le", "gt", "lt"} & schema.keys()


def test_every_error_response_has_a_valid_example_per_code(document: dict[str, Any]) -> None:
    validate = _error_validator(document)
    checked = 0
    for path, method, operation in _operations(document):
        for status, response in operation["responses"].items():
            if not status.startswith(("4", "5")):
                continue
            media = response["content"]["application/json"]
            assert media["schema"] == {"$ref": f"#/components/schemas/{ERROR_DOCUMENT}"}
            assert media["examples"], (path, method, status)
            for code, example in media["examples"].items():
                validate(example["value"])
                [error] = example["value"]["errors"]
                assert error["status"] == status and error["code"] == code
                assert code in response["description"]
                checked += 1
    assert checked > 30


def _codes(document: dict[str, Any], path: str, method: str) -> dict[str, list[str]]:
    responses = document["paths"][f"{PREFIX}{path}"][method]["responses"]
    return {
        status: list(response["content"]["application/json"]["examples"])
        for status, response in responses.items()
        if status.startswith(("4", "5"))
    }


def test_errors_follow_what_the_route_takes(document: dict[str, Any]) -> None:
    assert _codes(document, "/public", "get") == {
        "500": ["INTERNAL_ERROR"],
        "503": ["SERVICE_UNAVAILABLE"],
    }
    listing = _codes(document, "/wishes", "get")
    assert set(listing) == {"400", "401", "403", "500", "503"}
    assert "TOKEN_MISSING" in listing["401"]

    creation = _codes(document, "/wishes", "post")
    assert set(creation) == {"400", "401", "403", "409", "413", "415", "422", "500", "503"}
    assert creation["400"] == [
        "VALIDATION_ERROR",
        "IDEMPOTENCY_KEY_REQUIRED",
        "IDEMPOTENCY_KEY_INVALID",
    ]
    assert creation["409"] == ["IDEMPOTENCY_KEY_IN_USE"]
    assert creation["422"] == ["IDEMPOTENCY_KEY_REUSED", "WISH_LIMIT_REACHED"]

    reading = _codes(document, "/wishes/{wish_id}", "get")
    assert reading["404"] == ["WISH_NOT_FOUND"]  # the route's own code replaces the generic one
    assert reading["429"] == ["WISH_READS_EXCEEDED"]
    assert set(reading) == {"400", "401", "403", "404", "429", "500", "503"}
    assert _codes(document, "/wishes/{wish_id}", "delete")["404"] == ["RESOURCE_NOT_FOUND"]


def test_a_dependency_documents_the_errors_it_answers(document: dict[str, Any]) -> None:
    keyed = _codes(document, "/keyed/{item_id}", "get")
    assert keyed["401"] == ["TOKEN_MISSING", "KEY_INVALID"]
    assert keyed["429"] == ["KEY_RATE_LIMITED"]
    assert set(keyed) == {"400", "401", "404", "429", "500", "503"}
    responses = document["paths"][f"{PREFIX}/keyed/{{item_id}}"]["get"]["responses"]
    assert "WWW-Authenticate" in responses["401"]["headers"]
    assert "Retry-After" in responses["429"]["headers"]
    with pytest.raises(ValueError):
        answers_errors({200: ["OK"]})


def test_examples_are_russian_and_point_at_the_field(document: dict[str, Any]) -> None:
    responses = document["paths"][f"{PREFIX}/wishes"]["post"]["responses"]
    examples = responses["422"]["content"]["application/json"]["examples"]
    [business] = examples["WISH_LIMIT_REACHED"]["value"]["errors"]
    assert business["detail"] == "Желаний больше не принимаем."  # the service's catalogue
    assert business["title"] == "Нарушено бизнес-правило"
    invalid = responses["400"]["content"]["application/json"]["examples"]
    [field] = invalid["VALIDATION_ERROR"]["value"]["errors"]
    assert field["source"] == {"pointer": "/title"}
    [missing_key] = invalid["IDEMPOTENCY_KEY_REQUIRED"]["value"]["errors"]
    assert missing_key["source"] == {"parameter": "Idempotency-Key"}
    listing = document["paths"][f"{PREFIX}/wishes"]["get"]["responses"]["400"]
    [query] = listing["content"]["application/json"]["examples"]["VALIDATION_ERROR"]["value"][
        "errors"
    ]
    assert query["source"] == {"parameter": "after"}
    read = document["paths"][f"{PREFIX}/wishes/{{wish_id}}"]["get"]["responses"]
    assert "Retry-After" in read["429"]["headers"]
    assert "WWW-Authenticate" in read["401"]["headers"]


def _key_parameter(document: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    parameters = document["paths"][f"{PREFIX}{path}"][method]["parameters"]
    [key] = [p for p in parameters if p["name"] == "Idempotency-Key"]
    return key


def test_idempotency_key_is_required_where_the_route_requires_it(
    document: dict[str, Any],
) -> None:
    required = _key_parameter(document, "/wishes", "post")
    assert required["required"] is True and required["in"] == "header"
    assert required["schema"]["maxLength"] == 255
    optional = _key_parameter(document, "/wishes/{wish_id}", "put")
    assert optional["required"] is False


async def test_a_missing_key_is_still_answered_in_the_error_format(
    client: httpx.AsyncClient,
) -> None:
    # Required on paper, answered by the kit's own code (not FastAPI's validation) in fact.
    response = await client.put(f"{PREFIX}/wishes/w1", json={"title": "x"})
    assert response.status_code == 200  # optional key: absent is fine
    bad = await client.put(
        f"{PREFIX}/wishes/w1", json={"title": "x"}, headers={"Idempotency-Key": "has space"}
    )
    assert bad.status_code == 400
    [error] = bad.json()["errors"]
    assert error["code"] == "IDEMPOTENCY_KEY_INVALID"
    assert error["source"] == {"parameter": "Idempotency-Key"}


def test_internal_and_root_operator_paths_are_not_public(
    app: FastAPI, document: dict[str, Any]
) -> None:
    served = {context.path for context in iter_route_contexts(app.routes)}
    assert "/internal/jobs/{name}/run" in served
    assert f"{PREFIX}/internal/peek" in served  # in the schema as far as FastAPI knows
    paths = set(document["paths"])
    assert not [path for path in paths if "/internal" in path]
    assert not paths & {"/health", "/ready", "/metrics", f"{PREFIX}/metrics"}
    assert {f"{PREFIX}/health", f"{PREFIX}/ready", PREFIX} <= paths


def test_kit_operations_have_a_summary_and_a_description(document: dict[str, Any]) -> None:
    for path, method, operation in _operations(document):
        assert operation.get("summary") and operation.get("description"), (path, method)


def test_error_responses_refuses_what_it_cannot_document() -> None:
    with pytest.raises(ValueError):
        error_responses({200: ["OK"]})
    with pytest.raises(ValueError):
        error_responses({422: []})


async def test_options_lists_every_method_of_the_path(client: httpx.AsyncClient) -> None:
    wishes = await client.options(f"{PREFIX}/wishes")
    assert wishes.status_code == 204
    assert wishes.headers["allow"] == "GET, HEAD, POST, OPTIONS"
    one = await client.options(f"{PREFIX}/wishes/w1")
    assert one.status_code == 204
    assert one.headers["allow"] == "GET, HEAD, PUT, DELETE, OPTIONS"
    assert one.content == b""


async def test_options_on_a_path_nothing_serves_is_404(client: httpx.AsyncClient) -> None:
    response = await client.options(f"{PREFIX}/nothing-here")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "RESOURCE_NOT_FOUND"


async def test_nosniff_on_every_answer(client: httpx.AsyncClient) -> None:
    answers = [
        await client.get(f"{PREFIX}/public"),
        await client.get(f"{PREFIX}/nothing-here"),
        await client.post(f"{PREFIX}/wishes", content=b"{", headers={"content-type": "x/y"}),
        await client.options(f"{PREFIX}/wishes"),
        await client.get(f"{PREFIX}/boom"),
        await client.get(f"{PREFIX}/docs"),
        await client.get(f"{PREFIX}/openapi.json"),
    ]
    for answer in answers:
        assert answer.headers["x-content-type-options"] == "nosniff", answer.request.url
        assert answer.headers.get_list("x-content-type-options") == ["nosniff"]


async def test_no_store_on_api_answers_but_not_on_the_docs(client: httpx.AsyncClient) -> None:
    for answer in (
        await client.get(f"{PREFIX}/public"),
        await client.get(f"{PREFIX}/wishes", headers={"Authorization": "Bearer nope"}),
        await client.get(f"{PREFIX}/nothing-here"),
        await client.get(f"{PREFIX}/boom"),
    ):
        assert answer.headers["cache-control"] == "no-store", answer.request.url
    for public in (
        await client.get(f"{PREFIX}/docs"),
        await client.get(f"{PREFIX}/docs/static/swagger-ui.css"),
        await client.get(f"{PREFIX}/openapi.json"),
    ):
        assert public.status_code == 200
        assert "no-store" not in public.headers.get("cache-control", ""), public.request.url


async def test_swagger_ui_5_is_served_locally(client: httpx.AsyncClient) -> None:
    page = await client.get(f"{PREFIX}/docs")
    assert f"{PREFIX}/docs/static/swagger-ui-bundle.js" in page.text
    assert "cdn" not in page.text.lower()
    bundle = await client.get(f"{PREFIX}/docs/static/swagger-ui-bundle.js")
    assert bundle.status_code == 200
    # Swagger UI 4 could not read OpenAPI 3.1 ("Unable to render this definition").
    assert b"OpenAPI 3.1" in bundle.content or b"openapi31" in bundle.content.lower()
