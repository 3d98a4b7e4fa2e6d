"""JSON logs, one line per event, on stdout."""

from __future__ import annotations

import logging
import sys

from pythonjsonlogger.json import JsonFormatter

_RESERVED = "%(asctime)s %(levelname)s %(name)s %(message)s"


class _ServiceFilter(logging.Filter):
    """Stamps every record with the service name (and the trace ids when tracing is on)."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self._service
        record.__dict__.pop("color_message", None)  # uvicorn's ANSI-coloured duplicate
        if record.exc_info and record.exc_info[1] is not None:
            # Anyone's ``log.exception`` (uvicorn's "Exception in ASGI application" too) is
            # cut down to the error's type and origin: a stack trace can carry secrets.
            record.__dict__.update(error_fields(record.exc_info[1]))
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        trace_ids = _current_trace_ids()
        if trace_ids:
            record.trace_id, record.span_id = trace_ids
        return True


def _current_trace_ids() -> tuple[str, str] | None:
    from opentelemetry import trace

    ctx = trace.get_current_span().get_span_context()
    if not ctx.is_valid:
        return None
    return format(ctx.trace_id, "032x"), format(ctx.span_id, "016x")


def configure_logging(service: str, level: str = "INFO") -> None:
    """Route the root logger (and uvicorn's) to one JSON stream handler."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        JsonFormatter(_RESERVED, rename_fields={"levelname": "level", "asctime": "time"})
    )
    handler.addFilter(_ServiceFilter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True


def error_fields(error: BaseException) -> dict[str, str]:
    """What a log line may say about an unexpected error: its type and where it was raised.

    Never the message or the stack trace: either can carry secrets, tokens or personal
    data (a failed SQL statement echoes its parameters). The trace id links the line to
    the request for anyone who needs more.
    """
    frame = error.__traceback__
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next
    origin = f"{frame.tb_frame.f_globals.get('__name__', '?')}:{frame.tb_lineno}" if frame else "?"
    return {"error_type": type(error).__name__, "error_origin": origin}
