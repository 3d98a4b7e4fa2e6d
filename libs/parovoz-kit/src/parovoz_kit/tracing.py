"""OpenTelemetry for every service: one provider, W3C ``traceparent`` on every hop.

A request is one trace from the gateway through REST, gRPC, SQL and Kafka. Spans are
exported over OTLP/gRPC when ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set (the collector of
docker-compose listens on 4317); otherwise nothing leaves the process, and nothing is
recorded either (:class:`RecordWhenCollected`), but a real SDK provider still gives ids to
spans, so context propagates and logs carry ``trace_id``.
"""

from __future__ import annotations

import logging
import re
import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import grpc
from fastapi import FastAPI
from opentelemetry import context as otel_context
from opentelemetry import metrics, propagate, trace
from opentelemetry.baggage.propagation import W3CBaggagePropagator
from opentelemetry.propagators.composite import CompositePropagator
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
)
from opentelemetry.sdk.trace.sampling import (
    ALWAYS_ON,
    Decision,
    ParentBased,
    Sampler,
    SamplingResult,
)
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from opentelemetry.util.types import Attributes
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger(__name__)

#: Probes and scrapes are polled every few seconds; tracing them only buries real traces.
_UNTRACED_URLS = r"/(health|ready|metrics)$"
_UNTRACED = re.compile(_UNTRACED_URLS)
KafkaHeaders = Iterable[tuple[str, bytes | str | None]] | Mapping[str, bytes | str | None]

_provider: TracerProvider | None = None
_instrumented_engines: weakref.WeakSet[Any] = weakref.WeakSet()
_destinations: list[SpanExporter | str] = []


def configure_tracing(
    service_name: str,
    otlp_endpoint: str = "",
    environment: str = "development",
    *,
    exporter: SpanExporter | None = None,
) -> TracerProvider:
    """Install the global tracer provider and the W3C propagators; call once at start.

    ``exporter`` (tests: an ``InMemorySpanExporter``) is attached synchronously and
    wins over ``otlp_endpoint``. Calling again (several apps in one test process) adds
    the exporter to the provider already installed, since OpenTelemetry allows only one.
    """
    global _provider
    propagate.set_global_textmap(
        CompositePropagator([TraceContextTextMapPropagator(), W3CBaggagePropagator()])
    )
    provider = _provider or _installed_sdk_provider()
    if provider is None:
        resource = Resource.create(
            {"service.name": service_name, "deployment.environment": str(environment)}
        )
        provider = TracerProvider(resource=resource, sampler=RecordWhenCollected())
        trace.set_tracer_provider(provider)
    _provider = provider
    # Calling again with the same destination must not export every span twice.
    if exporter is not None and exporter not in _destinations:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        _destinations.append(exporter)
    elif exporter is None and otlp_endpoint and otlp_endpoint not in _destinations:
        provider.add_span_processor(BatchSpanProcessor(_otlp_exporter(otlp_endpoint)))
        _destinations.append(otlp_endpoint)
    return provider


class RecordWhenCollected(Sampler):
    """Spans are recorded once something collects them (an exporter or an OTLP endpoint was
    configured), following the parent's decision as usual; until then none is: a recorded span
    per request and per SQL statement, filled with attributes and thrown away, is most of what
    tracing costs a cheap route. An unrecorded span still has its ids, so the context still
    propagates (``traceparent``, not sampled) and log lines still carry ``trace_id``."""

    def __init__(self) -> None:
        self._collected = ParentBased(ALWAYS_ON)

    def should_sample(
        self,
        parent_context: otel_context.Context | None,
        trace_id: int,
        name: str,
        kind: trace.SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[trace.Link] | None = None,
        trace_state: trace.TraceState | None = None,
    ) -> SamplingResult:
        if not _destinations:
            parent = trace.get_current_span(parent_context).get_span_context()
            return SamplingResult(Decision.DROP, None, parent.trace_state)
        return self._collected.should_sample(
            parent_context, trace_id, name, kind, attributes, links, trace_state
        )

    def get_description(self) -> str:
        return "RecordWhenCollected"


def tracing_from_settings(settings: Any) -> TracerProvider:
    """``configure_tracing`` from ``ServiceSettings`` (service name, endpoint, environment)."""
    return configure_tracing(
        settings.service_name,
        settings.otel_exporter_otlp_endpoint,
        str(settings.environment),
    )


def shutdown_tracing() -> None:
    """Flush spans still batched for export; call on shutdown."""
    if _provider is not None:
        _provider.shutdown()


def instrument_app(app: FastAPI) -> None:
    """Server spans for every route, continuing an incoming ``traceparent``.

    One span per request: the instrumentation's internal spans of every ASGI ``receive`` and
    ``send`` message (two or three more per request, each with its attributes) say nothing the
    server span does not, and cost a cheap route a measurable share of its time.
    """
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=_tracer_provider(),
        excluded_urls=_UNTRACED_URLS,
        exclude_spans=["receive", "send"],
    )
    instrumented_build = app.build_middleware_stack

    def build_middleware_stack() -> ASGIApp:
        # The instrumented stack is ServerErrorMiddleware -> OpenTelemetryMiddleware -> the
        # app's own; the OpenTelemetry layer runs only while something collects spans.
        from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

        outer = instrumented_build()
        traced = getattr(outer, "app", None)
        if isinstance(traced, OpenTelemetryMiddleware):
            outer.app = _TracedWhenCollected(traced, traced.app)  # type: ignore[attr-defined]
        return outer

    app.build_middleware_stack = build_middleware_stack  # type: ignore[method-assign]


class _TracedWhenCollected:
    """The instrumentation's server span (route, attributes, metrics) while something collects
    spans; until then only the caller's trace context is carried on (``traceparent``), under
    an unrecorded span with its ids (logs' ``trace_id``, SQL, Kafka and gRPC calls): finding
    the route and filling attributes of a span nobody reads is a cheap route's largest
    tracing cost."""

    _CARRIED = (b"traceparent", b"tracestate", b"baggage")

    def __init__(self, traced: ASGIApp, untraced: ASGIApp) -> None:
        self.traced, self.untraced = traced, untraced
        # FastAPI looks down the stack's ``app`` attributes for OpenTelemetry's middleware and
        # switches its own (native) telemetry off when it finds it: it must keep finding it.
        self.app = traced
        self._tracers: tuple[trace.TracerProvider, trace.Tracer] | None = None

    def _tracer(self) -> trace.Tracer:
        # One tracer per provider (getting one builds its scope every time).
        provider = _tracer_provider()
        if self._tracers is None or self._tracers[0] is not provider:
            self._tracers = (provider, trace.get_tracer(__name__, tracer_provider=provider))
        return self._tracers[1]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if _destinations or scope["type"] != "http":
            await self.traced(scope, receive, send)
            return
        if _UNTRACED.search(scope.get("path", "")):  # probes: no trace either way
            await self.untraced(scope, receive, send)
            return
        carrier = {
            name.decode("latin-1"): value.decode("latin-1")
            for name, value in scope.get("headers") or ()
            if name in self._CARRIED
        }
        token = otel_context.attach(propagate.extract(carrier))
        try:
            with self._tracer().start_as_current_span("HTTP", kind=trace.SpanKind.SERVER):
                await self.untraced(scope, receive, send)
        finally:
            otel_context.detach(token)


def instrument_engine(engine: AsyncEngine) -> None:
    """A client span per SQL statement of ``engine`` (idempotent per engine).

    Uses the instrumentation's per-engine tracer rather than ``SQLAlchemyInstrumentor``,
    which patches ``create_engine`` process-wide and can only be switched on once.
    """
    from opentelemetry.instrumentation.sqlalchemy import __version__ as version
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer

    sync_engine = engine.sync_engine
    if sync_engine in _instrumented_engines:
        return
    tracer = trace.get_tracer(
        "opentelemetry.instrumentation.sqlalchemy", version, _tracer_provider()
    )
    connections = metrics.get_meter("parovoz_kit.tracing").create_up_down_counter(
        "db.client.connections.usage", unit="connections"
    )
    EngineTracer(tracer, sync_engine, connections)
    _instrumented_engines.add(sync_engine)


def grpc_server_interceptors() -> list[grpc.aio.ServerInterceptor]:
    """Pass to ``create_grpc_server(..., interceptors=...)``: server spans from metadata, while
    something collects them (until then the kit's own interceptor carries the caller's trace
    context on: :func:`carry_remote_trace`)."""
    from opentelemetry.instrumentation.grpc import aio_server_interceptor

    return [_GrpcSpansWhenCollected(aio_server_interceptor(tracer_provider=_tracer_provider()))]


class _GrpcSpansWhenCollected(grpc.aio.ServerInterceptor):
    """The instrumentation's server span while something collects spans; until then nothing
    (its span and attributes for every call are a cheap RPC's largest tracing cost)."""

    def __init__(self, traced: grpc.aio.ServerInterceptor) -> None:
        self._traced = traced

    async def intercept_service(self, continuation, handler_call_details):  # type: ignore[no-untyped-def]
        if _destinations:
            return await self._traced.intercept_service(continuation, handler_call_details)
        return await continuation(handler_call_details)


_CARRIED_METADATA = frozenset({"traceparent", "tracestate", "baggage"})


def carry_remote_trace(metadata: Iterable[tuple[str, Any]]) -> object | None:
    """While nothing collects spans, make the caller's trace context (``traceparent`` in the
    call's metadata) the current one, so log lines and outgoing calls keep its ``trace_id``;
    answers the token for :func:`drop_remote_trace`, or None when there was nothing to do
    (no trace sent, or the instrumentation's server span already did it)."""
    if _destinations:
        return None
    carrier = {key: value for key, value in metadata if key in _CARRIED_METADATA}
    if not carrier:
        return None
    return otel_context.attach(propagate.extract(carrier))


def drop_remote_trace(token: object | None) -> None:
    if token is not None:
        otel_context.detach(token)  # type: ignore[arg-type]


def grpc_client_interceptors() -> list[grpc.aio.ClientInterceptor]:
    """Pass to ``grpc.aio.insecure_channel(..., interceptors=...)``: sends ``traceparent``."""
    from opentelemetry.instrumentation.grpc import aio_client_interceptors

    return list(aio_client_interceptors(tracer_provider=_tracer_provider()))


def inject_headers(
    headers: list[tuple[str, bytes]] | None = None,
) -> list[tuple[str, bytes]]:
    """Kafka headers with the current context (``traceparent``, ``tracestate``) added."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    injected = [(name, value.encode()) for name, value in carrier.items()]
    kept = [(name, value) for name, value in headers or [] if name not in carrier]
    return kept + injected


def extract_context(headers: KafkaHeaders | None) -> otel_context.Context:
    """The trace context a producer put in a message's headers (empty if none)."""
    items = headers.items() if isinstance(headers, Mapping) else headers or []
    carrier: dict[str, str] = {}
    for name, value in items:
        if value is None:
            continue
        text = value.decode(errors="replace") if isinstance(value, bytes) else value
        carrier[name.lower()] = text
    return propagate.extract(carrier)


@contextmanager
def use_context(headers: KafkaHeaders | None) -> Iterator[otel_context.Context]:
    """Make a consumed message's trace the current one while it is handled."""
    context = extract_context(headers)
    token = otel_context.attach(context)
    try:
        yield context
    finally:
        otel_context.detach(token)


def _installed_sdk_provider() -> TracerProvider | None:
    current = trace.get_tracer_provider()
    return current if isinstance(current, TracerProvider) else None


def _tracer_provider() -> trace.TracerProvider:
    # Before configure_tracing runs, the global (proxy) provider picks up the real one later.
    return _provider or trace.get_tracer_provider()


def _otlp_exporter(endpoint: str) -> SpanExporter:
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

    # Inside the cluster the collector speaks plain gRPC; https endpoints get TLS.
    return OTLPSpanExporter(endpoint=endpoint, insecure=endpoint.startswith("http://"))
