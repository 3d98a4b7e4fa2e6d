"""One trace across Kafka headers, HTTP, gRPC and SQL; logs carry its ids."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import grpc
import httpx
import pytest
from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from parovoz.payment.v1 import payment_service_pb2 as pb
from parovoz.payment.v1 import payment_service_pb2_grpc as pb_grpc
from parovoz_kit.db import new_metadata
from parovoz_kit.http import create_app
from parovoz_kit.logging import configure_logging
from parovoz_kit.tracing import (
    configure_tracing,
    extract_context,
    grpc_client_interceptors,
    grpc_server_interceptors,
    inject_headers,
    instrument_app,
    instrument_engine,
    use_context,
)
from sqlalchemy import text

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_SPAN_ID = "00f067aa0ba902b7"

_exporter = InMemorySpanExporter()


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    configure_tracing("kit-test", "", "test", exporter=_exporter)
    _exporter.clear()
    yield _exporter
    _exporter.clear()


def _tracer() -> trace.Tracer:
    return trace.get_tracer("kit-test")


def _hex_trace_id(span) -> str:
    return format(span.context.trace_id, "032x")


def test_kafka_headers_carry_the_trace_to_the_consumer(spans) -> None:
    with _tracer().start_as_current_span("publish", kind=SpanKind.PRODUCER) as producer:
        headers = inject_headers([("ce_id", b"event-1")])
    names = [name for name, _ in headers]
    assert names[0] == "ce_id" and "traceparent" in names
    assert all(isinstance(value, bytes) for _, value in headers)

    # The consumer side: no span is current until the message's context is used.
    assert not trace.get_current_span().get_span_context().is_valid
    extracted = trace.get_current_span(extract_context(headers)).get_span_context()
    assert extracted.trace_id == producer.get_span_context().trace_id
    with use_context(headers), _tracer().start_as_current_span("handle") as consumer:
        assert consumer.get_span_context().trace_id == producer.get_span_context().trace_id
    assert consumer.parent.span_id == producer.get_span_context().span_id
    assert not trace.get_current_span().get_span_context().is_valid  # detached again


def test_extract_accepts_dict_headers_and_survives_garbage(spans) -> None:
    context = extract_context({"traceparent": f"00-{TRACE_ID}-{PARENT_SPAN_ID}-01"})
    assert format(trace.get_current_span(context).get_span_context().trace_id, "032x") == TRACE_ID
    broken = extract_context([("traceparent", b"\xff\xfe nonsense"), ("x", None)])
    assert not trace.get_current_span(broken).get_span_context().is_valid


async def test_fastapi_request_continues_the_incoming_trace(spans) -> None:
    app = FastAPI()

    @app.get("/api/v1/kit/ping")
    async def ping() -> dict[str, str]:
        return {"trace_id": format(trace.get_current_span().get_span_context().trace_id, "032x")}

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    instrument_app(app)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://kit") as client:
        traceparent = f"00-{TRACE_ID}-{PARENT_SPAN_ID}-01"
        response = await client.get("/api/v1/kit/ping", headers={"traceparent": traceparent})
        await client.get("/health", headers={"traceparent": traceparent})
    assert response.json() == {"trace_id": TRACE_ID}
    (server,) = [span for span in spans.get_finished_spans() if span.kind is SpanKind.SERVER]
    assert _hex_trace_id(server) == TRACE_ID
    assert format(server.parent.span_id, "016x") == PARENT_SPAN_ID
    assert "/api/v1/kit/ping" in server.name  # probes are not traced


async def test_the_kits_own_app_is_traced(spans, kit_settings) -> None:
    """The app every service runs (create_app with its middlewares) keeps the instrumentation:
    a middleware that reshapes Starlette's stack made OpenTelemetry skip it silently."""
    app = create_app(kit_settings(), title="Kit test", description="traced")
    instrument_app(app)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://kit") as client:
        traceparent = f"00-{TRACE_ID}-{PARENT_SPAN_ID}-01"
        response = await client.get(app.openapi_url or "", headers={"traceparent": traceparent})
    assert response.status_code == 200
    assert response.headers["x-content-type-options"] == "nosniff"
    servers = [span for span in spans.get_finished_spans() if span.kind is SpanKind.SERVER]
    assert [_hex_trace_id(span) for span in servers] == [TRACE_ID]


class _Payments(pb_grpc.PaymentServiceServicer):
    async def GetPayment(self, request, context):
        trace_id = format(trace.get_current_span().get_span_context().trace_id, "032x")
        return pb.GetPaymentResponse(payment=pb.Payment(id=trace_id))


async def test_grpc_call_carries_the_trace_to_the_server(spans) -> None:
    server = grpc.aio.server(interceptors=grpc_server_interceptors())
    pb_grpc.add_PaymentServiceServicer_to_server(_Payments(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        channel = grpc.aio.insecure_channel(
            f"127.0.0.1:{port}", interceptors=grpc_client_interceptors()
        )
        async with channel:
            with _tracer().start_as_current_span("caller") as caller:
                stub = pb_grpc.PaymentServiceStub(channel)
                reply = await stub.GetPayment(pb.GetPaymentRequest(payment_id="p"), timeout=5)
    finally:
        await server.stop(None)
    caller_trace = format(caller.get_span_context().trace_id, "032x")
    assert reply.payment.id == caller_trace
    kinds = {
        span.kind for span in spans.get_finished_spans() if _hex_trace_id(span) == caller_trace
    }
    assert {SpanKind.CLIENT, SpanKind.SERVER} <= kinds


async def test_sql_statements_become_child_spans(spans, schema_engine) -> None:
    engine = await schema_engine(new_metadata())
    instrument_engine(engine)
    instrument_engine(engine)  # twice is harmless: still one span per statement
    with _tracer().start_as_current_span("work") as work:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 42"))
    selects = [span for span in spans.get_finished_spans() if "SELECT" in span.name]
    assert len(selects) == 1
    assert selects[0].parent.span_id == work.get_span_context().span_id


def test_json_log_lines_inside_a_span_carry_its_ids(spans, capsys) -> None:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        configure_logging("kit-test")
        with _tracer().start_as_current_span("work") as span:
            logging.getLogger("kit.test").info("inside")
        logging.getLogger("kit.test").info("outside")
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    inside, outside = (json.loads(line) for line in capsys.readouterr().out.splitlines()[-2:])
    context = span.get_span_context()
    assert inside["trace_id"] == format(context.trace_id, "032x")
    assert inside["span_id"] == format(context.span_id, "016x")
    assert "trace_id" not in outside


def test_spans_are_recorded_only_once_something_collects_them(monkeypatch) -> None:
    from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
    from parovoz_kit import tracing

    tracer = TracerProvider(sampler=tracing.RecordWhenCollected()).get_tracer("kit-test")
    monkeypatch.setattr(tracing, "_destinations", [])  # no exporter, no OTLP endpoint
    with tracer.start_as_current_span("request") as unrecorded:
        headers = dict(inject_headers())
        with tracer.start_as_current_span("SELECT") as child:
            pass
    context = unrecorded.get_span_context()
    assert not unrecorded.is_recording() and not child.is_recording()
    # Still a trace: ids for the logs, the same trace for the child, traceparent sent on.
    assert context.is_valid and child.get_span_context().trace_id == context.trace_id
    _, trace_id, span_id, flags = headers["traceparent"].decode().split("-")
    assert (trace_id, span_id) == (f"{context.trace_id:032x}", f"{context.span_id:016x}")
    assert not int(flags, 16) & 0x01  # not sampled

    monkeypatch.setattr(tracing, "_destinations", ["http://collector:4317"])
    with tracer.start_as_current_span("request") as recorded:
        pass
    assert isinstance(recorded, ReadableSpan)  # a span the exporters are handed
    assert recorded.get_span_context().trace_flags.sampled


async def test_without_a_collector_a_request_only_carries_the_trace_on(monkeypatch) -> None:
    from parovoz_kit import tracing

    app = FastAPI()

    @app.get("/api/v1/kit/ping")
    async def ping() -> dict[str, object]:
        span = trace.get_current_span()
        context = span.get_span_context()
        return {"trace_id": format(context.trace_id, "032x"), "recording": span.is_recording()}

    instrument_app(app)
    configure_tracing("kit-test", "", "test", exporter=_exporter)  # attached, then hidden:
    monkeypatch.setattr(tracing, "_destinations", [])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://kit") as client:
        traceparent = f"00-{TRACE_ID}-{PARENT_SPAN_ID}-01"
        answer = await client.get("/api/v1/kit/ping", headers={"traceparent": traceparent})
        fresh = await client.get("/api/v1/kit/ping")
    # The caller's trace goes on (logs, SQL, calls to others), nothing is recorded.
    assert answer.json() == {"trace_id": TRACE_ID, "recording": False}
    assert fresh.json()["trace_id"] not in (TRACE_ID, "0" * 32)

    # Once something collects spans, the same app records its server span again (one: FastAPI's
    # own telemetry stays off under OpenTelemetry's middleware).
    monkeypatch.setattr(tracing, "_destinations", [_exporter])
    _exporter.clear()
    async with httpx.AsyncClient(transport=transport, base_url="http://kit") as client:
        await client.get("/api/v1/kit/ping", headers={"traceparent": traceparent})
    (server,) = _exporter.get_finished_spans()
    assert server.kind is SpanKind.SERVER and _hex_trace_id(server) == TRACE_ID
    _exporter.clear()


def test_grpc_calls_carry_the_callers_trace_while_nothing_collects(monkeypatch) -> None:
    from opentelemetry import trace as otel_trace
    from parovoz_kit import tracing
    from parovoz_kit.tracing import carry_remote_trace, drop_remote_trace

    monkeypatch.setattr(tracing, "_destinations", [])
    parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    token = carry_remote_trace([("authorization", "Bearer x"), ("traceparent", parent)])
    try:
        current = otel_trace.get_current_span().get_span_context()
        assert format(current.trace_id, "032x") == "0af7651916cd43dd8448eb211c80319c"
    finally:
        drop_remote_trace(token)
    assert otel_trace.get_current_span().get_span_context().trace_id != current.trace_id
    assert carry_remote_trace([("authorization", "Bearer x")]) is None
    monkeypatch.setattr(tracing, "_destinations", ["collector"])
    assert carry_remote_trace([("traceparent", parent)]) is None  # the server span does it
