"""YooKassa's HTTP API v3, shared by its payments adapter, its payouts client and the receipts:
one way to open a connection (shop id + secret key, Basic auth) and one way to read an answer.

A refusal (4xx) is logged and raised with YooKassa's error ``code`` and ``parameter`` (both
checked to be short identifiers, never values), so a caller can tell which field was refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from parovoz_payment.clients.providers import transport
from parovoz_payment.clients.providers.config import ProviderConfig


def yookassa_http_client(config: ProviderConfig) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=config.yookassa_base_url.rstrip("/") + "/v3",
        auth=httpx.BasicAuth(
            config.yookassa_shop_id, config.yookassa_secret_key.get_secret_value()
        ),
        timeout=config.timeout(),
        headers={"Accept": "application/json"},
    )


class YooKassaRefused(transport.ProviderRejected):
    """A 4xx answer: ``code`` and ``parameter`` name what YooKassa did not accept."""

    def __init__(self, message: str, *, code: str | None, parameter: str | None) -> None:
        super().__init__(message)
        self.provider_code = code
        self.parameter = parameter

    @property
    def key_reused(self) -> bool:
        """The same Idempotence-Key with another body: the first request may have gone through."""
        return self.parameter == "Idempotence-Key"


async def yookassa_call(
    client: httpx.AsyncClient,
    name: str,
    method: str,
    path: str,
    body: Mapping[str, Any] | None = None,
    key: str | None = None,
    *,
    refused: str = "the request",
) -> dict[str, Any]:
    """One call; ``name`` labels logs and errors, ``refused`` says what a refusal refused."""
    headers = {"Idempotence-Key": key} if key is not None else None
    response = await transport.send(client, name, method, path, json=body, headers=headers)
    if response.status_code < 400:
        return transport.json_object(response, name)
    if response.status_code in (401, 403):
        # Our credentials are wrong: nothing the payer can fix, and failover helps.
        transport.log.error("%s refused our credentials (HTTP %d)", name, response.status_code)
        raise transport.provider_unavailable(name, "credentials refused", "PROVIDER_AUTH_FAILED")
    if response.status_code == 404:
        raise transport.not_found(name)
    error = _error_fields(response)
    code, parameter = transport.safe(error.get("code")), transport.safe(error.get("parameter"))
    transport.log.warning(
        "%s %s %s refused: HTTP %d code=%s parameter=%s",
        name, method, path, response.status_code, code, parameter,
    )  # fmt: skip
    where = f" (parameter {parameter})" if parameter else ""
    raise YooKassaRefused(
        f"{name} refused {refused}: {code or 'error'}{where}.", code=code, parameter=parameter
    )


def _error_fields(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
