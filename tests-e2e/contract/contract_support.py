"""Support for the contract tests (issue 11): every service's OpenAPI as the running platform
serves it through the gateway, a valid base request synthesized from it, and poison variants of
that request, one value at a time.

Nothing here knows a service's routes: operations, parameters and fields come from the documents,
so a new operation is covered the day it is documented.
"""

from __future__ import annotations

import copy
import functools
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from parovoz_testing.platform import GATEWAY, SERVICES

INT64_MAX = 2**63 - 1
INT64_OVERFLOW = INT64_MAX + 1  # 9223372036854775808
INT64_UNDERFLOW = -INT64_MAX - 3  # -9223372036854775810, i.e. -(2**63) - 2
LONG_STRING = "я" * 100_000
NESTING_DEPTH = 10_000
OVERSIZED_BYTES = 2 * 1024 * 1024 + 4096
METHODS = ("get", "post", "put", "patch", "delete")

#: Where each service publishes its document through the gateway.
OPENAPI_PATHS = {service.name: f"{service.prefix}/openapi.json" for service in SERVICES}

#: Provider notifications are not documented with a body (the provider owns their shape); these
#: are plausible unsigned notifications, so the guard in front of the signature check is probed.
WEBHOOK_BODIES: dict[str, Any] = {
    "/webhooks/yookassa": {
        "type": "notification",
        "event": "payment.succeeded",
        "object": {
            "id": "2f6b2c3a-000f-5000-9000-1c0ffee00001",
            "status": "succeeded",
            "paid": True,
            "amount": {"value": "150.00", "currency": "RUB"},
            "metadata": {"payment_id": "5f7d7c3e-3b0e-4c55-9d8e-0c0ffee00001"},
        },
    },
    "/webhooks/tbank": {
        "TerminalKey": "ParovozDemo",
        "OrderId": "5f7d7c3e-3b0e-4c55-9d8e-0c0ffee00002",
        "Success": True,
        "Status": "CONFIRMED",
        "PaymentId": 700000001,
        "ErrorCode": "0",
        "Amount": 15000,
        "Token": "0" * 64,
    },
}


#: Path parameter values that name something real (filled by ``prepare``): an operation on an
#: existing game reaches its validation instead of stopping at 404.
KNOWN_VALUES: dict[str, str] = {"currency": "USD"}

#: A developer account of the calling user (a real ИНН), so developer-portal's operations reach
#: their validation instead of 'not a member of any developer account'.
DEVELOPER_ACCOUNT = {
    "data": {
        "type": "developerAccountCreation",
        "attributes": {
            "company_name": "Студия Контракт",
            "legal_entity_type": "llc",
            "tax_id": "7707083893",
            "contact_email": "contract@example.com",
            "country_code": "RU",
        },
    }
}
PAYOUT_METHOD = {
    "data": {
        "type": "payoutMethods",
        "attributes": {
            "recipient_name": "ООО «Студия Контракт»",
            "inn": "7707083893",
            "kpp": "773601001",
            "bik": "044525225",
            "account_number": "40702810900000000042",
            "correspondent_account": "30101810400000000225",
            "bank_name": "ПАО Сбербанк",
        },
    }
}


def prepare(client: httpx.Client, token: str) -> None:
    """The calling user opens a developer account, drafts a game and adds a payout method; their
    ids become the values of the path parameters that name them."""
    headers = {"Authorization": f"Bearer {token}"}
    developer = next(s.prefix for s in SERVICES if s.name == "developer-portal")
    steps = [
        ("/accounts", DEVELOPER_ACCOUNT, None),
        (
            "/games",
            {"data": {"type": "productCreation", "attributes": {"title": "Игра"}}},
            "game_id",
        ),
        ("/finance/payout-methods", PAYOUT_METHOD, "method_id"),
    ]
    for path, body, name in steps:
        answer = client.post(
            f"{developer}{path}",
            json=body,
            headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
        )
        assert answer.status_code == 201, f"{path}: {answer.status_code} {answer.text[:300]}"
        if name:
            KNOWN_VALUES[name] = answer.json()["data"]["id"]


# --------------------------------------------------------------------------- the documents


@functools.cache
def openapi(service: str) -> dict[str, Any]:
    """The service's OpenAPI document as the gateway serves it (the platform must be up)."""
    url = f"{GATEWAY}{OPENAPI_PATHS[service]}"
    try:
        response = httpx.get(url, timeout=15)
    except httpx.HTTPError as error:  # pragma: no cover - the platform is down
        raise RuntimeError(f"{url} is not answering; run `make dev` first ({error!r})") from None
    response.raise_for_status()
    return response.json()


@dataclass(frozen=True)
class Operation:
    service: str
    method: str  # upper case
    path: str  # as documented, with {templates}

    @property
    def spec(self) -> dict[str, Any]:
        return openapi(self.service)["paths"][self.path][self.method.lower()]

    @property
    def id(self) -> str:
        return f"{self.service}:{self.method} {self.path}"

    @property
    def is_webhook(self) -> bool:
        return self.path.startswith("/webhooks/")

    def parameters(self, location: str) -> list[dict[str, Any]]:
        schema = Schemas(self.service)
        found = [schema.resolve(p) for p in self.spec.get("parameters", [])]
        return [p for p in found if p.get("in") == location]

    def body_schema(self) -> dict[str, Any] | None:
        body = self.spec.get("requestBody")
        if body is None:
            return None
        body = Schemas(self.service).resolve(body)
        media = body.get("content", {}).get("application/json")
        return None if media is None else media.get("schema", {})

    def body_example(self) -> Any:
        """The documented example of the body (media type first, then the schema's)."""
        body = self.spec.get("requestBody")
        if body is None:
            return None
        media = Schemas(self.service).resolve(body).get("content", {}).get("application/json", {})
        if "example" in media:
            return media["example"]
        for example in (media.get("examples") or {}).values():
            example = Schemas(self.service).resolve(example)
            if "value" in example:
                return example["value"]
        schema = Schemas(self.service).resolve(media.get("schema", {}))
        if "example" in schema:
            return schema["example"]
        if schema.get("examples"):
            return schema["examples"][0]
        return None

    def has_body(self) -> bool:
        return self.is_webhook or self.body_schema() is not None


def operations(service: str) -> list[Operation]:
    """Every documented public operation (``/internal/*`` is not routed by the gateway)."""
    found = []
    for path, item in openapi(service)["paths"].items():
        if path.startswith("/internal/"):
            continue
        for method in METHODS:
            if method in item:
                found.append(Operation(service, method.upper(), path))
    return found


# --------------------------------------------------------------------------- JSON schema


class Schemas:
    """$ref resolution, synthesis of a valid value and the leaves a value can be poisoned at."""

    def __init__(self, service: str) -> None:
        self.document = openapi(service)

    def resolve(self, node: Any) -> Any:
        seen = 0
        while isinstance(node, dict) and "$ref" in node and seen < 20:
            target: Any = self.document
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
            seen += 1
        return node

    def alternatives(self, schema: dict[str, Any]) -> list[dict[str, Any]]:
        """The non-null alternatives of a schema (anyOf/oneOf), resolved; allOf merged."""
        schema = self.resolve(schema)
        for key in ("anyOf", "oneOf"):
            if key in schema:
                options = [self.resolve(option) for option in schema[key]]
                return [o for o in options if o.get("type") != "null"] or options[:1]
        if "allOf" in schema:
            merged: dict[str, Any] = {}
            for part in schema["allOf"]:
                part = self.resolve(part)
                for name, value in part.items():
                    if name in ("properties",):
                        merged.setdefault("properties", {}).update(value)
                    elif name == "required":
                        merged.setdefault("required", []).extend(value)
                    else:
                        merged.setdefault(name, value)
            return [merged]
        return [schema]

    def synthesize(self, schema: dict[str, Any], depth: int = 0) -> Any:
        schema = self.alternatives(schema)[0]
        if "const" in schema:
            return schema["const"]
        if schema.get("enum"):
            return schema["enum"][0]
        if "example" in schema:
            return schema["example"]
        if schema.get("examples") and isinstance(schema["examples"], list):
            return schema["examples"][0]
        if "default" in schema and schema["default"] is not None:
            return schema["default"]
        kind = schema.get("type")
        if kind == "object" or "properties" in schema:
            if depth > 8:
                return {}
            properties = schema.get("properties", {})
            return {
                name: self.synthesize(properties[name], depth + 1)
                for name in schema.get("required", [])
                if name in properties
            }
        if kind == "array":
            count = schema.get("minItems", 0)
            return [self.synthesize(schema.get("items", {}), depth + 1) for _ in range(count)]
        if kind == "integer":
            return _bounded(100, schema)
        if kind == "number":
            return float(_bounded(100, schema))
        if kind == "boolean":
            return False
        if kind == "string":
            return _string(schema)
        return "contract"

    def leaves(
        self, schema: dict[str, Any], path: tuple[Any, ...] = (), depth: int = 0
    ) -> Iterator[tuple[tuple[Any, ...], str]]:
        """(path, kind) of every scalar field the schema allows, optional ones included; kind is
        one of string, integer, date, datetime, number, boolean."""
        if depth > 8:
            return
        for option in self.alternatives(schema):
            kind = option.get("type")
            if kind == "object" or "properties" in option:
                for name, child in option.get("properties", {}).items():
                    yield from self.leaves(child, (*path, name), depth + 1)
            elif kind == "array":
                yield from self.leaves(option.get("items", {}), (*path, 0), depth + 1)
            elif kind == "string":
                yield (
                    path,
                    {"date": "date", "date-time": "datetime"}.get(
                        option.get("format", ""), "string"
                    ),
                )
            elif kind in ("integer", "number", "boolean"):
                yield path, kind


_STRING_KINDS = {"date": "date", "date-time": "datetime"}


def _bounded(preferred: int, schema: dict[str, Any]) -> int:
    low = schema.get("minimum")
    if isinstance(schema.get("exclusiveMinimum"), int | float):
        low = schema["exclusiveMinimum"] + 1
    high = schema.get("maximum")
    if isinstance(schema.get("exclusiveMaximum"), int | float):
        high = schema["exclusiveMaximum"] - 1
    value = preferred
    if low is not None:
        value = max(value, int(low))
    if high is not None:
        value = min(value, int(high))
    return value


_FORMATS = {
    "uuid": lambda: str(uuid.uuid4()),
    "date": lambda: "2026-01-15",
    "date-time": lambda: "2026-01-15T12:00:00Z",
    "email": lambda: "contract@example.com",
    "uri": lambda: "https://example.com/return",
    "url": lambda: "https://example.com/return",
}
_PATTERN_CANDIDATES = ("RUB", "RU", "ru", "contract", "ООО", "x", "1", "A1", "0" * 10, "0" * 12)


def _string(schema: dict[str, Any]) -> str:
    if schema.get("format") in _FORMATS:
        return _FORMATS[schema["format"]]()
    pattern = schema.get("pattern")
    low, high = schema.get("minLength", 0), schema.get("maxLength", 10_000)
    if pattern:
        for candidate in _PATTERN_CANDIDATES:
            if low <= len(candidate) <= high and re.search(pattern, candidate):
                return candidate
    value = "contract"
    if len(value) < low:
        value = value + "x" * (low - len(value))
    return value[:high] if high >= 1 else value


# --------------------------------------------------------------------------- requests


@dataclass
class Request:
    method: str
    path: str
    params: dict[str, str] = field(default_factory=dict)
    json_body: Any = None
    has_json: bool = False
    content: bytes | None = None
    content_type: str | None = None

    def send(self, client: httpx.Client, token: str) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())}
        kwargs: dict[str, Any] = {"params": self.params, "headers": headers}
        if self.content is not None:
            headers["Content-Type"] = self.content_type or "application/json"
            kwargs["content"] = self.content
        elif self.has_json:
            headers["Content-Type"] = "application/json"
            kwargs["content"] = json.dumps(self.json_body, ensure_ascii=False).encode()
        return client.request(self.method, self.path, **kwargs)


@dataclass(frozen=True)
class BaseParts:
    path_values: dict[str, str]
    query: dict[str, str]
    body: Any
    has_body: bool


@functools.cache
def base_parts(operation: Operation) -> BaseParts:
    schemas = Schemas(operation.service)
    path_values = {
        p["name"]: KNOWN_VALUES.get(p["name"]) or _as_text(schemas.synthesize(p.get("schema", {})))
        for p in operation.parameters("path")
    }
    query = {
        p["name"]: _as_text(schemas.synthesize(p.get("schema", {})))
        for p in operation.parameters("query")
        if p.get("required")
    }
    if operation.is_webhook:
        return BaseParts(path_values, query, WEBHOOK_BODIES.get(operation.path, {}), True)
    body_schema = operation.body_schema()
    if body_schema is None:
        return BaseParts(path_values, query, None, False)
    example = operation.body_example()
    body = example if example is not None else schemas.synthesize(body_schema)
    return BaseParts(path_values, query, body, True)


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def base_request(operation: Operation) -> Request:
    parts = base_parts(operation)
    path = operation.path
    for name, value in parts.path_values.items():
        path = path.replace("{" + name + "}", value)
    return Request(
        operation.method,
        path,
        params=dict(parts.query),
        json_body=copy.deepcopy(parts.body),
        has_json=parts.has_body,
    )


# --------------------------------------------------------------------------- poison variants

#: exact: exactly 400 whatever the base request gets; strict: 400 unless the base request is
#: refused as 401/403/404 first; 413 / 415: that status (415 or 400 for a form body).
EXACT, STRICT, TOO_LARGE, MEDIA = "exact-400", "400-unless-refused", "413", "415"


@dataclass(frozen=True)
class Variant:
    name: str
    expectation: str
    location: str  # body, query, path, raw
    target: Any = None  # body path tuple / parameter name
    value: Any = None

    def apply(self, operation: Operation) -> Request:
        request = base_request(operation)
        if self.location == "body":
            request.json_body = _set_at(request.json_body, self.target, self.value)
        elif self.location == "query":
            request.params[self.target] = self.value
        elif self.location == "path":
            parts = base_parts(operation)
            path = operation.path
            for name, value in parts.path_values.items():
                path = path.replace("{" + name + "}", self.value if name == self.target else value)
            request.path = path
        elif self.location == "raw":
            request.content, request.content_type = _raw_bodies()[self.target]
        return request


@functools.cache
def _raw_bodies() -> dict[str, tuple[bytes, str]]:
    return {
        "deep-nesting": (b"[" * NESTING_DEPTH + b"]" * NESTING_DEPTH, "application/json"),
        "not-json": (
            b'{"data": {"type": "x", "attributes": {"title": "unterminated',
            "application/json",
        ),
        "form-encoded": (b"data%5Btype%5D=x&title=contract", "application/x-www-form-urlencoded"),
        "oversized": (
            b'{"data": {"padding": "' + b"x" * OVERSIZED_BYTES + b'"}}',
            "application/json",
        ),
    }


def _set_at(body: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(head, int):
        container = body if isinstance(body, list) else []
        if not container:
            container.append({} if rest and not isinstance(rest[0], int) else None)
        container[0] = _set_at(container[0], rest, value)
        return container
    container = body if isinstance(body, dict) else {}
    container[head] = _set_at(container.get(head), rest, value)
    return container


def _body_leaves(operation: Operation) -> list[tuple[tuple[Any, ...], str]]:
    if operation.is_webhook:
        return list(_value_leaves(WEBHOOK_BODIES.get(operation.path, {})))
    schema = operation.body_schema()
    if schema is None:
        return []
    seen: dict[tuple[tuple[Any, ...], str], None] = {}
    for leaf in Schemas(operation.service).leaves(schema):
        seen.setdefault(leaf, None)
    return list(seen)


def _value_leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(value, dict):
        for name, child in value.items():
            yield from _value_leaves(child, (*path, name))
    elif isinstance(value, list):
        for child in value[:1]:
            yield from _value_leaves(child, (*path, 0))
    elif isinstance(value, bool):
        yield path, "boolean"
    elif isinstance(value, int):
        yield path, "integer"
    elif isinstance(value, str):
        yield path, "string"


def _pointer(path: tuple[Any, ...]) -> str:
    return "/" + "/".join(str(part) for part in path)


def _param_kind(schemas: Schemas, parameter: dict[str, Any]) -> set[str]:
    kinds = set()
    for option in schemas.alternatives(parameter.get("schema", {})):
        kind = option.get("type")
        if kind == "string":
            kinds.add(
                {"date": "date", "date-time": "datetime"}.get(option.get("format", ""), "string")
            )
        elif kind:
            kinds.add(kind)
    return kinds


def variants(operation: Operation) -> list[Variant]:
    found: list[Variant] = []
    for path, kind in _body_leaves(operation):
        where = _pointer(path)
        if kind in ("string", "date", "datetime"):
            found.append(Variant(f"body{where}=NUL", EXACT, "body", path, "con\x00tract"))
            found.append(Variant(f"body{where}=100k-chars", STRICT, "body", path, LONG_STRING))
        if kind in ("date", "datetime"):
            found.append(Variant(f"body{where}=0", STRICT, "body", path, 0))
        if kind == "integer":
            found.append(Variant(f"body{where}=int64+1", EXACT, "body", path, INT64_OVERFLOW))
            found.append(Variant(f"body{where}=-int64-2", EXACT, "body", path, INT64_UNDERFLOW))
            found.append(Variant(f"body{where}=1.5", STRICT, "body", path, 1.5))
            found.append(Variant(f"body{where}='15000.00'", STRICT, "body", path, "15000.00"))
    schemas = Schemas(operation.service)
    for parameter in operation.parameters("query"):
        name, kinds = parameter["name"], _param_kind(schemas, parameter)
        found.append(Variant(f"query:{name}=NUL", EXACT, "query", name, "con\x00tract"))
        if "integer" in kinds:
            found.append(
                Variant(f"query:{name}=int64+1", EXACT, "query", name, str(INT64_OVERFLOW))
            )
            found.append(
                Variant(f"query:{name}=-int64-2", EXACT, "query", name, str(INT64_UNDERFLOW))
            )
        if kinds & {"date", "datetime"}:
            found.append(Variant(f"query:{name}=0", STRICT, "query", name, "0"))
    for parameter in operation.parameters("path"):
        name = parameter["name"]
        found.append(Variant(f"path:{name}=NUL", EXACT, "path", name, "con%00tract"))
    if operation.has_body():
        found.append(Variant("deep-nesting", EXACT, "raw", "deep-nesting"))
        found.append(Variant("not-json", EXACT, "raw", "not-json"))
        found.append(Variant("form-encoded", MEDIA, "raw", "form-encoded"))
        found.append(Variant("oversized", TOO_LARGE, "raw", "oversized"))
    return found


def all_cases() -> list[tuple[Operation, Variant]]:
    return [
        (operation, variant)
        for service in OPENAPI_PATHS
        for operation in operations(service)
        for variant in variants(operation)
    ]


# --------------------------------------------------------------------------- expectations


def error_format_problems(response: httpx.Response) -> list[str]:
    """Seed 001's error body: {"errors": [{"status", "code", "title", "detail", ...}]}."""
    try:
        body = response.json()
    except ValueError:
        snippet = response.text[:120].replace("\n", " ")
        content_type = response.headers.get("content-type")
        return [f"{response.status_code} is not JSON ({content_type}): {snippet!r}"]
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list) or not errors:
        return [f"{response.status_code} without an errors list: {str(body)[:160]}"]
    problems = []
    for error in errors:
        if not isinstance(error, dict):
            problems.append(f"an error is not an object: {error!r}")
            continue
        missing = [k for k in ("status", "code", "title", "detail") if not error.get(k)]
        if missing:
            problems.append(f"error without {missing}: {str(error)[:160]}")
        elif error["status"] != str(response.status_code):
            problems.append(f"error status {error['status']!r} in a {response.status_code} answer")
    return problems


def expectation_problems(
    variant: Variant, response: httpx.Response, base_status: int | None
) -> list[str]:
    status = response.status_code
    problems: list[str] = []
    if status >= 500:
        return [f"server error {status}: {response.text[:200]}"]
    if status < 400:
        problems.append(f"accepted with {status}")
    else:
        problems.extend(error_format_problems(response))
    refused_first = base_status in (401, 403, 404)
    if variant.expectation == EXACT and status != 400:
        problems.append(f"expected exactly 400, got {status}")
    elif variant.expectation == STRICT and not refused_first and status != 400:
        problems.append(f"expected 400 (base request got {base_status}), got {status}")
    elif variant.expectation == TOO_LARGE:
        if status != 413:
            problems.append(f"expected 413, got {status}")
        elif "FILE_TOO_LARGE" not in _codes(response):
            problems.append(f"413 with codes {_codes(response)}, expected FILE_TOO_LARGE")
    elif variant.expectation == MEDIA:
        if status not in (400, 415):
            problems.append(f"expected 415 (or 400), got {status}")
        elif "application/json" not in response.text:
            problems.append("the refusal does not say to send application/json")
    if variant.name == "not-json" and status == 400 and not _mentions_position(response):
        problems.append("the refusal of broken JSON names no line and column")
    if status == 400 and not problems:
        problems.extend(_source_problems(variant, response))
    return problems


def _source_problems(variant: Variant, response: httpx.Response) -> list[str]:
    """A refused field is named: ``source.pointer`` for a body field, ``source.parameter`` for a
    query parameter."""
    sources = [e.get("source") or {} for e in response.json()["errors"] if isinstance(e, dict)]
    if variant.location == "body":
        field = _pointer(variant.target)
        pointers = [str(s.get("pointer")) for s in sources if "pointer" in s]
        if not any(p == field or p.startswith(field + "/") for p in pointers):
            return [f"400 without source.pointer {field} (pointers: {pointers})"]
    if variant.location == "query":
        parameters = [s.get("parameter") for s in sources]
        if variant.target not in parameters:
            return [f"400 without source.parameter {variant.target!r} (got {sources})"]
    return []


def _codes(response: httpx.Response) -> list[str]:
    try:
        return [str(e.get("code")) for e in response.json().get("errors", [])]
    except (ValueError, AttributeError):
        return []


def _mentions_position(response: httpx.Response) -> bool:
    text = response.text.lower()
    return bool(re.search(r"(line|строк)\D{0,12}\d", text)) and bool(
        re.search(r"(column|col|столб|позици)\D{0,12}\d", text)
    )
