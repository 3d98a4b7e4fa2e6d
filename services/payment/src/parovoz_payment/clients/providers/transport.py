"""HTTP to a provider and what its failures mean to us.

Down (5xx, 429, timeouts, refused connections, unreadable answers) → ``Unavailable``: the
circuit breaker counts it and routing fails over. A refusal (4xx) → ``BusinessRuleViolation``
``PROVIDER_REJECTED``: the provider is healthy, the request is not. Messages and logs name the
provider, the HTTP status and the provider's error code, never bodies, credentials or cards.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

import httpx
from parovoz_kit.errors import BusinessRuleViolation, NotFound, Unavailable

log = logging.getLogger("parovoz_payment.providers")

#: Provider error codes and parameter names are short identifiers; anything else is not echoed.
_SAFE_TOKEN = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")


def safe(value: Any) -> str | None:
    text = str(value) if value is not None else ""
    return text if _SAFE_TOKEN.match(text) else None


class ProviderRejected(BusinessRuleViolation):
    default_code = "PROVIDER_REJECTED"


def provider_unavailable(
    provider: str, why: str, code: str = "PROVIDER_UNAVAILABLE"
) -> Unavailable:
    return Unavailable(f"{provider} is unavailable right now ({why}); try again later.", code=code)


def not_found(provider: str) -> NotFound:
    return NotFound(f"{provider} does not know this object.", code="PROVIDER_OBJECT_NOT_FOUND")


async def send(
    client: httpx.AsyncClient,
    provider: str,
    method: str,
    path: str,
    *,
    json: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> httpx.Response:
    """One request; transport failures and 5xx/429 raise ``Unavailable``, nothing else does."""
    try:
        response = await client.request(method, path, json=json, headers=headers)
    except httpx.TimeoutException:
        log.warning("%s %s %s timed out", provider, method, path)
        raise provider_unavailable(provider, "timeout", "PROVIDER_TIMEOUT") from None
    except httpx.HTTPError as error:
        log.warning("%s %s %s failed: %s", provider, method, path, type(error).__name__)
        raise provider_unavailable(provider, "connection failed") from None
    if response.status_code >= 500 or response.status_code == 429:
        log.warning("%s %s %s answered %d", provider, method, path, response.status_code)
        raise provider_unavailable(provider, f"HTTP {response.status_code}")
    return response


def json_object(response: httpx.Response, provider: str) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        log.warning("%s answered HTTP %d with a non-object body", provider, response.status_code)
        raise provider_unavailable(provider, "unreadable answer", "PROVIDER_BAD_RESPONSE")
    return body


def field(body: Mapping[str, Any], name: str, kind: Any, provider: str) -> Any:
    """A required field of the provider's answer; missing or mistyped → bad response."""
    value = body.get(name)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        log.warning("%s answer lacks a valid %r", provider, name)
        raise provider_unavailable(provider, "unreadable answer", "PROVIDER_BAD_RESPONSE")
    return value
