"""grpc.aio server interceptor: service-token auth, kit errors → status codes, metrics.

Use :func:`standard_server_interceptors`: one layer that records every outcome (auth refusals
included), authenticates and authorizes the caller, and turns kit errors into their status
codes. Every method is wrapped once, unary or streaming, in a *guard*: an async context
manager around the whole call.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import AsyncIterator, Callable, Collection, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from contextvars import ContextVar
from typing import Any

import grpc
from google.protobuf.descriptor import ServiceDescriptor
from grpc_health.v1 import health_pb2
from prometheus_client import Counter, Histogram

from parovoz_kit.auth.principal import Principal
from parovoz_kit.auth.verifier import JwtVerifier
from parovoz_kit.errors import ParovozError, PermissionDenied, Unauthenticated
from parovoz_kit.grpc.errors import details_for, status_for
from parovoz_kit.logging import error_fields
from parovoz_kit.tracing import carry_remote_trace, drop_remote_trace

log = logging.getLogger(__name__)

Guard = Callable[[grpc.aio.ServicerContext[Any, Any]], AbstractAsyncContextManager[None]]

#: Services any caller may use without a token: probes and tooling.
PUBLIC_SERVICES = frozenset(
    {
        health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
        "grpc.reflection.v1alpha.ServerReflection",
        "grpc.reflection.v1.ServerReflection",
    }
)
#: Key of ``user_methods_by_role`` whose methods any authenticated user may call.
ANY_USER = "*"

GRPC_SERVER_HANDLED = Counter(
    "grpc_server_handled_total", "gRPC calls handled", ["service", "method", "code"]
)
GRPC_SERVER_LATENCY = Histogram(
    "grpc_server_handling_seconds", "gRPC call latency", ["service", "method"]
)

_current_principal: ContextVar[Principal | None] = ContextVar("grpc_principal", default=None)


def grpc_principal() -> Principal:
    """The verified caller of the gRPC call being served (set by ServiceAuthInterceptor)."""
    principal = _current_principal.get()
    if principal is None:
        raise Unauthenticated("This call carries no verified caller.")
    return principal


def split_method(full_method: str) -> tuple[str, str]:
    """``/pkg.Service/Method`` → (``pkg.Service``, ``Method``)."""
    service, _, method = full_method.lstrip("/").rpartition("/")
    return service, method


def status_name(code: Any) -> str:
    # The aio context may hand back a StatusCode, its raw int, or None (not set yet).
    if isinstance(code, grpc.StatusCode):
        return code.name
    for status in grpc.StatusCode:
        if status.value[0] == code:
            return status.name
    return "OK" if code is None else "UNKNOWN"


def guarded(
    handler: grpc.RpcMethodHandler[Any, Any] | None, guard: Guard
) -> grpc.RpcMethodHandler[Any, Any] | None:
    """The same handler, its behaviour running inside ``guard``."""
    if handler is None:  # unknown method: let gRPC answer UNIMPLEMENTED
        return None
    codec = {
        "request_deserializer": handler.request_deserializer,
        "response_serializer": handler.response_serializer,
    }
    if handler.response_streaming:
        # The aio server's behaviours are coroutine functions (the stubs describe sync ones).
        stream_behaviour: Any = handler.stream_stream or handler.unary_stream

        async def streaming(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
            async with guard(context):
                result = stream_behaviour(request, context)
                if inspect.isawaitable(result):  # a servicer writing with context.write()
                    await result
                    return
                async for response in result:
                    yield response

        if handler.request_streaming:
            return grpc.stream_stream_rpc_method_handler(streaming, **codec)
        return grpc.unary_stream_rpc_method_handler(streaming, **codec)

    unary_behaviour: Any = handler.stream_unary or handler.unary_unary

    async def unary(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        async with guard(context):
            return await unary_behaviour(request, context)

    if handler.request_streaming:
        return grpc.stream_unary_rpc_method_handler(unary, **codec)
    return grpc.unary_unary_rpc_method_handler(unary, **codec)


def rpc_callers(
    service: ServiceDescriptor, callers_by_method: Mapping[str, Collection[str]]
) -> dict[str, frozenset[str]]:
    """A service's caller allow-list, keyed by full method name (``/pkg.Service/Method``).

    ``callers_by_method`` names, for EVERY method of ``service``, the services (``sub`` =
    ``service:<name>``) allowed to call it; an RPC nobody calls yet is listed with no callers.
    A method missing from the table, or a row naming no method of the service, is refused here,
    at import, so a new RPC cannot ship without deciding who calls it.
    """
    methods = {method.name for method in service.methods}
    missing, unknown = methods - set(callers_by_method), set(callers_by_method) - methods
    if missing or unknown:
        raise ValueError(
            f"callers of {service.full_name}: no row for {sorted(missing)}, "
            f"rows for unknown methods {sorted(unknown)}"
        )
    return {
        f"/{service.full_name}/{method}": frozenset(names)
        for method, names in callers_by_method.items()
    }


class StandardServerInterceptor(grpc.aio.ServerInterceptor):
    """What every call of every service goes through, as one layer: metrics (every outcome,
    refusals included), kit errors turned into their status codes (anything else INTERNAL,
    logged, never its text to the caller), and service-token auth.

    Auth: every call needs a valid token and a caller the method's allow-list names; default
    deny. ``callers`` maps a full method name (``/pkg.Service/Method``, see :func:`rpc_callers`)
    to the service names (``sub`` = ``service:<name>``) allowed to call it: a service not listed,
    or a method missing from the table, is PERMISSION_DENIED. ``user_methods_by_role`` maps a
    platform role (or :data:`ANY_USER`) to the methods users holding it may call; a user token
    passes nothing else. Health and reflection are open.

    One wrapper per method, built once (:func:`guarded` around the method's guard): a call
    costs one context manager around the servicer's coroutine, not one per concern (the
    CheckAccess hot path is measured beside a bare servicer).
    """

    def __init__(
        self,
        verifier: JwtVerifier,
        *,
        callers: Mapping[str, Collection[str]] | None = None,
        user_methods_by_role: Mapping[str, Collection[str]] | None = None,
        public_services: Collection[str] = PUBLIC_SERVICES,
    ) -> None:
        self._verifier = verifier
        self._callers = {method: frozenset(names) for method, names in (callers or {}).items()}
        self._user_methods = {
            role: frozenset(methods) for role, methods in (user_methods_by_role or {}).items()
        }
        self._public = frozenset(public_services)
        self._wrapped: dict[str, tuple[Any, Any]] = {}

    async def intercept_service(self, continuation, handler_call_details):  # type: ignore[no-untyped-def]
        handler = await continuation(handler_call_details)
        method = handler_call_details.method
        if handler is None or split_method(method)[0] in self._public:
            return handler
        kept = self._wrapped.get(method)
        if kept is None or kept[0] is not handler:
            kept = (handler, self._wrap(handler, method))
            self._wrapped[method] = kept
        return kept[1]

    def _wrap(self, handler: grpc.RpcMethodHandler[Any, Any], method: str) -> Any:
        return guarded(handler, self._guard(method))

    def _guard(self, method: str) -> Guard:
        """What a call of ``method`` runs inside, unary or streaming: around the whole call."""
        service_name, method_name = split_method(method)
        latency = GRPC_SERVER_LATENCY.labels(service_name, method_name)

        @asynccontextmanager
        async def guard(context: grpc.aio.ServicerContext[Any, Any]) -> AsyncIterator[None]:
            started, code, recorded = time.perf_counter(), "UNKNOWN", False
            metadata = context.invocation_metadata() or ()
            trace_token = carry_remote_trace(metadata)

            def record(outcome: str) -> None:
                latency.observe(time.perf_counter() - started)
                GRPC_SERVER_HANDLED.labels(service_name, method_name, outcome).inc()

            try:
                _current_principal.set(await self._caller(metadata, method))
                yield
                code = status_name(context.code())
            except grpc.aio.AbortError:
                code = status_name(context.code())
                raise
            except asyncio.CancelledError:
                code = "CANCELLED"
                raise
            except Exception as error:
                status, details = _answer_for(error, method)
                # Counted before the answer leaves: abort sends it to the caller at once.
                record(status.name)
                recorded = True
                await context.abort(status, details)
            finally:
                drop_remote_trace(trace_token)
                if not recorded:
                    record(code)

        return guard

    async def _caller(self, metadata: Any, method: str) -> Principal:
        principal = await self._verifier.verify(_bearer_token(metadata))
        self._authorize(principal, method)
        return principal

    def _authorize(self, principal: Principal, method: str) -> None:
        if principal.is_service:
            if principal.service_name in self._callers.get(method, frozenset()):
                return
            raise PermissionDenied(
                f"The {principal.service_name} service may not call {split_method(method)[1]}."
            )
        roles = {ANY_USER, *principal.roles}
        if any(method in self._user_methods.get(role, ()) for role in roles):
            return
        raise PermissionDenied("Only platform services may call this method.")


def _answer_for(error: BaseException, method: str) -> tuple[grpc.StatusCode, str]:
    """The status and details a call that raised ``error`` ends with."""
    if isinstance(error, ParovozError):
        return status_for(error), details_for(error)
    if isinstance(error, NotImplementedError):
        # What a generated base class raises for a method a service has not built yet.
        return grpc.StatusCode.UNIMPLEMENTED, "UNIMPLEMENTED: This method is not available yet."
    log.error("unhandled error in gRPC method", extra={"method": method, **error_fields(error)})
    # The client gets a stable code, never the exception text or a trace.
    return (
        grpc.StatusCode.INTERNAL,
        "INTERNAL_ERROR: An unexpected error occurred; it has been logged.",
    )


def _bearer_token(metadata: Any) -> str:
    for key, value in metadata:
        if key == "authorization" and isinstance(value, str):
            scheme, _, token = value.partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
    raise Unauthenticated("A Bearer access token is required.", code="TOKEN_MISSING")


def standard_server_interceptors(
    verifier: JwtVerifier,
    *,
    callers: Mapping[str, Collection[str]] | None = None,
    user_methods_by_role: Mapping[str, Collection[str]] | None = None,
) -> list[grpc.aio.ServerInterceptor]:
    """The interceptors every service's gRPC server runs, in the order that works.

    ``callers`` is the service's allow-list (:func:`rpc_callers`); without one, every method
    is refused to every service (default deny).
    """
    return [
        StandardServerInterceptor(
            verifier, callers=callers, user_methods_by_role=user_methods_by_role
        )
    ]
