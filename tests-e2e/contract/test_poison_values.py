"""Poison values against every documented operation of every service, through the gateway
(issue 11, "Proof"): NUL in every string, query and path parameter; 100,000-character strings;
integers past int64; floats and numeric strings for integers; numbers for dates; 10,000 nested
brackets; broken JSON; a form body; a body over 2 MiB.

Never a 5xx; every 4xx in seed 001's error format; NUL, int64 overflow, deep nesting and broken
JSON are exactly 400; type confusion and overlong strings are 400 unless the same operation's
valid base request is refused first (401/403/404); a form body is 415 (or 400) naming
application/json; an oversized body is 413 FILE_TOO_LARGE. Then every service is still healthy.

The operations come from each service's OpenAPI as the gateway serves it, so the test follows the
documents. Ids read ``service:METHOD path|variant``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest
from contract.contract_support import (
    Operation,
    Variant,
    all_cases,
    base_request,
    expectation_problems,
    prepare,
)
from parovoz_testing.platform import GATEWAY, SERVICES
from parovoz_testing.tokens import user_token
from standin_auth.tokens import USER_ROLES

CASES = all_cases()


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(base_url=GATEWAY, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def token(client: httpx.Client) -> str:
    """A user with every platform role, who also has a developer account, a game and a payout
    method (so developer-portal's operations reach their validation instead of 404)."""
    token = user_token(str(uuid.uuid4()), tuple(sorted(USER_ROLES)))
    prepare(client, token)
    return token


@pytest.fixture(scope="module")
def base_statuses() -> dict[Operation, int]:
    return {}


def base_status(
    operation: Operation, client: httpx.Client, token: str, cache: dict[Operation, int]
) -> int:
    if operation not in cache:
        cache[operation] = base_request(operation).send(client, token).status_code
    return cache[operation]


@pytest.mark.parametrize(
    ("operation", "variant"),
    CASES,
    ids=[f"{operation.id}|{variant.name}" for operation, variant in CASES],
)
def test_poison_value_is_refused_in_the_error_format(
    operation: Operation,
    variant: Variant,
    client: httpx.Client,
    token: str,
    base_statuses: dict[Operation, int],
) -> None:
    base = base_status(operation, client, token, base_statuses)
    response = variant.apply(operation).send(client, token)

    problems = expectation_problems(variant, response, base)

    assert not problems, f"{operation.id} {variant.name}: {problems}"


def test_every_service_documents_operations_to_poison() -> None:
    by_service = {operation.service for operation, _ in CASES}
    assert {"developer-portal", "payment"} <= by_service
    assert {op.path for op, _ in CASES if op.is_webhook} == {
        "/webhooks/yookassa",
        "/webhooks/tbank",
    }
    names = {variant.name for _, variant in CASES}
    assert {"deep-nesting", "not-json", "form-encoded", "oversized"} <= names


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
@pytest.mark.parametrize("probe", ["health", "ready"])
def test_services_are_healthy_after_the_poison(service, probe: str, client: httpx.Client) -> None:
    response = client.get(f"{service.prefix}/{probe}")

    assert response.status_code == 200, response.text
