"""Every service's OpenAPI document, made true: the errors it really answers, and nothing private.

:func:`create_app` installs :func:`install_openapi`, which post-processes FastAPI's document once
(lazily, at the first ``<prefix>/openapi.json``):

* the error body of seed 001 §3.1 is the component ``ErrorDocument`` (``{"errors": [ErrorObject]}``,
  ``ErrorObject`` = ``status``, ``code``, ``title``, ``detail``, optional ``source`` with
  ``pointer`` or ``parameter``); FastAPI's ``HTTPValidationError``/``ValidationError`` (its
  ``detail`` shape, never sent) are gone, and so is its 422 for validation: invalid input is 400;
* every operation lists the errors it can answer, each with its codes and a real example:
  400 (it takes a body or parameters), 401 and 403 (it depends on the kit's authentication,
  :func:`parovoz_kit.auth.current_principal`), 404 (it has path parameters), 409 and 422
  ``IDEMPOTENCY_KEY_IN_USE``/``IDEMPOTENCY_KEY_REUSED`` (it takes an ``Idempotency-Key``),
  413 and 415 (it takes a body), 429 where declared, 500 and 503 always;
* ``Idempotency-Key`` is a required header where the route requires it
  (:data:`parovoz_kit.idempotency.rest.IdempotencyKey`);
* ``/internal/*`` and the root probes and metrics are not in the public document.

A route declares its own business error codes with :func:`error_responses`; they join (and for
404 and 422 replace) the generic ones, with examples whose Russian details come from the
service's ``error_texts.RUSSIAN`` catalogue::

    from parovoz_kit.http.openapi import error_responses

    @router.post(
        "/wallet/top-ups",
        status_code=201,
        summary="Top up the wallet",
        description="Starts a top-up payment; the wallet is credited when the provider confirms.",
        responses=error_responses(
            {422: ["WALLET_LIMIT_EXCEEDED", "WALLET_LOCKED"], 404: ["PAYMENT_METHOD_NOT_FOUND"]}
        ),
    )

Other documented responses can be merged: ``responses={**error_responses({...}), 200: {...}}``.
A rate-limited route declares ``{429: ["GIFT_CARD_CHECKS_EXCEEDED"]}``; the 429 is documented
with its ``Retry-After`` header.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts

from parovoz_kit.http.errors import service_texts
from parovoz_kit.http.language import KIT_RUSSIAN, russian_generic_detail, russian_title

IDEMPOTENCY_HEADER = "Idempotency-Key"
ERROR_DOCUMENT = "ErrorDocument"
ERROR_OBJECT = "ErrorObject"
ERROR_SOURCE = "ErrorSource"
ERROR_REF = f"#/components/schemas/{ERROR_DOCUMENT}"
#: The operation-level key :func:`error_responses` leaves for the post-processor.
CODES_KEY = "x-parovoz-error-codes"

#: FastAPI's validation error schemas, which the services never send.
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")
#: Root paths that are for operators (probes, Prometheus), not for the public document.
_ROOT_OPERATOR_PATHS = frozenset({"/health", "/ready", "/metrics"})

#: Russian example details of the codes the kit itself answers (beside language.KIT_RUSSIAN).
_EXAMPLE_DETAILS: Mapping[str, str] = {
    "VALIDATION_ERROR": "Поле заполнено неверно: значение не соответствует его формату.",
    "UNAUTHENTICATED": "Нужен действительный токен доступа.",
    "FILE_TOO_LARGE": "Тело запроса больше, чем принимает этот адрес.",
    "UNSUPPORTED_MEDIA_TYPE": "Тело запроса должно быть в формате JSON (Content-Type: "
    "application/json).",
    "TOO_MANY_REQUESTS": "Слишком много запросов; повторите позже.",
    "INTERNAL_ERROR": "Непредвиденная ошибка; она записана в журнал.",
    "SERVICE_UNAVAILABLE": "Сервис или его зависимость временно недоступны; повторите позже.",
}

_STATUS_MEANINGS: Mapping[int, str] = {
    400: "Invalid input: a malformed body or field, a missing required field or parameter.",
    401: "No access token, or the token is invalid or expired (see `WWW-Authenticate`).",
    403: "The token is valid but its roles or owner do not allow this.",
    404: "The resource does not exist or is not visible to the caller.",
    409: "A conflict with the current state or with a concurrent request.",
    413: "The request body is larger than this endpoint accepts.",
    415: "The request body is not JSON (`Content-Type: application/json`).",
    422: "The request is well formed but a business rule refuses it.",
    429: "Too many requests: retry after `Retry-After` seconds.",
    500: "An unexpected error; it has been logged.",
    503: "The service or one of its dependencies is unavailable; retry later.",
}


def error_responses(codes: Mapping[int, Iterable[str]]) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: its own error codes by HTTP status.

    ``error_responses({422: ["WALLET_LIMIT_EXCEEDED"], 404: ["PAYMENT_NOT_FOUND"]})``. The
    post-processor gives each status the error schema and one example per code (Russian
    detail from the service's ``error_texts.RUSSIAN``).
    """
    responses: dict[int | str, dict[str, Any]] = {}
    for status, names in codes.items():
        if not 400 <= status <= 599:
            raise ValueError(f"error_responses takes 4xx/5xx statuses, not {status}")
        listed = list(dict.fromkeys(names))
        if not listed or not all(isinstance(name, str) and name for name in listed):
            raise ValueError(f"error_responses: status {status} needs at least one code")
        responses[status] = {
            "description": _STATUS_MEANINGS.get(status, "An error."),
            CODES_KEY: listed,
        }
    return responses


#: Where a dependency keeps the errors it answers (set by :func:`answers_errors`).
DEPENDENCY_CODES_ATTRIBUTE = "__parovoz_error_codes__"

DependencyT = TypeVar("DependencyT", bound=Callable[..., Any])


def answers_errors(
    codes: Mapping[int, Iterable[str]],
) -> Callable[[DependencyT], DependencyT]:
    """Mark a dependency with the error codes it answers; every route depending on it, however
    deep, documents them. For an authentication dependency other than the kit's
    ``current_principal`` (which is found by itself), e.g. one that also takes API keys::

        @answers_errors({401: ["TOKEN_MISSING", "API_KEY_INVALID"], 429: ["API_KEY_RATE_LIMITED"]})
        async def current_actor(...) -> Actor: ...
    """
    checked = {status: list(dict.fromkeys(names)) for status, names in codes.items()}
    for status, names in checked.items():
        if not 400 <= status <= 599 or not names:
            raise ValueError(f"answers_errors: status {status} needs 4xx/5xx and codes")

    def mark(dependency: DependencyT) -> DependencyT:
        setattr(dependency, DEPENDENCY_CODES_ATTRIBUTE, checked)
        return dependency

    return mark


def error_schemas() -> dict[str, Any]:
    """The components of seed 001's error body."""
    return {
        ERROR_SOURCE: {
            "title": ERROR_SOURCE,
            "type": "object",
            "description": "Where the error is: a JSON pointer into the request body, or the "
            "name of a query, path or header parameter.",
            "properties": {
                "pointer": {
                    "type": "string",
                    "description": "JSON pointer to the offending body field.",
                    "examples": ["/data/attributes/title"],
                },
                "parameter": {
                    "type": "string",
                    "description": "The offending query, path or header parameter.",
                    "examples": ["page[after]"],
                },
            },
            "additionalProperties": False,
        },
        ERROR_OBJECT: {
            "title": ERROR_OBJECT,
            "type": "object",
            "description": "One error.",
            "required": ["status", "code", "title", "detail"],
            "properties": {
                "status": {
                    "type": "string",
                    "pattern": "^[45][0-9]{2}$",
                    "description": "The HTTP status, as a string.",
                    "examples": ["400"],
                },
                "code": {
                    "type": "string",
                    "pattern": "^[A-Z][A-Z0-9_]*$",
                    "description": "Stable machine-readable code (UPPER_SNAKE_CASE).",
                    "examples": ["VALIDATION_ERROR"],
                },
                "title": {
                    "type": "string",
                    "description": "Short summary of the status, in the response's language "
                    "(Russian by default, English when `Accept-Language` prefers it).",
                },
                "detail": {
                    "type": "string",
                    "description": "What went wrong, for a person, in the response's language.",
                },
                "source": {"$ref": f"#/components/schemas/{ERROR_SOURCE}"},
            },
            "additionalProperties": False,
        },
        ERROR_DOCUMENT: {
            "title": ERROR_DOCUMENT,
            "type": "object",
            "description": "Every error answer (seed 001 §3.1).",
            "required": ["errors"],
            "properties": {
                "errors": {
                    "type": "array",
                    "minItems": 1,
                    "items": {"$ref": f"#/components/schemas/{ERROR_OBJECT}"},
                }
            },
            "additionalProperties": False,
        },
    }


def install_openapi(app: FastAPI) -> None:
    """Make ``app.openapi()`` return the post-processed document (built once, then cached)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = true_openapi(app, copy.deepcopy(generate()))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def true_openapi(app: FastAPI, document: dict[str, Any]) -> dict[str, Any]:
    """Post-process FastAPI's ``document`` for ``app`` (see the module docstring)."""
    # FastAPI keeps included routers as such; their routes are met through route contexts.
    routes = {
        (context.path_format, method.lower()): context
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute)
        for method in context.methods or ()
    }
    texts = {**KIT_RUSSIAN, **_EXAMPLE_DETAILS, **service_texts(app)}
    paths: dict[str, Any] = document.get("paths", {})
    for path in list(paths):
        if _is_private(path):
            del paths[path]
            continue
        for method, operation in paths[path].items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            _document_errors(operation, routes.get((path, method)), method, document, texts)
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for name in _FASTAPI_VALIDATION_SCHEMAS:
        schemas.pop(name, None)
    schemas.update(error_schemas())
    _json_schema_bounds(document)
    return document


#: pydantic writes a bound it could not fold into the type (one given by ``Query(ge=1)`` on top
#: of a kit type with its own validator) under its Python name; JSON Schema's name wins here.
_JSON_SCHEMA_BOUNDS = {
    "ge": "minimum",
    "le": "maximum",
    "gt": "exclusiveMinimum",
    "lt": "exclusiveMaximum",
}


def _json_schema_bounds(node: Any) -> None:
    """Turn stray ``ge``/``le``/``gt``/``lt`` keys of every schema in ``node`` into JSON Schema's
    bounds, replacing the wider ones of the type (``page[size]``: 1..200, not int64's range)."""
    if isinstance(node, list):
        for item in node:
            _json_schema_bounds(item)
        return
    if not isinstance(node, dict):
        return
    if node.get("type") in ("integer", "number"):
        for python_name, json_name in _JSON_SCHEMA_BOUNDS.items():
            if python_name in node:
                node[json_name] = node.pop(python_name)
        if "exclusiveMinimum" in node and "minimum" in node:
            node.pop("minimum")
        if "exclusiveMaximum" in node and "maximum" in node:
            node.pop("maximum")
    for value in node.values():
        _json_schema_bounds(value)


def _is_private(path: str) -> bool:
    return (
        path in _ROOT_OPERATOR_PATHS
        or path.startswith("/internal/")
        or "/internal/" in path
        or path.endswith("/internal")
    )


def _document_errors(
    operation: dict[str, Any],
    route: RouteContext | None,
    method: str,
    document: dict[str, Any],
    texts: Mapping[str, str],
) -> None:
    responses: dict[str, Any] = operation["responses"]
    declared: dict[int, list[str]] = {}
    for key in list(responses):
        response = responses[key]
        if CODES_KEY in response:
            declared[int(key)] = list(response.pop(CODES_KEY))
        if _is_fastapi_validation(response) or (key.isdigit() and int(key) in declared):
            del responses[key]

    # Imported here: auth and idempotency import the http package, which imports this module.
    from parovoz_kit.auth.dependencies import current_principal
    from parovoz_kit.idempotency.rest import optional_idempotency_key, require_idempotency_key

    parameters: list[dict[str, Any]] = operation.get("parameters", [])
    dependencies = list(_calls(route.dependant)) if route is not None else []
    needs_auth = current_principal in dependencies
    key_required = require_idempotency_key in dependencies
    takes_key = key_required or optional_idempotency_key in dependencies
    has_body = "requestBody" in operation
    path_parameters = [p for p in parameters if p.get("in") == "path"]

    if takes_key:
        _declare_key_header(parameters, required=key_required)

    codes: dict[int, list[str]] = {}

    def add(status: int, *names: str) -> None:
        codes.setdefault(status, [])
        codes[status].extend(name for name in names if name not in codes[status])

    if has_body or parameters:
        add(400, "VALIDATION_ERROR")
    if takes_key:
        add(400, *(["IDEMPOTENCY_KEY_REQUIRED"] if key_required else []), "IDEMPOTENCY_KEY_INVALID")
        add(409, "IDEMPOTENCY_KEY_IN_USE")
        add(422, "IDEMPOTENCY_KEY_REUSED")
    if needs_auth:
        add(401, "TOKEN_MISSING", "TOKEN_INVALID", "TOKEN_EXPIRED")
        add(403, "PERMISSION_DENIED")
    for call in dependencies:
        for status, names in getattr(call, DEPENDENCY_CODES_ATTRIBUTE, {}).items():
            add(status, *names)
    if path_parameters and 404 not in declared:
        add(404, "RESOURCE_NOT_FOUND")
    if has_body:
        add(413, "FILE_TOO_LARGE")
        add(415, "UNSUPPORTED_MEDIA_TYPE")
    for status, names in declared.items():
        add(status, *names)
    add(500, "INTERNAL_ERROR")
    add(503, "SERVICE_UNAVAILABLE")

    example_source = _example_source(operation, parameters, document)
    for status in sorted(codes):
        responses[str(status)] = _error_response(status, codes[status], texts, example_source)
    operation["responses"] = dict(
        sorted(responses.items(), key=lambda item: (item[0] != "default", item[0]))
    )


def _is_fastapi_validation(response: Mapping[str, Any]) -> bool:
    for media in response.get("content", {}).values():
        ref = media.get("schema", {}).get("$ref", "")
        if ref.endswith("/HTTPValidationError"):
            return True
    return False


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    stack = [dependant]
    while stack:
        current = stack.pop()
        if current.call is not None:
            yield current.call
        stack.extend(current.dependencies)


def _declare_key_header(parameters: list[dict[str, Any]], *, required: bool) -> None:
    for parameter in parameters:
        if parameter.get("in") == "header" and parameter.get("name") == IDEMPOTENCY_HEADER:
            parameter["required"] = required
            parameter["description"] = (
                "A unique key per logical request (a UUID is a good choice): a retry with the "
                "same key and body gets the first answer again (`Idempotent-Replayed: true`) "
                "instead of doing the work twice. 1 to 255 printable ASCII characters."
                + (" Required." if required else " Optional.")
            )
            parameter["schema"] = {
                "type": "string",
                "minLength": 1,
                "maxLength": 255,
                "pattern": "^[!-~]+$",
            }
            parameter["example"] = "0b9d8b8e-6f0a-4d0e-9d8f-3c3b1f4b2a10"


def _example_source(
    operation: Mapping[str, Any], parameters: list[dict[str, Any]], document: Mapping[str, Any]
) -> dict[str, str]:
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    pointer = _first_leaf(body.get("schema", {}), document)
    if pointer:
        return {"pointer": pointer}
    for parameter in parameters:
        if parameter.get("in") in ("query", "path"):
            return {"parameter": str(parameter["name"])}
    return {}


def _first_leaf(schema: Mapping[str, Any], document: Mapping[str, Any]) -> str:
    """A JSON pointer to the first required (else first) scalar field of a body schema."""
    pointer = ""
    for _ in range(8):
        schema = _resolve(schema, document)
        properties: Mapping[str, Any] = schema.get("properties", {})
        if not properties:
            break
        required = [name for name in schema.get("required", []) if name in properties]
        name = required[0] if required else next(iter(properties))
        pointer += f"/{name}"
        schema = properties[name]
    return pointer


def _resolve(schema: Mapping[str, Any], document: Mapping[str, Any]) -> Mapping[str, Any]:
    for _ in range(8):
        ref = schema.get("$ref")
        if ref is None:
            for combinator in ("allOf", "anyOf", "oneOf"):
                options = [o for o in schema.get(combinator, []) if o.get("type") != "null"]
                if options:
                    schema = options[0]
                    break
            else:
                return schema
            continue
        if not ref.startswith("#/components/schemas/"):
            return {}
        name = ref.removeprefix("#/components/schemas/")
        schema = document.get("components", {}).get("schemas", {}).get(name, {})
    return schema


def _error_response(
    status: int, codes: list[str], texts: Mapping[str, str], source: Mapping[str, str]
) -> dict[str, Any]:
    examples: dict[str, Any] = {}
    for code in codes:
        error: dict[str, Any] = {
            "status": str(status),
            "code": code,
            "title": russian_title(status),
            "detail": texts.get(code) or russian_generic_detail(status),
        }
        where = _source_for(code, status, source)
        if where:
            error["source"] = where
        examples[code] = {"summary": code, "value": {"errors": [error]}}
    listed = ", ".join(f"`{code}`" for code in codes)
    response: dict[str, Any] = {
        "description": f"{_STATUS_MEANINGS.get(status, 'An error.')} Codes: {listed}.",
        "content": {"application/json": {"schema": {"$ref": ERROR_REF}, "examples": examples}},
    }
    if status == 429:
        response["headers"] = {
            "Retry-After": {
                "description": "Seconds to wait before retrying.",
                "schema": {"type": "integer", "minimum": 1},
            }
        }
    if status == 401:
        response["headers"] = {
            "WWW-Authenticate": {
                "description": "The expected scheme (`Bearer`), and whether the token sent "
                "was the problem.",
                "schema": {"type": "string"},
            }
        }
    return response


def _source_for(code: str, status: int, source: Mapping[str, str]) -> dict[str, str]:
    if code.startswith("IDEMPOTENCY_KEY_") and status == 400:
        return {"parameter": IDEMPOTENCY_HEADER}
    if code == "VALIDATION_ERROR":
        return dict(source)
    return {}
