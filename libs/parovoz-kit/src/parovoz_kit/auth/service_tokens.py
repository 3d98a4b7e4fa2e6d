"""This service's own access token (OAuth2 client credentials), attached to every gRPC call.

The token is fetched from the auth service, cached until shortly before it expires, and
shared by all concurrent calls (one fetch at a time). The client secret and the token never
appear in logs or errors.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable
from typing import Any

import grpc
import httpx
from pydantic import BaseModel, Field, SecretStr

from parovoz_kit.errors import Unavailable

log = logging.getLogger(__name__)


class ServiceTokenConfig(BaseModel):
    token_url: str = "http://127.0.0.1:8090/oauth/token"
    client_id: str
    client_secret: SecretStr
    #: Renew this long before expiry, so a token never expires in flight.
    refresh_margin_seconds: float = Field(default=30.0, ge=0)
    timeout_seconds: float = Field(default=2.0, gt=0)


class ServiceTokenSource:
    """``await source.token()`` → a valid access token for this service."""

    def __init__(
        self,
        config: ServiceTokenConfig,
        *,
        http_client: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._config = config
        self._http = http_client or httpx.AsyncClient(timeout=config.timeout_seconds)
        self._owns_http = http_client is None
        self._clock = clock
        self._token: str | None = None
        self._renew_at = -math.inf
        self._lock = asyncio.Lock()
        #: How many tokens were fetched; for tests and metrics.
        self.fetch_count = 0

    async def token(self) -> str:
        if self._token is not None and self._clock() < self._renew_at:
            return self._token
        async with self._lock:
            # Re-check: a concurrent caller may have fetched while this one waited.
            if self._token is None or self._clock() >= self._renew_at:
                await self._fetch()
            assert self._token is not None
            return self._token

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def _fetch(self) -> None:
        config = self._config
        form = {
            "grant_type": "client_credentials",
            "client_id": config.client_id,
            "client_secret": config.client_secret.get_secret_value(),
        }
        requested_at = self._clock()
        self.fetch_count += 1
        try:
            response = await self._http.post(config.token_url, data=form)
        except httpx.HTTPError as error:
            log.warning("service token request failed", extra={"error": type(error).__name__})
            raise _unavailable() from None
        if response.status_code != 200:
            log.error(
                "service token refused",
                extra={"status": response.status_code, "client_id": config.client_id},
            )
            raise _unavailable()
        token, expires_in = _parse(response)
        # Renew at the margin, or half-way for very short tokens, counted from the request.
        margin = min(config.refresh_margin_seconds, expires_in / 2)
        self._token, self._renew_at = token, requested_at + expires_in - margin


def _parse(response: httpx.Response) -> tuple[str, float]:
    try:
        body: Any = response.json()
        token, expires_in = body["access_token"], float(body["expires_in"])
    except (ValueError, KeyError, TypeError):
        raise _unavailable() from None
    if not isinstance(token, str) or not token or expires_in <= 0:
        raise _unavailable()
    return token, expires_in


def _unavailable() -> Unavailable:
    return Unavailable(
        "This service cannot obtain its access token right now.",
        code="SERVICE_TOKEN_UNAVAILABLE",
    )


class _TokenAttacher:
    def __init__(self, tokens: ServiceTokenSource) -> None:
        self._tokens = tokens

    async def _with_token(self, details: grpc.aio.ClientCallDetails) -> grpc.aio.ClientCallDetails:
        token = await self._tokens.token()
        metadata = grpc.aio.Metadata()
        for key, value in details.metadata or ():
            if key != "authorization":
                metadata.add(key, value)
        metadata.add("authorization", f"Bearer {token}")
        return grpc.aio.ClientCallDetails(
            method=details.method,
            timeout=details.timeout,
            metadata=metadata,
            credentials=details.credentials,
            wait_for_ready=details.wait_for_ready,
        )


# grpc.aio files an interceptor under the FIRST call kind it implements, so each kind needs
# its own class; service_token_interceptors() returns all four.
class _UnaryUnaryToken(_TokenAttacher, grpc.aio.UnaryUnaryClientInterceptor):
    async def intercept_unary_unary(self, continuation, client_call_details, request):  # type: ignore[no-untyped-def]
        return await continuation(await self._with_token(client_call_details), request)


class _UnaryStreamToken(_TokenAttacher, grpc.aio.UnaryStreamClientInterceptor):
    async def intercept_unary_stream(self, continuation, client_call_details, request):  # type: ignore[no-untyped-def]
        return await continuation(await self._with_token(client_call_details), request)


class _StreamUnaryToken(_TokenAttacher, grpc.aio.StreamUnaryClientInterceptor):
    async def intercept_stream_unary(self, continuation, client_call_details, request_iterator):  # type: ignore[no-untyped-def]
        return await continuation(await self._with_token(client_call_details), request_iterator)


class _StreamStreamToken(_TokenAttacher, grpc.aio.StreamStreamClientInterceptor):
    async def intercept_stream_stream(self, continuation, client_call_details, request_iterator):  # type: ignore[no-untyped-def]
        return await continuation(await self._with_token(client_call_details), request_iterator)


def service_token_interceptors(tokens: ServiceTokenSource) -> list[grpc.aio.ClientInterceptor]:
    """Client interceptors adding ``authorization: Bearer <service token>`` to every call kind."""
    return [
        _UnaryUnaryToken(tokens),
        _UnaryStreamToken(tokens),
        _StreamUnaryToken(tokens),
        _StreamStreamToken(tokens),
    ]
