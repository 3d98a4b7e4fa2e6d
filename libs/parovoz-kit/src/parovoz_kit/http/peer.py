"""A REST service we do not own (the user service, ...), asked with a short timeout behind a
circuit breaker: after a few failures in a row it is not asked for a while.

``get_json(path, read)``: a 200's JSON body through ``read`` (which answers None for a body it
cannot use), None for a 404 (the peer has no such thing), and :class:`PeerDown` for anything
else — a timeout, a refused connection, another status, an unreadable body, the breaker open —
with the reason. A 404 and a usable answer count as successes, the rest as failures.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import httpx

from parovoz_kit.grpc.breaker import CircuitBreaker, CircuitOpen

log = logging.getLogger(__name__)

T = TypeVar("T")


class PeerDown(Exception):
    """The peer could not be asked, or its answer was of no use; ``reason`` says which."""

    def __init__(self, peer: str, reason: str) -> None:
        super().__init__(f"{peer} unavailable: {reason}")
        self.peer, self.reason = peer, reason


class RestPeer:
    def __init__(
        self,
        name: str,
        base_url: str,
        *,
        timeout_seconds: float = 2.0,
        failure_threshold: int = 5,
        reset_timeout_seconds: float = 30.0,
        client: httpx.AsyncClient | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self._client = client or httpx.AsyncClient(
            base_url=base_url.rstrip("/"), timeout=timeout_seconds
        )
        self._breaker = CircuitBreaker(
            name,
            failure_threshold=failure_threshold,
            reset_timeout_seconds=reset_timeout_seconds,
            clock=monotonic,
        )

    async def get_json(self, path: str, read: Callable[[Any], T | None]) -> T | None:
        try:
            self._breaker.before_call()
        except CircuitOpen:
            raise PeerDown(self.name, "circuit open") from None
        try:
            response = await self._client.get(path)
        except httpx.HTTPError as error:
            self._failed(type(error).__name__)
        if response.status_code == 404:
            self._breaker.record_success()
            return None
        if response.status_code != 200:
            self._failed(f"HTTP {response.status_code}")
        try:
            answer = read(response.json())
        except ValueError:
            answer = None
        if answer is None:
            self._failed("unreadable answer")
        self._breaker.record_success()
        return answer

    def _failed(self, reason: str) -> NoReturn:
        self._breaker.record_failure()
        log.warning("peer unavailable", extra={"peer": self.name, "reason": reason})
        raise PeerDown(self.name, reason)

    async def aclose(self) -> None:
        await self._client.aclose()
