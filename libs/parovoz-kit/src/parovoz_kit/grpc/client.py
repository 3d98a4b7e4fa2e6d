"""Calling a peer over gRPC: a deadline on every call, retries for idempotent methods only,
a circuit breaker per peer, kit errors instead of gRPC errors, and this service's token.

Usage::

    peer = PeerClient(GrpcPeerConfig(name="developer-portal", target="127.0.0.1:9091",
                                     idempotent_methods={"GetGame", "GetDeveloper"}),
                      token_source=service_tokens)
    games = peer.stub(DeveloperServiceStub)
    response = await games.GetGame(GetGameRequest(game_id=...))   # raises kit errors

Retries are done here with tenacity, not by gRPC's retry service config: each attempt must
get its own deadline (the service config's deadline spans all attempts, so it cannot retry a
DEADLINE_EXCEEDED), and every attempt must be seen by the breaker and counted in metrics.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import grpc
from prometheus_client import Counter, Gauge
from pydantic import BaseModel, ConfigDict, Field
from tenacity import (
    AsyncRetrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from parovoz_kit.auth.service_tokens import ServiceTokenSource, service_token_interceptors
from parovoz_kit.errors import ParovozError
from parovoz_kit.grpc.breaker import BreakerState, CircuitBreaker, CircuitOpen
from parovoz_kit.grpc.errors import error_from_status

log = logging.getLogger(__name__)
StubT = TypeVar("StubT")

#: Worth another attempt (idempotent methods only): the peer is down, or was too slow.
RETRYABLE = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED})
#: Count against the peer's health. A NOT_FOUND or a refused business rule is a healthy answer.
BREAKER_FAILURES = RETRYABLE

GRPC_CLIENT_CALLS = Counter(
    "grpc_client_calls_total",
    "gRPC call attempts to peers (code CIRCUIT_OPEN: refused by the breaker, not sent)",
    ["peer", "method", "code"],
)
GRPC_CLIENT_BREAKER_STATE = Gauge(
    "grpc_client_breaker_state", "Circuit breaker per peer: 0 closed, 1 half-open, 2 open", ["peer"]
)


class GrpcPeerConfig(BaseModel):
    """How to call one peer. Method names may be bare (``GetGame``) or full
    (``/parovoz.developer.v1.DeveloperService/GetGame``)."""

    model_config = ConfigDict(frozen=True)

    name: str
    target: str
    deadline_seconds: float = Field(default=2.0, gt=0)
    method_deadline_seconds: dict[str, float] = Field(default_factory=dict)
    max_attempts: int = Field(default=3, ge=1, le=10)
    backoff_initial_seconds: float = Field(default=0.1, gt=0)
    backoff_max_seconds: float = Field(default=2.0, gt=0)
    #: Only these are retried: a retried non-idempotent call could act twice.
    idempotent_methods: frozenset[str] = frozenset()
    breaker_failure_threshold: int = Field(default=5, ge=1)
    breaker_reset_timeout_seconds: float = Field(default=10.0, gt=0)
    #: Caps gRPC's reconnect backoff (120 s by default) so a restarted peer is found quickly.
    reconnect_backoff_max_seconds: float = Field(default=5.0, gt=0)

    def deadline_for(self, method: str) -> float:
        for name in _names(method):
            if name in self.method_deadline_seconds:
                return self.method_deadline_seconds[name]
        return self.deadline_seconds

    def is_idempotent(self, method: str) -> bool:
        return any(name in self.idempotent_methods for name in _names(method))


def _names(method: str) -> tuple[str, str, str]:
    full = method.lstrip("/")
    return f"/{full}", full, full.rpartition("/")[2]


def _method_of(details: grpc.aio.ClientCallDetails) -> str:
    method = details.method
    return method.decode() if isinstance(method, bytes) else method


class _DeadlineSetter:
    def __init__(self, config: GrpcPeerConfig) -> None:
        self._config = config

    def _with_deadline(self, details: grpc.aio.ClientCallDetails) -> grpc.aio.ClientCallDetails:
        if details.timeout is not None:  # the caller chose one
            return details
        return grpc.aio.ClientCallDetails(
            method=details.method,
            timeout=self._config.deadline_for(_method_of(details)),
            metadata=details.metadata,
            credentials=details.credentials,
            wait_for_ready=details.wait_for_ready,
        )


# Streams are not retried (responses may already have been consumed) nor judged by the
# breaker; they still never run without a deadline. One class per kind: grpc.aio files an
# interceptor under the first call kind it implements.
class _UnaryStreamDeadline(_DeadlineSetter, grpc.aio.UnaryStreamClientInterceptor):
    async def intercept_unary_stream(self, continuation, client_call_details, request):  # type: ignore[no-untyped-def]
        return await continuation(self._with_deadline(client_call_details), request)


class _StreamUnaryDeadline(_DeadlineSetter, grpc.aio.StreamUnaryClientInterceptor):
    async def intercept_stream_unary(self, continuation, client_call_details, request_iterator):  # type: ignore[no-untyped-def]
        return await continuation(self._with_deadline(client_call_details), request_iterator)


class _StreamStreamDeadline(_DeadlineSetter, grpc.aio.StreamStreamClientInterceptor):
    async def intercept_stream_stream(self, continuation, client_call_details, request_iterator):  # type: ignore[no-untyped-def]
        return await continuation(self._with_deadline(client_call_details), request_iterator)


class ResilienceInterceptor(_DeadlineSetter, grpc.aio.UnaryUnaryClientInterceptor):
    """Deadline, retries, breaker and error translation for unary calls."""

    def __init__(
        self,
        config: GrpcPeerConfig,
        breaker: CircuitBreaker,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        super().__init__(config)
        self._breaker = breaker
        self._sleep = sleep

    async def intercept_unary_unary(self, continuation, client_call_details, request):  # type: ignore[no-untyped-def]
        details = self._with_deadline(client_call_details)
        method = _method_of(details)
        attempts = self._config.max_attempts if self._config.is_idempotent(method) else 1
        retrying = AsyncRetrying(
            stop=stop_after_attempt(attempts),
            # Exponential backoff plus jitter, so replicas do not retry in lockstep.
            wait=wait_exponential(
                multiplier=self._config.backoff_initial_seconds,
                max=self._config.backoff_max_seconds,
            )
            + wait_random(0, self._config.backoff_initial_seconds),
            retry=retry_if_exception(
                lambda error: isinstance(error, grpc.aio.AioRpcError) and error.code() in RETRYABLE
            ),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            return await retrying(self._attempt, continuation, details, request, method)
        except grpc.aio.AioRpcError as error:
            raise self._kit_error(error, method) from None

    async def _attempt(self, continuation, details, request, method: str) -> Any:  # type: ignore[no-untyped-def]
        peer, label = self._config.name, method.lstrip("/")
        try:
            trial = self._breaker.before_call()
        except CircuitOpen:
            GRPC_CLIENT_CALLS.labels(peer, label, "CIRCUIT_OPEN").inc()
            raise
        if trial:
            # The channel may still be backing off from the outage; let the trial wait for a
            # connection (within its deadline) instead of failing on the stale state.
            details = details._replace(wait_for_ready=True)
        try:
            call = await continuation(details, request)
            response = await call
        except grpc.aio.AioRpcError as error:
            code = error.code()
            if code in BREAKER_FAILURES:
                self._breaker.record_failure()
            else:
                self._breaker.record_success()
            GRPC_CLIENT_CALLS.labels(peer, label, code.name).inc()
            raise
        except BaseException:
            # Cancelled, or our own token could not be had: says nothing about the peer.
            self._breaker.record_neutral()
            raise
        self._breaker.record_success()
        GRPC_CLIENT_CALLS.labels(peer, label, "OK").inc()
        return response

    def _kit_error(self, error: grpc.aio.AioRpcError, method: str) -> ParovozError:
        status, details = error.code(), error.details() or ""
        prefix, _, rest = details.partition(": ")
        if rest and prefix.isupper():  # our peer raised a kit error: keep its code and detail
            return error_from_status(status, details)
        # A transport-level failure: its text (addresses, internals) stays in our logs.
        log.warning(
            "gRPC call failed",
            extra={"peer": self._config.name, "method": method, "status": status.name},
        )
        detail = f"{self._config.name} answered {status.name} to {method.rpartition('/')[2]}."
        return error_from_status(status, f"PEER_{status.name}: {detail}")


class PeerClient:
    """One channel to a peer, with its breaker; create it inside the running event loop."""

    def __init__(
        self,
        config: GrpcPeerConfig,
        *,
        token_source: ServiceTokenSource | None = None,
        interceptors: Sequence[grpc.aio.ClientInterceptor] = (),
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.config = config
        gauge = GRPC_CLIENT_BREAKER_STATE.labels(config.name)
        gauge.set(BreakerState.CLOSED)
        self.breaker = CircuitBreaker(
            config.name,
            failure_threshold=config.breaker_failure_threshold,
            reset_timeout_seconds=config.breaker_reset_timeout_seconds,
            clock=clock,
            on_state_change=lambda state: gauge.set(state.value),
        )
        # Outermost first: each retry attempt goes through the token interceptor again.
        chain: list[grpc.aio.ClientInterceptor] = [
            ResilienceInterceptor(config, self.breaker, sleep),
            _UnaryStreamDeadline(config),
            _StreamUnaryDeadline(config),
            _StreamStreamDeadline(config),
        ]
        if token_source is not None:
            chain.extend(service_token_interceptors(token_source))
        chain.extend(interceptors)
        backoff_ms = int(config.reconnect_backoff_max_seconds * 1000)
        options = [
            ("grpc.max_reconnect_backoff_ms", backoff_ms),
            ("grpc.initial_reconnect_backoff_ms", min(1000, backoff_ms)),
            ("grpc.min_reconnect_backoff_ms", min(1000, backoff_ms)),
        ]
        self.channel = grpc.aio.insecure_channel(config.target, options=options, interceptors=chain)

    def stub(self, stub_class: Callable[[grpc.aio.Channel], StubT]) -> StubT:
        return stub_class(self.channel)

    async def close(self) -> None:
        await self.channel.close()

    async def __aenter__(self) -> PeerClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()
