"""Every service's public OpenAPI document, as a client gets it through the gateway, tells the
truth (the kit's post-processor, parovoz_kit.http.openapi) and documents every operation."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import jsonschema
import pytest
from parovoz_testing.platform import GATEWAY, SERVICES, ServiceUnderTest
from parovoz_testing.tokens import user_token

_METHODS = ("get", "put", "post", "delete", "patch")


@pytest.fixture(scope="module", params=SERVICES, ids=lambda s: s.name)
def document(request: pytest.FixtureRequest) -> dict[str, Any]:
    service: ServiceUnderTest = request.param
    response = httpx.get(f"{GATEWAY}{service.prefix}/openapi.json")
    assert response.status_code == 200
    return response.json()


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in _METHODS
    ]


def _generated_summary(path: str, method: str, operation: dict[str, Any]) -> str | None:
    """FastAPI's summary for a route that gave none: its function name, title-cased."""
    operation_id = operation.get("operationId", "")
    suffix = re.sub(r"\W", "_", path) + f"_{method}"
    if not operation_id.endswith(suffix):
        return None
    return operation_id.removesuffix(suffix).replace("_", " ").title()


def test_every_operation_has_a_summary_and_a_description(document: dict[str, Any]) -> None:
    undocumented = []
    for path, method, operation in _operations(document):
        summary = operation.get("summary", "")
        if not summary or summary == _generated_summary(path, method, operation):
            undocumented.append(f"{method.upper()} {path}: no summary")
        if not operation.get("description", "").strip():
            undocumented.append(f"{method.upper()} {path}: no description")
    assert not undocumented, "\n".join(undocumented)


def test_no_private_path_is_public(document: dict[str, Any]) -> None:
    for path in document["paths"]:
        assert "/internal" not in path, path
        assert not path.endswith("/metrics"), path
        assert path not in ("/health", "/ready"), path


def test_errors_are_documented_in_the_format_the_services_send(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "ValidationError" not in schemas
    validator = jsonschema.Draft202012Validator(
        {"$ref": "#/components/schemas/ErrorDocument", **document}
    )
    for path, method, operation in _operations(document):
        responses = operation["responses"]
        assert {"500", "503"} <= set(responses), (method, path)
        if "requestBody" in operation or operation.get("parameters"):
            assert "400" in responses, (method, path)
        for status, response in responses.items():
            if not status.startswith(("4", "5")):
                continue
            examples = response["content"]["application/json"]["examples"]
            assert examples, (method, path, status)
            for code, example in examples.items():
                validator.validate(example["value"])
                assert example["value"]["errors"][0]["code"] == code


def test_a_required_idempotency_key_is_required_in_fact(document: dict[str, Any]) -> None:
    """Where the document says the header is required, a request without it is refused with
    IDEMPOTENCY_KEY_REQUIRED naming the header (a signed-in admin, so that the key is what is
    missing; an empty body: the key is checked before the body)."""
    headers = {"Authorization": f"Bearer {user_token(str(uuid.uuid4()), ('admin',))}"}
    checked = 0
    for path, method, operation in _operations(document):
        keys = [p for p in operation.get("parameters", []) if p["name"] == "Idempotency-Key"]
        if not keys or not keys[0]["required"]:
            continue
        url = GATEWAY + re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)
        response = httpx.request(method, url, json={}, headers=headers)
        if response.status_code == 403:
            continue  # a route for another kind of caller (a service, a streamer...)
        assert response.status_code == 400, (method, path, response.text)
        errors = response.json()["errors"]
        assert {"code": "IDEMPOTENCY_KEY_REQUIRED", "parameter": "Idempotency-Key"} in [
            {"code": e["code"], "parameter": e.get("source", {}).get("parameter")} for e in errors
        ], (method, path, errors)
        checked += 1
    required = [
        operation
        for _, _, operation in _operations(document)
        for p in operation.get("parameters", [])
        if p["name"] == "Idempotency-Key" and p["required"]
    ]
    assert checked or not required
